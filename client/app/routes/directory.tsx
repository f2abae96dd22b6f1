import { A } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { NewCommunityForm } from '../components/community-forms.tsx';
import { Empty, ErrorState, errorMessage, Loading } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { FOCUS_LABELS, VISIBILITY_LABELS } from '../lib/operations.ts';
import { viewer } from '../lib/session.ts';

interface CommunityCard {
  id: string;
  slug: string;
  name: string;
  description: string;
  focus: string;
  visibility: string;
  memberCount: number;
  threadCount: number;
}

const CARD = 'id slug name description focus visibility memberCount threadCount';
const DIRECTORY = `query Directory($focus: FocusArea, $search: String) {
  communities(first: 50, focus: $focus, search: $search) { totalCount nodes { ${CARD} } }
  myCommunities(first: 50) { nodes { ${CARD} } } }`;

function Card(props: { community: CommunityCard }) {
  return (
    <li class="card">
      <h3>
        <A href={`/c/${props.community.slug}`}>{props.community.name}</A>
      </h3>
      <p class="meta">
        <span class="tag">{FOCUS_LABELS[props.community.focus]}</span>
        <span class="tag subtle">{VISIBILITY_LABELS[props.community.visibility]}</span>
        <span>
          {props.community.memberCount} members · {props.community.threadCount} threads
        </span>
      </p>
      <p class="summary">{props.community.description.replace(/[*_`#>]/g, '').slice(0, 180)}</p>
    </li>
  );
}

export default function Directory() {
  const [focus, setFocus] = createSignal('');
  const [search, setSearch] = createSignal('');
  const [appliedSearch, setAppliedSearch] = createSignal('');
  const directory = createGraphQLQuery<
    {
      communities: { totalCount: number; nodes: CommunityCard[] };
      myCommunities: { nodes: CommunityCard[] };
    },
    { focus: string | null; search: string | null; viewerId: string | null }
  >(DIRECTORY, () => ({
    focus: focus() || null,
    search: appliedSearch() || null,
    viewerId: viewer()?.id ?? null,
  }));

  return (
    <section>
      <h1>Communities of practice</h1>
      <p class="lead">Find educators working on the same goals, across schools and districts.</p>

      <Show when={(directory.data.latest?.myCommunities.nodes.length ?? 0) > 0}>
        <h2>Your communities</h2>
        <ul class="cards">
          <For each={directory.data.latest?.myCommunities.nodes}>
            {(community) => <Card community={community} />}
          </For>
        </ul>
      </Show>

      <Show when={viewer()}>
        <NewCommunityForm />
      </Show>

      <h2>All communities</h2>
      <search>
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setAppliedSearch(search().trim());
          }}
        >
          <div class="field inline">
            <label for="focus-filter">Focus</label>
            <select
              id="focus-filter"
              value={focus()}
              onChange={(event) => setFocus(event.currentTarget.value)}
            >
              <option value="">All focus areas</option>
              <For each={Object.entries(FOCUS_LABELS)}>
                {([value, label]) => <option value={value}>{label}</option>}
              </For>
            </select>
          </div>
          <div class="field inline">
            <label for="community-search">Search by name</label>
            <input
              id="community-search"
              type="search"
              value={search()}
              maxLength={100}
              onInput={(event) => setSearch(event.currentTarget.value)}
            />
          </div>
          <button type="submit">Search</button>
        </form>
      </search>

      <Switch>
        <Match when={directory.data.error}>
          <ErrorState message={errorMessage(directory.data.error)} onRetry={directory.refetch} />
        </Match>
        <Match when={directory.data.loading && !directory.data.latest}>
          <Loading label="Loading communities…" />
        </Match>
        <Match when={directory.data.latest?.communities.nodes.length === 0}>
          <Empty>No community matches. Try another focus or search.</Empty>
        </Match>
        <Match when={directory.data.latest}>
          <p class="meta" aria-live="polite">
            {directory.data.latest?.communities.totalCount} communities
          </p>
          <ul class="cards">
            <For each={directory.data.latest?.communities.nodes}>
              {(community) => <Card community={community} />}
            </For>
          </ul>
        </Match>
      </Switch>
    </section>
  );
}
