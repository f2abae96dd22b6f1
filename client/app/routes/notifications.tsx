import { A } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import {
  createGraphQLQuery,
  createGraphQLSubscription,
  refetchOnReconnect,
  runMutation,
} from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { ownAwardsPath } from '../lib/profile.ts';
import { setUnreadCount, signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { formatRelative, localizeInstants } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const NOTIFICATIONS = `query Notifications { unreadNotificationCount notifications(first: 50) { nodes {
  id kind message read createdAt thread { id } badge { id } badgeAward { id } liveSession { id }
  submission { id } } } }`;

interface Notification {
  id: string;
  kind: string;
  message: string;
  read: boolean;
  createdAt: string;
  thread: { id: string } | null;
  badge: { id: string } | null;
  /** The award it is about, when the viewer may still read it. */
  badgeAward: { id: string } | null;
  liveSession: { id: string } | null;
  submission: { id: string } | null;
}

interface NotificationData {
  unreadNotificationCount: number;
  notifications: { nodes: Notification[] };
}

/** Returns the page a notification points to, if any. */
function notificationHref(notification: Notification): string | undefined {
  if (notification.thread) {
    return `/t/${encodeURIComponent(notification.thread.id)}`;
  }
  if (notification.liveSession) {
    return `/s/${encodeURIComponent(notification.liveSession.id)}`;
  }
  // Reviewers go to the evidence. The educator reads the decision and history on the badge page.
  if (notification.kind === 'EVIDENCE_SUBMITTED' && notification.submission) {
    return `/reviews/${encodeURIComponent(notification.submission.id)}`;
  }
  // An award's notification opens the badge at the viewer's awards: its state and any reason.
  if (notification.badge && notification.badgeAward) {
    return ownAwardsPath(notification.badge.id);
  }
  if (notification.badge) {
    return `/b/${encodeURIComponent(notification.badge.id)}`;
  }
  return undefined;
}

async function markRead(input: { all: true } | { notificationIds: string[] }) {
  const outcome = await runMutation<{ unreadCount: number }>(
    mutationDocument('markNotificationsRead', 'MarkNotificationsReadInput', 'unreadCount'),
    'markNotificationsRead',
    input,
  );
  if (outcome.data) {
    setUnreadCount(outcome.data.unreadCount);
  }
  return outcome;
}

export default function Notifications() {
  const page = createGraphQLQuery<NotificationData, { viewerId: string }>(NOTIFICATIONS, () => {
    const current = viewer();
    return current ? { viewerId: current.id } : false;
  });
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  createDocumentTitle(() => 'Notifications');

  createGraphQLSubscription<unknown, Record<string, never>>(
    'subscription NotificationsPage { viewerNotifications { eventId } }',
    () => (viewer() ? {} : false),
    () => page.refetch(),
  );

  refetchOnReconnect(page.refetch);

  const markAllRead = async () => {
    setBusy(true);
    setError('');
    const outcome = await markRead({ all: true });
    setBusy(false);
    if (!outcome.data) {
      setError(outcome.message ?? 'Marking notifications read failed. Try again.');
    }
    page.refetch();
  };

  return (
    <section>
      <h1>Notifications</h1>
      <Switch>
        <Match when={viewerLoaded() && !viewer()}>
          <p>
            <A href={signInPath('/notifications')}>Sign in</A> to see your notifications.
          </p>
        </Match>
        <Match when={!page.data() && page.error()}>
          {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
        </Match>
        <Match when={!page.data()}>
          <Loading label="Loading notifications…" />
        </Match>
        <Match when={page.data()}>
          {(data) => (
            <>
              <RefreshError message={page.error()} onRetry={page.refetch} />
              <div class="actions">
                <p class="meta">{data().unreadNotificationCount} unread</p>
                <Show when={data().unreadNotificationCount > 0}>
                  <button type="button" disabled={busy()} onClick={markAllRead}>
                    {busy() ? 'Marking…' : 'Mark all as read'}
                  </button>
                </Show>
              </div>
              <Show when={error()}>
                <p class="form-error" role="alert">
                  {error()}
                </p>
              </Show>
              <Show
                when={data().notifications.nodes.length > 0}
                fallback={
                  <Empty>Nothing yet. Replies to your posts and badges you earn appear here.</Empty>
                }
              >
                <ul class="rows notifications">
                  <For each={data().notifications.nodes}>
                    {(notification) => (
                      <li classList={{ unread: !notification.read }}>
                        <Show when={!notification.read}>
                          <span class="visually-hidden">Unread: </span>
                        </Show>
                        <Show
                          when={notificationHref(notification)}
                          fallback={localizeInstants(notification.message)}
                        >
                          {(href) => (
                            <A
                              href={href()}
                              onClick={() => {
                                if (!notification.read) {
                                  void markRead({ notificationIds: [notification.id] });
                                }
                              }}
                            >
                              {localizeInstants(notification.message)}
                            </A>
                          )}
                        </Show>
                        <span class="meta"> · {formatRelative(notification.createdAt)}</span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
