import { A, useParams, useSearchParams } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { ISTE_STANDARDS } from '../lib/operations.ts';
import { pluralize } from '../lib/plural.ts';
import { viewer, viewerLoaded } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';
import './credentials.css';

const COMMUNITY_BADGES = `query CommunityBadges($slug: String!) { community(slug: $slug) {
  id slug name
  badges(first: 100) { nodes { id name description kind holderCount validForDays imageUrl
    isteStandards { standard code name }
    alignments { id code name framework { id name } } } } } }`;

const KIND_LABELS: Record<string, string> = {
  PARTICIPATION: 'Participation badge',
  MICROCREDENTIAL: 'Microcredential',
};

const STANDARD_LABELS: Record<string, string> = {
  LEARNER: '2.1 Learner',
  LEADER: '2.2 Leader',
  CITIZEN: '2.3 Citizen',
  COLLABORATOR: '2.4 Collaborator',
  DESIGNER: '2.5 Designer',
  FACILITATOR: '2.6 Facilitator',
  ANALYST: '2.7 Analyst',
};

interface DirectoryBadge {
  id: string;
  name: string;
  description: string;
  kind: 'PARTICIPATION' | 'MICROCREDENTIAL';
  holderCount: number;
  validForDays: number | null;
  imageUrl: string;
  isteStandards: { standard: string; code: string; name: string }[];
  alignments: { id: string; code: string; name: string; framework: { id: string; name: string } }[];
}

interface CommunityBadgesData {
  community: {
    id: string;
    slug: string;
    name: string;
    /** Null when the viewer may not read the community's content. */
    badges: { nodes: DirectoryBadge[] } | null;
  } | null;
}

function BadgeItem(props: { badge: DirectoryBadge }) {
  // ISTE standards show in their own line, so only other frameworks' standards are listed here.
  const otherAlignments = () =>
    props.badge.alignments.filter(
      (alignment) =>
        !props.badge.isteStandards.some((standard) => standard.code === alignment.code),
    );
  return (
    <li data-testid="directory-badge">
      <img class="badge-image" src={props.badge.imageUrl} alt="" width="56" height="56" />
      <div>
        <h3>
          <A href={`/b/${encodeURIComponent(props.badge.id)}`}>{props.badge.name}</A>
        </h3>
        <p class="meta">
          <span class="tag">{KIND_LABELS[props.badge.kind]}</span>
          <span class="nowrap">{pluralize(props.badge.holderCount, 'holder')}</span>
          <Show when={props.badge.validForDays}>
            {(days) => <> · valid for {pluralize(days(), 'day')}</>}
          </Show>
        </p>
        <p>{props.badge.description}</p>
        <p class="meta">
          ISTE{' '}
          {props.badge.isteStandards
            .map((standard) => `${standard.code} ${standard.name}`)
            .join(', ')}
        </p>
        <Show when={otherAlignments().length > 0}>
          <p class="meta">
            Also aligned to{' '}
            {otherAlignments()
              .map((alignment) => `${alignment.framework.name} ${alignment.code} ${alignment.name}`)
              .join(', ')}
          </p>
        </Show>
      </div>
    </li>
  );
}

/** Lists every badge of a community, filtered by kind and by ISTE Standard through the address. */
export default function CommunityBadgesPage() {
  const params = useParams();
  const [search, setSearch] = useSearchParams<{ kind?: string; standard?: string }>();
  const page = createGraphQLQuery<CommunityBadgesData, { slug: string; viewerId: string | null }>(
    COMMUNITY_BADGES,
    () => viewerLoaded() && { slug: params.slug ?? '', viewerId: viewer()?.id ?? null },
  );
  const community = () => page.data()?.community;
  createDocumentTitle(() => (community() ? `Badges of ${community()?.name}` : undefined));

  const kind = () => (search.kind && search.kind in KIND_LABELS ? search.kind : '');
  const standard = () =>
    search.standard && search.standard in STANDARD_LABELS ? search.standard : '';
  const filteredBadges = () =>
    (community()?.badges?.nodes ?? []).filter(
      (badge) =>
        (!kind() || badge.kind === kind()) &&
        (!standard() || badge.isteStandards.some((item) => item.standard === standard())),
    );
  const total = () => community()?.badges?.nodes.length ?? 0;

  return (
    <Switch>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the badges…" />
      </Match>
      <Match when={!community()}>
        <section>
          <h1>Community not found</h1>
          <p>It does not exist, or it is private.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={community()}>
        {(current) => (
          <section>
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <p class="breadcrumb">
              <A href={`/c/${current().slug}`}>{current().name}</A>
            </p>
            <h1>Badges</h1>
            <Show
              when={current().badges}
              fallback={<Empty>Only the community's members see its badges.</Empty>}
            >
              <search>
                <form class="filters" onSubmit={(event) => event.preventDefault()}>
                  <div class="field inline">
                    <label for="badge-kind-filter">Kind</label>
                    <select
                      id="badge-kind-filter"
                      value={kind()}
                      onChange={(event) =>
                        setSearch({ kind: event.currentTarget.value || undefined })
                      }
                    >
                      <option value="">All kinds</option>
                      <For each={Object.entries(KIND_LABELS)}>
                        {([value, label]) => <option value={value}>{label}</option>}
                      </For>
                    </select>
                  </div>
                  <div class="field inline">
                    <label for="badge-standard-filter">ISTE Standard</label>
                    <select
                      id="badge-standard-filter"
                      value={standard()}
                      onChange={(event) =>
                        setSearch({ standard: event.currentTarget.value || undefined })
                      }
                    >
                      <option value="">All standards</option>
                      <For each={ISTE_STANDARDS}>
                        {(value) => <option value={value}>{STANDARD_LABELS[value]}</option>}
                      </For>
                    </select>
                  </div>
                </form>
              </search>
              <p class="meta" aria-live="polite" data-testid="badge-count">
                {total() === filteredBadges().length
                  ? pluralize(total(), 'badge')
                  : `${pluralize(filteredBadges().length, 'badge')} of ${total()} shown`}
              </p>
              <Show
                when={filteredBadges().length > 0}
                fallback={
                  <Empty>
                    {total() === 0
                      ? 'This community has no badges yet.'
                      : 'No badge matches these filters.'}
                  </Empty>
                }
              >
                <ul class="badge-list">
                  <For each={filteredBadges()}>{(badge) => <BadgeItem badge={badge} />}</For>
                </ul>
              </Show>
            </Show>
          </section>
        )}
      </Match>
    </Switch>
  );
}
