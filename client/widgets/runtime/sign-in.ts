import { type Accessor, createSignal } from 'solid-js';

/**
 * How a sign-in ended. `no-answer`: the popup closed, or looked closed, without a message, which
 * a portal page sent with Cross-Origin-Opener-Policy: same-origin causes, because the popup then
 * has no `window.opener` and the page sees it as closed.
 */
export type SignInResult = 'signed-in' | 'cancelled' | 'no-answer' | 'blocked';

/**
 * The sign-in state of one embed key on this page, shared by every widget that uses the key.
 * The widget token lives in memory only: a reload signs the person out of the widgets.
 */
export interface WidgetSignIn {
  token: Accessor<string | null>;
  /** The signed-in person's display name, as the popup reported it. */
  viewerName: Accessor<string | null>;
  /** Whether the sign-in popup is open. */
  pending: Accessor<boolean>;
  /** Opens the sign-in popup; call it from a click handler, or the browser blocks the popup. */
  signIn(): Promise<SignInResult>;
  /** Forgets the token, as Sign out does and as a rejected token requires. */
  signOut(): void;
}

/** How long a sign-in popup may stay open before the widget stops waiting for it. */
const SIGN_IN_TIMEOUT_MS = 15 * 60_000;
const POPUP_POLL_MS = 500;

const signIns = new Map<string, WidgetSignIn>();

/** Returns the sign-in state of `key` on the Staffroom server at `base`, creating it once. */
export function getSignIn(base: string, key: string): WidgetSignIn {
  const id = `${base} ${key}`;
  let signIn = signIns.get(id);
  if (!signIn) {
    signIn = createWidgetSignIn(base, key);
    signIns.set(id, signIn);
  }
  return signIn;
}

/** Returns 18 random bytes in base64url: the nonce that ties the popup's message to its request. */
function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

interface TokenMessage {
  type?: unknown;
  nonce?: unknown;
  token?: unknown;
  expiresAt?: unknown;
  displayName?: unknown;
}

function createWidgetSignIn(base: string, key: string): WidgetSignIn {
  const staffroomOrigin = new URL(base).origin;
  const [token, setToken] = createSignal<string | null>(null);
  const [viewerName, setViewerName] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal(false);
  let waiting: Promise<SignInResult> | null = null;
  let popup: Window | null = null;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;

  const signOut = () => {
    clearTimeout(expiryTimer);
    setToken(null);
    setViewerName(null);
  };

  const accept = (message: TokenMessage) => {
    clearTimeout(expiryTimer);
    setViewerName(typeof message.displayName === 'string' ? message.displayName : null);
    setToken(message.token as string);
    const expiresAt = typeof message.expiresAt === 'string' ? Date.parse(message.expiresAt) : NaN;
    if (Number.isFinite(expiresAt)) {
      // setTimeout fires at once for delays past 2^31 - 1 ms, so longer ones are capped.
      expiryTimer = setTimeout(signOut, Math.min(expiresAt - Date.now(), 2 ** 31 - 1));
    }
  };

  const waitForAnswer = (nonce: string, opened: Window) =>
    new Promise<SignInResult>((resolve) => {
      const startedAt = Date.now();
      let closedSeen = false;
      const finish = (result: SignInResult) => {
        removeEventListener('message', onMessage);
        clearInterval(poll);
        setPending(false);
        waiting = null;
        popup = null;
        resolve(result);
      };
      const onMessage = (event: MessageEvent) => {
        const message = event.data as TokenMessage | null;
        if (event.origin !== staffroomOrigin || message?.nonce !== nonce) {
          return;
        }
        if (message.type === 'staffroom:widget-token' && typeof message.token === 'string') {
          accept(message);
          finish('signed-in');
        } else if (message.type === 'staffroom:widget-sign-in-cancelled') {
          finish('cancelled');
        }
      };
      // The popup posts its message and then closes, so a closed popup counts as cancelled only
      // on the poll after the one that saw it closed, once a message in flight has arrived.
      const poll = setInterval(() => {
        if (closedSeen) {
          finish('no-answer');
        } else if (Date.now() - startedAt > SIGN_IN_TIMEOUT_MS) {
          finish('cancelled');
        }
        closedSeen = opened.closed;
      }, POPUP_POLL_MS);
      addEventListener('message', onMessage);
    });

  const signIn = (): Promise<SignInResult> => {
    if (waiting) {
      popup?.focus();
      return waiting;
    }
    const nonce = createNonce();
    const url =
      `${base}/embed/sign-in?key=${encodeURIComponent(key)}` +
      `&origin=${encodeURIComponent(location.origin)}&nonce=${nonce}`;
    popup = window.open(url, 'staffroom-sign-in', 'popup,width=480,height=640');
    if (!popup) {
      return Promise.resolve('blocked');
    }
    setPending(true);
    waiting = waitForAnswer(nonce, popup);
    return waiting;
  };

  return { token, viewerName, pending, signIn, signOut };
}
