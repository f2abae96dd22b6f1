import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { NewBadgeForm, NewThreadForm, ScheduleForm } from '../components/community-forms.tsx';
import { LiveRegion } from '../components/live-region.tsx';
import { Empty, ErrorState, errorMessage, Loading } from '../components/status.tsx';
import { createGraphQLQuery, createGraphQLSubscription, runMutation } from '../lib/graphql.ts';
import { FOCUS_LABELS, mutationDocument, VISIBILITY_LABELS } from '../lib/operations.ts';
import { viewer } from '../lib/session.ts';
import { describeSchedule, formatRelative } from '../lib/time.ts';

const SESSION = 'id title startsAt endsAt timeZone status rsvpCount host { displayName }';
const COMMUNITY = `query Community($slug: String!) { community(slug: $slug) {
  id slug name descriptionHtml focus visibility memberCount threadCount
  viewerCanPost viewerCanModerate viewerCanJoin viewerMembership { role }
  threads(first: 30) { nodes { id title kind pinned locked replyCount lastActivityAt author { displayName } } }
  upcomingLiveSessions(first: 10) { nodes { ${SESSION} } }
  pastLiveSessions(first: 10) { nodes { ${SESSION} } }
  badges(first: 30) { nodes { id name holderCount isteStandards { code name } } }
  members(first: 50) { nodes { id role user { id displayName school { name } } } } } }`;

interface Session {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  status: string;
  rsvpCount: number;
  host: { displayName: string } | null;
}

interface CommunityData {
  community: {
    id: string;
    slug: string;
    name: string;
    descriptionHtml: string;
    focus: string;
    visibility: string;
    memberCount: number;
    threadCount: number;
    viewerCanPost: boolean;
    viewerCanModerate: boolean;
    viewerCanJoin: boolean;
    viewerMembership: { role: string } | null;
    threads: {
      nodes: {
        id: string;
        title: string;
        kind: string;
        pinned: boolean;
        locked: boolean;
        replyCount: number;
        lastActivityAt: string;
        author: { displayName: string } | null;
      }[];
    };
    upcomingLiveSessions: { nodes: Session[] };
    pastLiveSessions: { nodes: Session[] };
    badges: {
      nodes: {
        id: string;
        name: string;
        holderCount: number;
        isteStandards: { code: string; name: string }[];
      }[];
    };
    members: {
      nodes: {
        id: string;
        role: string;
        user: { id: string; displayName: string; school: { name: string } | null };
      }[];
    };
  } | null;
}

function SessionList(props: { sessions: Session[]; empty: string }) {
  return (
    <Show when={props.sessions.length > 0} fallback={<Empty>{props.empty}</Empty>}>
      <ul class="rows">
        <For each={props.sessions}>
          {(session) => (
            <li>
              <A href={`/s/${encodeURIComponent(session.id)}`}>{session.title}</A>
              <Show when={session.status === 'LIVE'}>
                <span class="tag live">Live now</span>
              </Show>
              <Show when={session.status === 'CANCELLED'}>
                <span class="tag subtle">Cancelled</span>
              </Show>
              <p class="meta">
                {describeSchedule(session.startsAt, session.endsAt, session.timeZone)} · hosted by{' '}
                {session.host?.displayName ?? 'a former member'} · {session.rsvpCount} going
              </p>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

export default function CommunityPage() {
  const params = useParams();
  const page = createGraphQLQuery<CommunityData, { slug: string; viewerId: string | null }>(
    COMMUNITY,
    () => ({
      slug: params.slug ?? '',
      viewerId: viewer()?.id ?? null,
    }),
  );
  const [announcement, setAnnouncement] = createSignal('');
  const [membershipError, setMembershipError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const community = () => page.data.latest?.community;

  createGraphQLSubscription<
    {
      communityActivity: {
        type: string;
        thread: { title: string } | null;
        liveSession: { title: string } | null;
      };
    },
    { id: string }
  >(
    'subscription CommunityActivity($id: ID!) { communityActivity(communityId: $id) { eventId type thread { title } liveSession { title } } }',
    () => {
      const current = community();
      return current ? { id: current.id } : false;
    },
    (data) => {
      const event = data.communityActivity;
      const what = event.thread
        ? `New thread: ${event.thread.title}`
        : event.liveSession
          ? `New live session: ${event.liveSession.title}`
          : 'A badge was awarded';
      setAnnouncement(what);
      page.refetch();
    },
  );

  const toggleMembership = async (join: boolean) => {
    const current = community();
    if (!current) {
      return;
    }
    setBusy(true);
    setMembershipError('');
    const field = join ? 'joinCommunity' : 'leaveCommunity';
    const outcome = await runMutation(
      mutationDocument(field, 'CommunityIdInput', join ? 'id' : 'community { id }'),
      field,
      { communityId: current.id },
    );
    setBusy(false);
    if (outcome.message) {
      setMembershipError(outcome.message);
    }
    page.refetch();
  };

  return (
    <Switch>
      <Match when={page.data.error}>
        <ErrorState message={errorMessage(page.data.error)} onRetry={page.refetch} />
      </Match>
      <Match when={page.data.loading && !page.data.latest}>
        <Loading label="Loading the community…" />
      </Match>
      <Match when={page.data.latest && !community()}>
        <section>
          <h1>Community not found</h1>
          <p>It does not exist, or it is private and you are not a member.</p>
        </section>
      </Match>
      <Match when={community()}>
        {(current) => (
          <article class="community">
            <LiveRegion message={announcement()} />
            <header class="page-header">
              <p class="meta">
                <span class="tag">{FOCUS_LABELS[current().focus]}</span>
                <span class="tag subtle">{VISIBILITY_LABELS[current().visibility]}</span>
                {current().memberCount} members · {current().threadCount} threads
              </p>
              <h1>{current().name}</h1>
              <div class="prose" innerHTML={current().descriptionHtml} />
              <div class="actions">
                <Show when={current().viewerCanJoin}>
                  <button type="button" disabled={busy()} onClick={() => toggleMembership(true)}>
                    Join community
                  </button>
                </Show>
                <Show when={current().viewerMembership}>
                  {(membership) => (
                    <>
                      <span class="meta">
                        You are{' '}
                        {membership().role === 'MEMBER'
                          ? 'a member'
                          : `the ${membership().role.toLowerCase()}`}
                        .
                      </span>
                      <button
                        type="button"
                        class="secondary"
                        disabled={busy()}
                        onClick={() => toggleMembership(false)}
                      >
                        Leave
                      </button>
                    </>
                  )}
                </Show>
                <Show when={!viewer()}>
                  <A href={`/sign-in?next=/c/${current().slug}`}>Sign in to join</A>
                </Show>
              </div>
              <Show when={membershipError()}>
                <p class="form-error" role="alert">
                  {membershipError()}
                </p>
              </Show>
            </header>

            <div class="columns">
              <section aria-labelledby="threads-heading">
                <h2 id="threads-heading">Threads</h2>
                <Show when={current().viewerCanPost}>
                  <NewThreadForm
                    communityId={current().id}
                    canAnnounce={current().viewerCanModerate}
                  />
                </Show>
                <Show
                  when={current().threads.nodes.length > 0}
                  fallback={<Empty>No threads yet. Start the first one.</Empty>}
                >
                  <ul class="rows" data-testid="thread-list">
                    <For each={current().threads.nodes}>
                      {(thread) => (
                        <li>
                          <A href={`/t/${encodeURIComponent(thread.id)}`}>{thread.title}</A>
                          <Show when={thread.pinned}>
                            <span class="tag">Pinned</span>
                          </Show>
                          <Show when={thread.locked}>
                            <span class="tag subtle">Locked</span>
                          </Show>
                          <Show when={thread.kind !== 'DISCUSSION'}>
                            <span class="tag subtle">
                              {thread.kind === 'QUESTION' ? 'Question' : 'Announcement'}
                            </span>
                          </Show>
                          <p class="meta">
                            {thread.author?.displayName ?? 'Deleted user'} · {thread.replyCount}{' '}
                            replies · active {formatRelative(thread.lastActivityAt)}
                          </p>
                        </li>
                      )}
                    </For>
                  </ul>
                </Show>
              </section>

              <aside>
                <section aria-labelledby="sessions-heading">
                  <h2 id="sessions-heading">Upcoming live sessions</h2>
                  <SessionList
                    sessions={current().upcomingLiveSessions.nodes}
                    empty="Nothing scheduled."
                  />
                  <Show when={current().viewerCanPost}>
                    <ScheduleForm communityId={current().id} onScheduled={page.refetch} />
                  </Show>
                  <h2>Past live sessions</h2>
                  <SessionList
                    sessions={current().pastLiveSessions.nodes}
                    empty="No past sessions."
                  />
                </section>

                <section aria-labelledby="badges-heading">
                  <h2 id="badges-heading">Badges</h2>
                  <Show
                    when={current().badges.nodes.length > 0}
                    fallback={<Empty>No badges yet.</Empty>}
                  >
                    <ul class="rows">
                      <For each={current().badges.nodes}>
                        {(badge) => (
                          <li>
                            <A href={`/b/${encodeURIComponent(badge.id)}`}>{badge.name}</A>
                            <p class="meta">
                              ISTE{' '}
                              {badge.isteStandards
                                .map((standard) => `${standard.code} ${standard.name}`)
                                .join(', ')}{' '}
                              · {badge.holderCount} holders
                            </p>
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                  <Show when={current().viewerCanModerate}>
                    <NewBadgeForm communityId={current().id} onCreated={page.refetch} />
                  </Show>
                </section>

                <section aria-labelledby="members-heading">
                  <h2 id="members-heading">Members</h2>
                  <ul class="members">
                    <For each={current().members.nodes}>
                      {(membership) => (
                        <li>
                          {membership.user.displayName}
                          <Show when={membership.role !== 'MEMBER'}>
                            <span class="tag subtle">{membership.role.toLowerCase()}</span>
                          </Show>
                          <Show when={membership.user.school}>
                            <span class="meta"> · {membership.user.school?.name}</span>
                          </Show>
                        </li>
                      )}
                    </For>
                  </ul>
                </section>
              </aside>
            </div>
          </article>
        )}
      </Match>
    </Switch>
  );
}
