import { A, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, For, Match, on, Show, Switch } from 'solid-js';
import { Empty, ErrorState, Loading } from '../components/status.tsx';
import { client, createGraphQLQuery, describeError } from '../lib/graphql.ts';
import { describeIssues, type Issue } from '../lib/issues.ts';
import { pluralize } from '../lib/plural.ts';
import {
  dayRange,
  SEARCH_KIND_LABELS,
  type SearchItem,
  searchItemPath,
  searchItemTitle,
  snippetParts,
} from '../lib/search.ts';
import { viewer, viewerLoaded } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';
import './search.css';

const PAGE_SIZE = 20;

const RESULT_FIELDS = `kind snippet date item {
  __typename
  ... on Thread { id title community { name } }
  ... on Post { id thread { id title community { name } } }
  ... on LiveSession { id title status community { name } }
  ... on Badge { id name badgeCommunity: community { name } }
  ... on Community { id name slug }
}`;

const SEARCH = `query Search($query: String!, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $query, filter: $filter, first: $first, after: $after) {
    __typename
    ... on ValidationError { message issues { path message } }
    ... on RateLimitedError { message }
    ... on QuerySearchSuccess { data {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ${RESULT_FIELDS} } }
    } }
  } }`;

const READABLE_COMMUNITIES = `query SearchCommunities { communities(first: 100) {
  nodes { id name viewerCanRead } } }`;

interface SearchResult {
  kind: string;
  snippet: string;
  date: string;
  item: SearchItem;
}

interface SearchPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: SearchResult }[];
}

type SearchData = {
  search:
    | { __typename: 'QuerySearchSuccess'; data: SearchPage }
    | { __typename: 'ValidationError'; message: string; issues?: Issue[] }
    | { __typename: 'RateLimitedError'; message: string };
};

type SearchVariables = {
  query: string;
  filter: Record<string, unknown>;
  first: number;
  after?: string;
  viewerId: string | null;
};

function Snippet(props: { snippet: string }) {
  return (
    <p class="snippet">
      <For each={snippetParts(props.snippet)}>
        {(part) => (part.hit ? <mark>{part.text}</mark> : part.text)}
      </For>
    </p>
  );
}

function ResultCard(props: { result: SearchResult }) {
  const item = () => props.result.item;
  const communityName = () =>
    item().thread?.community?.name ?? item().badgeCommunity?.name ?? item().community?.name;
  return (
    <li class="search-result" data-testid="search-result">
      <p class="meta">
        <span class="tag">{SEARCH_KIND_LABELS[props.result.kind] ?? props.result.kind}</span>
        <Show when={item().status === 'CANCELLED'}>
          <span class="tag subtle">Cancelled</span>
        </Show>
        <Show when={communityName()}>
          <span>{communityName()}</span> ·{' '}
        </Show>
        <time datetime={props.result.date}>{formatLocal(props.result.date)}</time>
      </p>
      <h3>
        <A href={searchItemPath(item())}>{searchItemTitle(item())}</A>
      </h3>
      <Show when={props.result.snippet}>
        <Snippet snippet={props.result.snippet} />
      </Show>
    </li>
  );
}

/** Renders the community filter: the communities whose content the viewer may read. */
function CommunitySelect(props: { value: string; onChange: (id: string) => void }) {
  const communities = createGraphQLQuery<
    { communities: { nodes: { id: string; name: string; viewerCanRead: boolean }[] } },
    { viewerId: string | null }
  >(READABLE_COMMUNITIES, () => viewerLoaded() && { viewerId: viewer()?.id ?? null });
  const readable = () =>
    communities.data()?.communities.nodes.filter((community) => community.viewerCanRead) ?? [];
  return (
    <div class="field inline">
      <label for="search-community">Community</label>
      <select
        id="search-community"
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        <option value="">All communities</option>
        <For each={readable()}>
          {(community) => <option value={community.id}>{community.name}</option>}
        </For>
      </select>
    </div>
  );
}

export default function Search() {
  // The query and the filters live in the address, so a search can be shared and Back restores it.
  const [params, setParams] = useSearchParams<{
    q?: string;
    kind?: string;
    community?: string;
    from?: string;
    to?: string;
  }>();
  const [text, setText] = createSignal(params.q ?? '');
  createEffect(
    on(
      () => params.q,
      (value) => setText(value ?? ''),
      { defer: true },
    ),
  );
  const kind = () => (params.kind && params.kind in SEARCH_KIND_LABELS ? params.kind : '');
  const variables = (): SearchVariables | false => {
    const query = params.q?.trim();
    if (!query || !viewerLoaded()) {
      return false;
    }
    return {
      query,
      filter: {
        ...(kind() && { kinds: [kind()] }),
        ...(params.community && { communityId: params.community }),
        ...dayRange(params.from ?? '', params.to ?? ''),
      },
      first: PAGE_SIZE,
      viewerId: viewer()?.id ?? null,
    };
  };
  const firstPage = createGraphQLQuery<SearchData, SearchVariables>(SEARCH, variables);
  const more = createMorePages(variables);
  createDocumentTitle(() => (params.q ? `Search: ${params.q}` : 'Search'));

  const page = () => {
    const result = firstPage.data()?.search;
    return result?.__typename === 'QuerySearchSuccess' ? result.data : undefined;
  };
  const invalid = () => {
    const result = firstPage.data()?.search;
    if (result?.__typename === 'ValidationError') {
      return describeIssues(result.message, result.issues);
    }
    return result?.__typename === 'RateLimitedError' ? result.message : undefined;
  };
  const results = () => [...(page()?.edges ?? []), ...more.edges()].map((edge) => edge.node);
  const hasNextPage = () => more.pageInfo()?.hasNextPage ?? page()?.pageInfo.hasNextPage;
  let resultList: HTMLOListElement | undefined;
  /** Loads the next page and moves the focus to the link of its first result. */
  const loadMore = async () => {
    const countBefore = results().length;
    await more.load(more.pageInfo()?.endCursor ?? page()?.pageInfo.endCursor);
    const firstNew = resultList?.children.item(countBefore)?.querySelector<HTMLElement>('h3 a');
    firstNew?.focus();
  };
  const summary = () => {
    if (!page()) {
      return '';
    }
    const shown = pluralize(results().length, 'result');
    return hasNextPage() ? `${shown} shown, more available` : `${shown} found`;
  };

  return (
    <section class="search-page">
      <h1>Search</h1>
      <search aria-label="Search and filters">
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setParams({ q: text().trim() || undefined });
          }}
        >
          <div class="field inline">
            <label for="search-query">Search for</label>
            <input
              id="search-query"
              type="search"
              value={text()}
              maxLength={200}
              onInput={(event) => setText(event.currentTarget.value)}
            />
          </div>
          <div class="field inline">
            <label for="search-kind">Kind</label>
            <select
              id="search-kind"
              value={kind()}
              onChange={(event) => setParams({ kind: event.currentTarget.value || undefined })}
            >
              <option value="">Everything</option>
              <For each={Object.entries(SEARCH_KIND_LABELS)}>
                {([value, label]) => <option value={value}>{label}</option>}
              </For>
            </select>
          </div>
          <CommunitySelect
            value={params.community ?? ''}
            onChange={(id) => setParams({ community: id || undefined })}
          />
          <div class="field inline">
            <label for="search-from">From</label>
            <input
              id="search-from"
              type="date"
              value={params.from ?? ''}
              onChange={(event) => setParams({ from: event.currentTarget.value || undefined })}
            />
          </div>
          <div class="field inline">
            <label for="search-to">To</label>
            <input
              id="search-to"
              type="date"
              value={params.to ?? ''}
              onChange={(event) => setParams({ to: event.currentTarget.value || undefined })}
            />
          </div>
          <button type="submit">Search</button>
        </form>
      </search>
      <p class="hint">
        Put a phrase in "quotes", write OR between alternatives, and -word to leave a word out.
      </p>
      <p class="meta" aria-live="polite" data-testid="search-summary">
        {summary()}
      </p>

      <Switch>
        <Match when={!params.q?.trim()}>
          <Empty>
            Type words to look for in threads, replies, live sessions, badges and communities.
          </Empty>
        </Match>
        <Match when={!firstPage.data() && firstPage.error()}>
          {(message) => <ErrorState message={message()} onRetry={firstPage.refetch} />}
        </Match>
        <Match when={invalid()}>
          {(message) => (
            <p class="form-error" role="alert">
              {message()}
            </p>
          )}
        </Match>
        <Match when={!page()}>
          <Loading label="Searching…" />
        </Match>
        <Match when={results().length === 0}>
          <Empty>Nothing matches. Try other words, or fewer filters.</Empty>
        </Match>
        <Match when={page()}>
          <ol class="search-results" aria-label="Search results" ref={resultList}>
            <For each={results()}>{(result) => <ResultCard result={result} />}</For>
          </ol>
          <Show when={more.error()}>
            {(message) => (
              <p class="form-error" role="alert">
                {message()}
              </p>
            )}
          </Show>
          <Show when={hasNextPage()}>
            <button type="button" disabled={more.loading()} onClick={loadMore}>
              {more.loading() ? 'Loading more…' : 'More results'}
            </button>
          </Show>
        </Match>
      </Switch>
    </section>
  );
}

/**
 * Keeps the pages after the first, loaded with "More results". A change of the query or the
 * filters starts over from the first page.
 */
function createMorePages(variables: () => SearchVariables | false) {
  const [edges, setEdges] = createSignal<SearchPage['edges']>([]);
  const [pageInfo, setPageInfo] = createSignal<SearchPage['pageInfo']>();
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string>();
  createEffect(
    on(
      () => JSON.stringify(variables()),
      () => {
        setEdges([]);
        setPageInfo(undefined);
        setError(undefined);
      },
    ),
  );

  const load = async (after: string | null | undefined) => {
    const current = variables();
    if (!current || !after) {
      return;
    }
    setLoading(true);
    const result = await client
      .query<SearchData, SearchVariables>(SEARCH, { ...current, after })
      .toPromise();
    setLoading(false);
    const search = result.data?.search;
    if (result.error || search?.__typename !== 'QuerySearchSuccess') {
      const refusal = search && 'message' in search ? search.message : undefined;
      setError(
        result.error
          ? describeError(result.error)
          : (refusal ?? 'Loading more results failed; try again.'),
      );
      return;
    }
    setError(undefined);
    setEdges([...edges(), ...search.data.edges]);
    setPageInfo(search.data.pageInfo);
  };

  return { edges, pageInfo, loading, error, load };
}
