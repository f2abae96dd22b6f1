import { createSignal } from 'solid-js';
import { client, restartSocket, runMutation } from './graphql.ts';
import { mutationDocument, VIEWER_QUERY } from './operations.ts';

export interface Viewer {
  id: string;
  displayName: string;
  email: string | null;
}

const [viewer, setViewer] = createSignal<Viewer | null>(null);
const [unreadCount, setUnreadCount] = createSignal(0);
const [viewerLoaded, setViewerLoaded] = createSignal(false);

export { setUnreadCount, unreadCount, viewer, viewerLoaded };

/** Reloads who is signed in and their unread count. */
export async function refreshViewer(): Promise<void> {
  const result = await client.query(VIEWER_QUERY, {}).toPromise();
  if (!result.error) {
    setViewer(result.data?.viewer ?? null);
    setUnreadCount(result.data?.unreadNotificationCount ?? 0);
  }
  setViewerLoaded(true);
}

const AUTH_SELECTION = 'user { id displayName email }';

export async function signIn(email: string, password: string) {
  const outcome = await runMutation<{ user: Viewer }>(
    mutationDocument('signIn', 'SignInInput', AUTH_SELECTION),
    'signIn',
    { email, password, session: 'COOKIE' },
  );
  if (outcome.data) {
    restartSocket();
    await refreshViewer();
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
    restartSocket();
    await refreshViewer();
  }
  return outcome;
}

export async function signOut(): Promise<void> {
  await client.mutation('mutation SignOut { signOut }', {}).toPromise();
  setViewer(null);
  setUnreadCount(0);
  restartSocket();
}
