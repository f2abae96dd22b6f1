import { A, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createSignal, type JSX, on, onMount, Show, Suspense } from 'solid-js';
import { connectionState, createGraphQLSubscription, refetchOnReconnect } from '../lib/graphql.ts';
import {
  refreshViewer,
  setSignInEnded,
  setUnreadCount,
  signInEnded,
  signInPath,
  signOut,
  unreadCount,
  viewer,
} from '../lib/session.ts';
import { HeaderSearch } from './header-search.tsx';
import { ReviewQueueLink } from './review-queue-link.tsx';
import { Loading } from './status.tsx';

function ConnectionBanner() {
  return (
    <div
      class="connection"
      data-testid="connection-status"
      data-state={connectionState()}
      role="status"
    >
      <Show when={connectionState() === 'reconnecting'}>
        <p class="banner">Reconnecting… Live updates will resume on their own.</p>
      </Show>
    </div>
  );
}

/** Tells the person that the server ended their sign-in, and offers to sign in again. */
function SignInEndedBanner() {
  const location = useLocation();
  return (
    <Show when={signInEnded()}>
      <div class="banner signed-out" role="alert" data-testid="sign-in-ended">
        <span>Your sign-in has ended.</span>{' '}
        <A href={signInPath(`${location.pathname}${location.search}`)}>Sign in again</A>
        <button type="button" class="link-button" onClick={() => setSignInEnded(false)}>
          Dismiss
        </button>
      </div>
    </Show>
  );
}

/** Keeps the header's unread count current while someone is signed in. */
function NotificationFeed() {
  createGraphQLSubscription<
    { viewerNotifications: { unreadCount: number } },
    Record<string, never>
  >(
    'subscription ViewerNotifications { viewerNotifications { eventId unreadCount } }',
    () => ({}),
    (data) => setUnreadCount(data.viewerNotifications.unreadCount),
  );
  return null;
}

function AccountMenu() {
  const navigate = useNavigate();
  const [signOutError, setSignOutError] = createSignal('');

  return (
    <div class="account">
      <Show
        when={viewer()}
        fallback={
          <>
            <A href="/sign-in">Sign in</A>
            <A href="/sign-up" class="button-link">
              Sign up
            </A>
          </>
        }
      >
        {(current) => (
          <>
            <A
              href={`/u/${encodeURIComponent(current().id)}`}
              data-testid="viewer-name"
              title="Your profile"
            >
              {current().displayName}
            </A>
            <Show when={current().district?.viewerIsAdmin && current().district}>
              {(district) => (
                <A href={`/districts/${encodeURIComponent(district().slug)}/admin`}>
                  District admin
                </A>
              )}
            </Show>
            <A href="/settings">Settings</A>
            <button
              type="button"
              class="link-button"
              onClick={async () => {
                setSignOutError('');
                const error = await signOut();
                if (error) {
                  setSignOutError(`Signing out failed. ${error}`);
                } else {
                  navigate('/');
                }
              }}
            >
              Sign out
            </button>
          </>
        )}
      </Show>
      <Show when={signOutError()}>
        <p class="form-error" role="alert">
          {signOutError()}
        </p>
      </Show>
    </div>
  );
}

export function Layout(props: { children?: JSX.Element }) {
  const location = useLocation();
  // The widget sign-in window serves another site's page, so it has no links away from its task.
  const isWidgetSignIn = () => location.pathname === '/embed/sign-in';
  onMount(() => void refreshViewer());
  // Notifications may have arrived while the socket was down.
  refetchOnReconnect(() => void refreshViewer());
  // After a client-side navigation, keyboard and screen reader users start at the new content.
  createEffect(
    on(
      () => location.pathname,
      () => document.getElementById('main')?.focus({ preventScroll: false }),
      { defer: true },
    ),
  );

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <header class="site-header">
        <Show when={!isWidgetSignIn()} fallback={<span class="brand">Staffroom</span>}>
          <A href="/" class="brand">
            Staffroom
          </A>
          <nav aria-label="Main">
            <A href="/" end>
              Communities
            </A>
            <A href="/live-sessions">Live sessions</A>
            <Show when={viewer()}>
              <A href="/notifications">
                Notifications
                <Show when={unreadCount() > 0}>
                  <span class="count" data-testid="unread-count">
                    {unreadCount()}
                    <span class="visually-hidden"> unread</span>
                  </span>
                </Show>
              </A>
            </Show>
            <ReviewQueueLink />
          </nav>
          <HeaderSearch />
          <AccountMenu />
        </Show>
      </header>
      <ConnectionBanner />
      <SignInEndedBanner />
      <Show when={viewer()?.id} keyed>
        <NotificationFeed />
      </Show>
      <main id="main" tabindex="-1">
        <Suspense fallback={<Loading />}>{props.children}</Suspense>
      </main>
    </>
  );
}
