import { A, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, For, Match, on, Show, Switch } from 'solid-js';
import { NewCommunityForm } from '../components/new-community-form.tsx';
import { Empty, ErrorState, Loading } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { FOCUS_LABELS, VISIBILITY_LABELS } from '../lib/operations.ts';
import { pluralize } from '../lib/plural.ts';
import { viewer, viewerLoaded } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';

interface CommunityCard {
  id: string;
  slug: string;
  name: string;
  description: string;
  focus: string;
  visibility: string;
  memberCount: number;
  /** Null for a listed private community that the viewer may not read. */
  threadCount: number | null;
}

const CARD_FIELDS = 'id slug name description focus visibility memberCount threadCount';
const DIRECTORY = `query Directory($focus: FocusArea, $search: String) {
  communities(first: 50, focus: $focus, search: $search) { totalCount nodes { ${CARD_FIELDS} } } }`;
const MY_COMMUNITIES = `query MyCommunities { myCommunities(first: 50) { nodes { ${CARD_FIELDS} } } }`;

/** Maximum length, in characters, of the plain-text description shown on a card. */
const SUMMARY_LENGTH = 180;

function summarize(markdown: string): string {
  const text = markdown
    .replace(/[*_`#>[\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}

function Card(props: { community: CommunityCard }) {
  return (
    <li class="card">
      <h3>
        <A href={`/c/${props.community.slug}`}>{props.community.name}</A>
      </h3>
      <p class="meta">
        <span class="tag">{FOCUS_LABELS[props.community.focus]}</span>
        <span class="tag subtle">{VISIBILITY_LABELS[props.community.visibility]}</span>
        <span class="nowrap">{pluralize(props.community.memberCount, 'member')}</span>
        <Show when={props.community.threadCount !== null}>
          {' '}
          · <span class="nowrap">{pluralize(props.community.threadCount ?? 0, 'thread')}</span>
        </Show>
      </p>
      <p class="summary">{summarize(props.community.description)}</p>
    </li>
  );
}

function MyCommunities() {
  const mine = createGraphQLQuery<
    { myCommunities: { nodes: CommunityCard[] } },
    { viewerId: string }
  >(MY_COMMUNITIES, () => {
    const current = viewer();
    return current ? { viewerId: current.id } : false;
  });

  return (
    <section aria-labelledby="my-communities-heading">
      <h2 id="my-communities-heading">Your communities</h2>
      <Switch>
        <Match when={!mine.data() && mine.error()}>
          {(message) => <ErrorState message={message()} onRetry={mine.refetch} />}
        </Match>
        <Match when={!mine.data()}>
          <Loading label="Loading your communities…" />
        </Match>
        <Match when={mine.data()?.myCommunities.nodes.length === 0}>
          <Empty>You have not joined a community yet. Find one below.</Empty>
        </Match>
        <Match when={mine.data()}>
          {(data) => (
            <ul class="cards">
              <For each={data().myCommunities.nodes}>
                {(community) => <Card community={community} />}
              </For>
            </ul>
          )}
        </Match>
      </Switch>
      <NewCommunityForm />
    </section>
  );
}

export default function Directory() {
  // The filters live in the address, so a filtered list can be shared and Back restores it.
  const [params, setParams] = useSearchParams<{ focus?: string; q?: string }>();
  const [search, setSearch] = createSignal(params.q ?? '');
  // Back and Forward change the address, and the search box follows it.
  createEffect(
    on(
      () => params.q,
      (value) => setSearch(value ?? ''),
      { defer: true },
    ),
  );
  const focus = () => (params.focus && params.focus in FOCUS_LABELS ? params.focus : '');
  const directory = createGraphQLQuery<
    { communities: { totalCount: number; nodes: CommunityCard[] } },
    { focus: string | null; search: string | null; viewerId: string | null }
  >(
    DIRECTORY,
    () =>
      viewerLoaded() && {
        focus: focus() || null,
        search: params.q?.trim() || null,
        viewerId: viewer()?.id ?? null,
      },
  );
  const resultCount = () => {
    const total = directory.data()?.communities.totalCount;
    return total === undefined ? '' : `${pluralize(total, 'community', 'communities')} found`;
  };
  createDocumentTitle(() => 'Communities');

  return (
    <section>
      <h1>Communities of practice</h1>
      <p class="lead">Find educators working on the same goals, across schools and districts.</p>

      <Show when={viewer()}>
        <MyCommunities />
      </Show>

      <section aria-labelledby="all-communities-heading">
        <h2 id="all-communities-heading">All communities</h2>
        <search>
          <form
            class="filters"
            onSubmit={(event) => {
              event.preventDefault();
              setParams({ q: search().trim() || undefined });
            }}
          >
            <div class="field inline">
              <label for="focus-filter">Focus</label>
              <select
                id="focus-filter"
                value={focus()}
                onChange={(event) => setParams({ focus: event.currentTarget.value || undefined })}
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

        <p class="meta" aria-live="polite">
          {resultCount()}
        </p>
        <Switch>
          <Match when={!directory.data() && directory.error()}>
            {(message) => <ErrorState message={message()} onRetry={directory.refetch} />}
          </Match>
          <Match when={!directory.data()}>
            <Loading label="Loading communities…" />
          </Match>
          <Match when={directory.data()?.communities.nodes.length === 0}>
            <Empty>No community matches. Try another focus or search.</Empty>
          </Match>
          <Match when={directory.data()}>
            {(data) => (
              <ul class="cards">
                <For each={data().communities.nodes}>
                  {(community) => <Card community={community} />}
                </For>
              </ul>
            )}
          </Match>
        </Switch>
      </section>
    </section>
  );
}
