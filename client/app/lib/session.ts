import { createSignal } from 'solid-js';
import {
  client,
  describeError,
  type MutationOutcome,
  onSignInEnded,
  restartSocket,
  runMutation,
} from './graphql.ts';
import { mutationDocument, VIEWER_QUERY } from './operations.ts';

export interface Viewer {
  id: string;
  displayName: string;
  email: string | null;
  /** Absent on the result of signing in or up, until the viewer is reloaded. */
  district?: { slug: string; name: string; viewerIsAdmin: boolean } | null;
}

const [viewer, setViewer] = createSignal<Viewer | null>(null);
const [unreadCount, setUnreadCount] = createSignal(0);
const [viewerLoaded, setViewerLoaded] = createSignal(false);
/** True after the server ended this browser's sign-in, until the person signs in again. */
const [signInEnded, setSignInEnded] = createSignal(false);

export { setSignInEnded, setUnreadCount, signInEnded, unreadCount, viewer, viewerLoaded };

/** Set while this page ends its own sign-in, whose socket the server then closes with 4403. */
let endingOwnSignIn = false;

onSignInEnded(() => {
  if (viewer() && !endingOwnSignIn) {
    setSignInEnded(true);
  }
  void refreshViewer();
});

/** Reloads who is signed in and their unread count. A failed load keeps the last known viewer. */
export async function refreshViewer(): Promise<void> {
  const result = await client.query(VIEWER_QUERY, {}).toPromise();
  if (!result.error) {
    setViewer(result.data?.viewer ?? null);
    setUnreadCount(result.data?.unreadNotificationCount ?? 0);
  }
  setViewerLoaded(true);
}

/** Builds the sign-in address that returns to `path` afterwards. */
export function signInPath(path: string): string {
  return `/sign-in?next=${encodeURIComponent(path)}`;
}

/**
 * Returns the in-app path a `next` parameter names, or `/`. Only a path on this site is followed,
 * so a crafted link cannot send someone elsewhere after signing in.
 */
export function nextPath(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/';
  }
  return value;
}

const AUTH_SELECTION = 'user { id displayName email }';

/** Restarts the socket and reloads the viewer after the session cookie changed. */
async function afterSessionChange(): Promise<void> {
  setSignInEnded(false);
  restartSocket();
  await refreshViewer();
}

/**
 * Runs an action that ends this browser's sign-in (sign out everywhere, delete the account,
 * revoke the current sign-in), so that the socket closing shows no "sign-in has ended" banner.
 * Once `run` returns an outcome without an error message, the socket restarts signed out.
 */
export async function endOwnSignIn<Data>(
  run: () => Promise<MutationOutcome<Data>>,
): Promise<MutationOutcome<Data>> {
  endingOwnSignIn = true;
  try {
    const outcome = await run();
    if (!outcome.message) {
      await afterSessionChange();
    }
    return outcome;
  } finally {
    endingOwnSignIn = false;
  }
}

export async function signIn(email: string, password: string) {
  const outcome = await runMutation<{ user: Viewer }>(
    mutationDocument('signIn', 'SignInInput', AUTH_SELECTION),
    'signIn',
    { email, password, session: 'COOKIE' },
  );
  if (outcome.data) {
    await afterSessionChange();
  }
  return outcome;
}

export async function signUp(email: string, password: string, displayName: string) {
  const outcome = await runMutation<{ user: Viewer }>(
    mutationDocument('signUp', 'SignUpInput', AUTH_SELECTION),
    'signUp',
    { email, password, displayName, session: 'COOKIE' },
  );
  if (outcome.data) {
    await afterSessionChange();
  }
  return outcome;
}

/** Signs out and returns an error message when the server could not be reached. */
export async function signOut(): Promise<string | null> {
  const outcome = await endOwnSignIn(async () => {
    const result = await client.mutation('mutation SignOut { signOut }', {}).toPromise();
    return result.error ? { message: describeError(result.error) } : { data: true };
  });
  return outcome.message ?? null;
}
