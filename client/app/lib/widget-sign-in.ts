/** The request a widget sends in the address of the sign-in window. */
export interface WidgetSignInRequest {
  key: string;
  /** The serialized origin of the page that shows the widget, such as https://portal.example.org. */
  origin: string;
  /** The widget's random value, sent back with the result so that it can match the reply. */
  nonce: string;
}

/** Minutes a widget token stays valid, as the server issues it. */
export const WIDGET_TOKEN_MINUTES = 60;

const EMBED_KEY_PATTERN = /^ek_[A-Za-z0-9_-]{8,200}$/;
// 16 random bytes make 22 base64url characters.
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22,256}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function single(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Returns whether `value` is a serialized web origin, such as https://portal.example.org:8443,
 * with no path, query or credentials. Plain http is accepted only for loopback hosts and for
 * Staffroom's own origin, like the origins an embed key may list.
 */
export function isWidgetOrigin(value: string, ownOrigin: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.origin !== value) {
    return false;
  }
  if (url.protocol === 'https:') {
    return true;
  }
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || value === ownOrigin);
}

/**
 * Checks the query parameters of the sign-in window. Returns the request, or a message that names
 * which parameter is missing or invalid; nothing may be posted to the opener in that case.
 */
export function parseWidgetSignInRequest(
  params: Record<string, string | string[] | undefined>,
  ownOrigin: string,
): { request: WidgetSignInRequest } | { problem: string } {
  const key = single(params.key);
  const origin = single(params.origin);
  const nonce = single(params.nonce);
  const retry = "Close this window and use the widget's Sign in button again.";

  if (!origin) {
    return { problem: `This sign-in link does not name the site that asked. ${retry}` };
  }
  if (!isWidgetOrigin(origin, ownOrigin)) {
    return {
      problem: `This sign-in link names an invalid site, “${origin}”: expected an origin such as https://portal.example.org. ${retry}`,
    };
  }
  if (!key) {
    return { problem: `This sign-in link has no embed key. ${retry}` };
  }
  if (!EMBED_KEY_PATTERN.test(key)) {
    return { problem: `This sign-in link has an invalid embed key, “${key}”. ${retry}` };
  }
  if (!nonce) {
    return { problem: `This sign-in link has no nonce. ${retry}` };
  }
  if (!NONCE_PATTERN.test(nonce)) {
    return {
      problem: `This sign-in link has an invalid nonce: expected at least 22 base64url characters. ${retry}`,
    };
  }
  return { request: { key, origin, nonce } };
}

export interface WidgetTokenMessage {
  type: 'staffroom:widget-token';
  nonce: string;
  token: string;
  expiresAt: string;
  displayName: string;
}

export interface WidgetSignInCancelledMessage {
  type: 'staffroom:widget-sign-in-cancelled';
  nonce: string;
}

/** Returns the window that opened this one, or null when there is none or it has closed. */
export function openerWindow(): Window | null {
  const opener = window.opener as Window | null;
  return opener && !opener.closed ? opener : null;
}

/**
 * Posts a message to the window that opened this one. The browser delivers it only when that
 * window's page still has `origin`, so a token never reaches another site.
 */
export function postToOpener(
  origin: string,
  message: WidgetTokenMessage | WidgetSignInCancelledMessage,
): boolean {
  const opener = openerWindow();
  if (!opener) {
    return false;
  }
  opener.postMessage(message, origin);
  return true;
}
