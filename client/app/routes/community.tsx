import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { NewThreadForm } from '../components/community-forms.tsx';
import { CommunitySidebar, type CommunitySidebarData } from '../components/community-sidebar.tsx';
import { FollowControl, type FollowState } from '../components/follow-control.tsx';
import { createRemovedThreads, REMOVAL_TYPES } from '../components/moderation/removed-threads.ts';
import { UnreadTag } from '../components/read-position.tsx';
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
import { formatRelative } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const LIVE_SESSION_FIELDS =
  'id title startsAt endsAt timeZone status rsvpCount host { displayName }';
const COMMUNITY = `query Community($slug: String!) { community(slug: $slug) {
  id slug name descriptionHtml focus visibility memberCount threadCount eventCursor
  viewerCanRead viewerCanRequestToJoin viewerRequestPending
  viewerCanPost viewerCanModerate viewerCanJoin viewerMembership { role } openReportCount
  viewerCanReviewReports
  viewerFollowState
  threads(first: 30) { nodes { id title kind pinned locked held removed replyCount lastActivityAt author { displayName }
    viewerUnreadCount } }
  upcomingLiveSessions(first: 10) { nodes { ${LIVE_SESSION_FIELDS} } }
  pastLiveSessions(first: 10) { nodes { ${LIVE_SESSION_FIELDS} } }
  badges(first: 30) { nodes { id name holderCount isteStandards { code name } } }
  members(first: 50) { nodes { id role user { id displayName school { name } } } } } }`;

const COMMUNITY_ACTIVITY = `subscription CommunityActivity($id: ID!, $after: String) {
  communityActivity(communityId: $id, after: $after) {
    eventId type threadId thread { id title } liveSession { id title }
    badgeAward { badge { id name } recipient { displayName } } } }`;

interface CommunityActivityData {
  communityActivity: {
    eventId: string;
    type: string;
    threadId: string | null;
    thread: { id: string; title: string } | null;
    liveSession: { id: string; title: string } | null;
    badgeAward: { badge: { id: string; name: string }; recipient: { displayName: string } } | null;
  };
}

interface CommunityData {
  community:
    | (CommunitySidebarData & {
        slug: string;
        /** Null, like the content fields, when the viewer may not read the community. */
        eventCursor: string | null;
        name: string;
        descriptionHtml: string;
        focus: string;
        visibility: string;
        memberCount: number;
        threadCount: number | null;
        viewerCanRead: boolean;
        viewerCanRequestToJoin: boolean;
        viewerRequestPending: boolean;
        viewerCanJoin: boolean;
        viewerMembership: { role: string } | null;
        openReportCount: number | null;
        viewerCanReviewReports: boolean;
        viewerFollowState: FollowState;
        threads: {
          nodes: {
            id: string;
            title: string;
            kind: string;
            pinned: boolean;
            held: boolean;
            removed: boolean;
            locked: boolean;
            replyCount: number;
            lastActivityAt: string;
            author: { displayName: string } | null;
            viewerUnreadCount: number;
          }[];
        } | null;
      })
    | null;
}

interface ActivityNotice {
  message: string;
  href?: string;
}

/** Describes a community activity event for the page's notice. */
function describeActivity(event: CommunityActivityData['communityActivity']): ActivityNotice {
  if (event.thread) {
    return {
      message:
        event.type === 'REPLY_POSTED'
          ? `New reply in: ${event.thread.title}`
          : `New thread: ${event.thread.title}`,
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
  const hiddenThreads = createRemovedThreads();
  const [membershipError, setMembershipError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const community = () => page.data()?.community;
  createDocumentTitle(() => community()?.name);

  const eventCursor = createEventCursor(
    () => community()?.id ?? '',
    () => community()?.eventCursor ?? undefined,
  );
  createGraphQLSubscription<CommunityActivityData, { id: string; after: string }>(
    COMMUNITY_ACTIVITY,
    () => {
      const current = community();
      const after = eventCursor();
      return current && after ? { id: current.id, after } : false;
    },
    (data) => {
      const event = data.communityActivity;
      if (REMOVAL_TYPES.has(event.type)) {
        hiddenThreads.apply(event, community()?.viewerCanModerate ?? false);
      } else {
        setActivity(describeActivity(event));
      }
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

  const requestToJoin = async () => {
    const current = community();
    if (!current) {
      return;
    }
    setBusy(true);
    setMembershipError('');
    const outcome = await runMutation(
      mutationDocument('requestToJoin', 'RequestToJoinInput', 'id'),
      'requestToJoin',
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
                {pluralize(current().memberCount, 'member')}
                <Show when={current().threadCount !== null}>
                  {' '}
                  · {pluralize(current().threadCount ?? 0, 'thread')}
                </Show>
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
                <Show when={current().viewerCanRequestToJoin && !current().viewerRequestPending}>
                  <button type="button" disabled={busy()} onClick={() => requestToJoin()}>
                    Ask to join
                  </button>
                </Show>
                <Show when={current().viewerRequestPending}>
                  <span class="tag subtle" data-testid="request-pending">
                    Request pending
                  </span>
                  <button
                    type="button"
                    class="secondary"
                    disabled={busy()}
                    onClick={() => toggleMembership(false)}
                  >
                    Withdraw request
                  </button>
                </Show>
                <Show when={current().viewerCanModerate || current().viewerCanReviewReports}>
                  <A href={`/c/${current().slug}/manage`} class="button-link secondary">
                    Manage
                    <Show when={current().openReportCount}>
                      {(count) => <> ({pluralize(count(), 'open report')})</>}
                    </Show>
                  </A>
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
              <Show when={viewer() && current().viewerCanRead}>
                <FollowControl
                  targetId={current().id}
                  kind="community"
                  state={current().viewerFollowState}
                  onChanged={page.refetch}
                />
              </Show>
            </header>

            <Show when={!current().viewerCanRead}>
              <section class="panel" aria-labelledby="private-heading">
                <h2 id="private-heading">Members only</h2>
                <p>
                  This community is private. Its threads, live sessions, badges and members are
                  visible to its members only.
                </p>
                <Show when={current().viewerRequestPending}>
                  <p>Its owners and facilitators will decide on your request to join.</p>
                </Show>
              </section>
            </Show>

            <Show when={current().viewerCanRead}>
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
                    when={(current().threads?.nodes.length ?? 0) > 0}
                    fallback={<Empty>No threads yet. Start the first one.</Empty>}
                  >
                    <ul class="rows" data-testid="thread-list">
                      <For each={hiddenThreads.visible(current().threads?.nodes ?? [])}>
                        {(thread) => (
                          <li>
                            <A href={`/t/${encodeURIComponent(thread.id)}`}>{thread.title}</A>
                            <UnreadTag count={thread.viewerUnreadCount} />
                            <Show when={thread.pinned}>
                              <span class="tag">Pinned</span>
                            </Show>
                            <Show when={thread.locked}>
                              <span class="tag subtle">Locked</span>
                            </Show>
                            <Show when={thread.held}>
                              <span class="tag subtle">Waiting for review</span>
                            </Show>
                            <Show when={thread.removed}>
                              <span class="tag bad">Removed</span>
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

                <CommunitySidebar community={current()} onChanged={page.refetch} />
              </div>
            </Show>
          </article>
        )}
      </Match>
    </Switch>
  );
}
