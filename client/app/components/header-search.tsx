import { useLocation, useNavigate, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, on } from 'solid-js';
import './header-search.css';

/** Renders the header's search box, which opens /search with the query in the address. */
export function HeaderSearch() {
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams<{ q?: string }>();
  const [query, setQuery] = createSignal('');
  // On the search page the box shows the current query, and Back and Forward update it.
  createEffect(
    on(
      () => [location.pathname, params.q] as const,
      ([path, q]) => setQuery(path === '/search' ? (q ?? '') : ''),
    ),
  );

  return (
    <search class="header-search" aria-label="Site search">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const text = query().trim();
          if (text) {
            navigate(`/search?q=${encodeURIComponent(text)}`);
          }
        }}
      >
        <label for="header-search-input" class="visually-hidden">
          Search Staffroom
        </label>
        <input
          id="header-search-input"
          type="search"
          placeholder="Search"
          value={query()}
          maxLength={200}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
    </search>
  );
}
