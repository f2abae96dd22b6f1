import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { NewBadgeForm, NewThreadForm, ScheduleForm } from '../components/community-forms.tsx';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import {
  createEventCursor,
  createGraphQLQuery,
  createGraphQLSubscription,
  refetchOnReconnect,
  runMutation,
} from '../lib/graphql.ts';
import { FOCUS_LABELS, mutationDocument, VISIBILITY_LABELS } from '../lib/operations.ts';
import { pluralize } from '../lib/plural.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { describeSchedule, formatRelative } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const LIVE_SESSION_FIELDS =
  'id title startsAt endsAt timeZone status rsvpCount host { displayName }';
const COMMUNITY = `query Community($slug: String!) { community(slug: $slug) {
  id slug name descriptionHtml focus visibility memberCount threadCount eventCursor
  viewerCanPost viewerCanModerate viewerCanJoin viewerMembership { role }
  threads(first: 30) { nodes { id title kind pinned locked replyCount lastActivityAt author { displayName } } }
  upcomingLiveSessions(first: 10) { nodes { ${LIVE_SESSION_FIELDS} } }
  pastLiveSessions(first: 10) { nodes { ${LIVE_SESSION_FIELDS} } }
  badges(first: 30) { nodes { id name holderCount isteStandards { code name } } }
  members(first: 50) { nodes { id role user { id displayName school { name } } } } } }`;

interface LiveSessionSummary {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  status: string;
  rsvpCount: number;
  host: { displayName: string } | null;
}

const COMMUNITY_ACTIVITY = `subscription CommunityActivity($id: ID!, $after: String) {
  communityActivity(communityId: $id, after: $after) {
    eventId type thread { id title } liveSession { id title }
    badgeAward { badge { id name } recipient { displayName } } } }`;

interface CommunityActivityData {
  communityActivity: {
    eventId: string;
    type: string;
    thread: { id: string; title: string } | null;
    liveSession: { id: string; title: string } | null;
    badgeAward: { badge: { id: string; name: string }; recipient: { displayName: string } } | null;
  };
}

interface CommunityData {
  community: {
    id: string;
    slug: string;
    eventCursor: string;
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
    upcomingLiveSessions: { nodes: LiveSessionSummary[] };
    pastLiveSessions: { nodes: LiveSessionSummary[] };
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

function LiveSessionList(props: { liveSessions: LiveSessionSummary[]; empty: string }) {
  return (
    <Show when={props.liveSessions.length > 0} fallback={<Empty>{props.empty}</Empty>}>
      <ul class="rows">
        <For each={props.liveSessions}>
          {(liveSession) => (
            <li>
              <A href={`/s/${encodeURIComponent(liveSession.id)}`}>{liveSession.title}</A>
              <Show when={liveSession.status === 'LIVE'}>
                <span class="tag live">Live now</span>
              </Show>
              <Show when={liveSession.status === 'CANCELLED'}>
                <span class="tag subtle">Cancelled</span>
              </Show>
              <p class="meta">
                {describeSchedule(liveSession.startsAt, liveSession.endsAt, liveSession.timeZone)} ·
                hosted by {liveSession.host?.displayName ?? 'a former member'} ·{' '}
                {pluralize(liveSession.rsvpCount, 'person', 'people')} going
              </p>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

interface ActivityNotice {
  message: string;
  href?: string;
}

/** Describes a community activity event for the page's notice. */
function describeActivity(event: CommunityActivityData['communityActivity']): ActivityNotice {
  if (event.thread) {
    return {
      message: `New thread: ${event.thread.title}`,
      href: `/t/${encodeURIComponent(event.thread.id)}`,
    };
  }
  if (event.liveSession) {
    return {
      message: `New live session: ${event.liveSession.title}`,
      href: `/s/${encodeURIComponent(event.liveSession.id)}`,
    };
  }
  const award = event.badgeAward;
  return {
    message: award
      ? `${award.recipient.displayName} earned the badge ${award.badge.name}`
      : 'A badge was awarded',
    href: award ? `/b/${encodeURIComponent(award.badge.id)}` : undefined,
  };
}

export default function CommunityPage() {
  const params = useParams();
  // Waiting for the viewer avoids loading the page once signed out and again signed in.
  const page = createGraphQLQuery<CommunityData, { slug: string; viewerId: string | null }>(
    COMMUNITY,
    () => viewerLoaded() && { slug: params.slug ?? '', viewerId: viewer()?.id ?? null },
  );
  const [activity, setActivity] = createSignal<ActivityNotice | null>(null);
  const [membershipError, setMembershipError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const community = () => page.data()?.community;
  createDocumentTitle(() => community()?.name);

  const eventCursor = createEventCursor(
    () => community()?.id ?? '',
    () => community()?.eventCursor,
  );
  createGraphQLSubscription<CommunityActivityData, { id: string; after: string }>(
    COMMUNITY_ACTIVITY,
    () => {
      const current = community();
      const after = eventCursor();
      return current && after ? { id: current.id, after } : false;
    },
    (data) => {
      setActivity(describeActivity(data.communityActivity));
      page.refetch();
    },
  );

  refetchOnReconnect(page.refetch);

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
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the community…" />
      </Match>
      <Match when={!community()}>
        <section>
          <h1>Community not found</h1>
          <p>It does not exist, or it is private and you are not a member.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={community()}>
        {(current) => (
          <article class="community">
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <header class="page-header">
              <p class="meta">
                <span class="tag">{FOCUS_LABELS[current().focus]}</span>
                <span class="tag subtle">{VISIBILITY_LABELS[current().visibility]}</span>
                {pluralize(current().memberCount, 'member')} ·{' '}
                {pluralize(current().threadCount, 'thread')}
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
                  <A href={signInPath(`/c/${current().slug}`)}>Sign in to join</A>
                </Show>
              </div>
              <Show when={membershipError()}>
                <p class="form-error" role="alert">
                  {membershipError()}
                </p>
              </Show>
            </header>

            <div class="activity-region" aria-live="polite" data-testid="community-activity">
              <Show when={activity()}>
                {(notice) => (
                  <p class="activity-notice">
                    <span>{notice().message}</span>
                    <Show when={notice().href}>{(href) => <A href={href()}>View</A>}</Show>
                    <button type="button" class="link-button" onClick={() => setActivity(null)}>
                      Dismiss
                    </button>
                  </p>
                )}
              </Show>
            </div>

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
                            {thread.author?.displayName ?? 'Deleted user'} ·{' '}
                            {pluralize(thread.replyCount, 'reply', 'replies')} · active{' '}
                            {formatRelative(thread.lastActivityAt)}
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
                  <LiveSessionList
                    liveSessions={current().upcomingLiveSessions.nodes}
                    empty="Nothing scheduled."
                  />
                  <Show when={current().viewerCanPost}>
                    <ScheduleForm communityId={current().id} onScheduled={page.refetch} />
                  </Show>
                  <h2>Past live sessions</h2>
                  <LiveSessionList
                    liveSessions={current().pastLiveSessions.nodes}
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
                              · {pluralize(badge.holderCount, 'holder')}
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
