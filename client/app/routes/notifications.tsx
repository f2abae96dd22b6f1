import { A } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { Empty, ErrorState, errorMessage, Loading } from '../components/status.tsx';
import { createGraphQLQuery, createGraphQLSubscription, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { setUnreadCount, viewer, viewerLoaded } from '../lib/session.ts';
import { formatRelative } from '../lib/time.ts';

const NOTIFICATIONS = `query Notifications { unreadNotificationCount notifications(first: 50) { nodes {
  id kind message read createdAt thread { id } badge { id } } } }`;

interface NotificationData {
  unreadNotificationCount: number;
  notifications: {
    nodes: {
      id: string;
      kind: string;
      message: string;
      read: boolean;
      createdAt: string;
      thread: { id: string } | null;
      badge: { id: string } | null;
    }[];
  };
}

export default function Notifications() {
  const page = createGraphQLQuery<NotificationData, { viewerId: string }>(NOTIFICATIONS, () => {
    const current = viewer();
    return current ? { viewerId: current.id } : false;
  });
  const [error, setError] = createSignal('');

  createGraphQLSubscription<unknown, Record<string, never>>(
    'subscription NotificationsPage { viewerNotifications { eventId } }',
    () => (viewer() ? {} : false),
    () => page.refetch(),
  );

  const markAllRead = async () => {
    setError('');
    const outcome = await runMutation<{ unreadCount: number }>(
      mutationDocument('markNotificationsRead', 'MarkNotificationsReadInput', 'unreadCount'),
      'markNotificationsRead',
      { all: true },
    );
    if (outcome.data) {
      setUnreadCount(outcome.data.unreadCount);
    } else {
      setError(outcome.message ?? 'Marking notifications read failed.');
    }
    page.refetch();
  };

  return (
    <section>
      <h1>Notifications</h1>
      <Switch>
        <Match when={viewerLoaded() && !viewer()}>
          <p>
            <A href="/sign-in?next=/notifications">Sign in</A> to see your notifications.
          </p>
        </Match>
        <Match when={page.data.error}>
          <ErrorState message={errorMessage(page.data.error)} onRetry={page.refetch} />
        </Match>
        <Match when={!page.data.latest}>
          <Loading label="Loading notifications…" />
        </Match>
        <Match when={page.data.latest}>
          {(data) => (
            <>
              <p class="meta">{data().unreadNotificationCount} unread</p>
              <Show when={data().unreadNotificationCount > 0}>
                <button type="button" onClick={markAllRead}>
                  Mark all as read
                </button>
              </Show>
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
                          when={notification.thread}
                          fallback={
                            <Show when={notification.badge} fallback={notification.message}>
                              {(badge) => (
                                <A href={`/b/${encodeURIComponent(badge().id)}`}>
                                  {notification.message}
                                </A>
                              )}
                            </Show>
                          }
                        >
                          {(thread) => (
                            <A href={`/t/${encodeURIComponent(thread().id)}`}>
                              {notification.message}
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
