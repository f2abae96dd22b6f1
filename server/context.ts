import type { Database } from '../drizzle/db.ts';
import type { GraphQLContext } from '../schema/index.ts';
import type { EmbedScope } from './auth/access.ts';
import { type AccessBatcher, ViewerAccess } from './auth/viewer-access.ts';
import { type Logger, lazyChild } from './log.ts';
import type { EventBus, EventNotice } from './pubsub/event-bus.ts';
import type { EventHub } from './pubsub/event-hub.ts';
import { type Authenticated, authenticate } from './services/account.ts';
import type { ContentLimits } from './services/content-limits.ts';

export const SESSION_COOKIE = 'staffroom_session';

export interface ContextDeps {
  db: Database;
  bus: EventBus;
  hub: EventHub;
  accessBatcher: AccessBatcher;
  log: Logger;
  /** Origins allowed to use the session cookie: PUBLIC_URL's, CORS_ORIGINS and the server's own. */
  trustedOrigins: Set<string>;
  /** Proxies to trust in front of the server; see clientAddressOf. */
  trustProxy: number;
  /** The address users open, for links in mail. */
  publicUrl: string;
  /** Milliseconds after its last heartbeat that a person in a live session room counts as gone. */
  presenceTimeoutMs: number;
  /** Analytics figures computed over fewer distinct people than this are suppressed. */
  analyticsMinGroupSize: number;
  /** Flood limits and link holds of new threads, posts and chat messages; defaults when unset. */
  contentLimits?: ContentLimits;
}

export interface RequestInfo {
  clientAddress: string;
  userAgent: string | null;
}

export interface Credentials {
  /** From `Authorization: Bearer …` or the WebSocket `connection_init` payload. */
  bearer: string | null;
  /** The session cookie, only when the request came from a trusted origin. */
  cookie: string | null;
  /**
   * For a request to the embed endpoint: the key's scope and the page origin (null when the
   * request sent no Origin header). There only widget sign-ins made for this key and origin
   * are accepted, and never the cookie.
   */
  embed?: { scope: EmbedScope; origin: string | null };
}

export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

/**
 * Builds the resolver context for one request or socket. A bearer token that is unknown,
 * expired or revoked is an AuthenticationError (HTTP 401, WebSocket 4403). A stale cookie only
 * signs the request out, so an old browser tab keeps working as a signed-out visitor.
 */
export async function createContext(
  deps: ContextDeps,
  credentials: Credentials,
  setCookie: (token: string | null, expiresAt?: Date) => void,
  log: Logger,
  request: RequestInfo,
): Promise<GraphQLContext> {
  let viewer: GraphQLContext['viewer'] = null;
  let authToken: string | null = null;
  let authSessionId: number | null = null;
  let authExpiresAt: Date | null = null;
  if (credentials.bearer) {
    const authenticated = await authenticate(deps.db, credentials.bearer);
    if (!authenticated) {
      log.warn('Rejected an unknown, expired or revoked bearer token');
      throw new AuthenticationError(
        'The bearer token is unknown, expired or revoked; sign in again.',
      );
    }
    const problem = widgetBindingProblem(authenticated, credentials.embed);
    if (problem) {
      log.warn({ authSessionId: authenticated.authSessionId }, problem);
      throw new AuthenticationError(problem);
    }
    viewer = authenticated.viewer;
    authToken = credentials.bearer;
    authSessionId = authenticated.authSessionId;
    authExpiresAt = authenticated.expiresAt;
  } else if (credentials.cookie && !credentials.embed) {
    const authenticated = await authenticate(deps.db, credentials.cookie);
    if (authenticated) {
      viewer = authenticated.viewer;
      authToken = credentials.cookie;
      authSessionId = authenticated.authSessionId;
      authExpiresAt = authenticated.expiresAt;
    } else {
      setCookie(null);
    }
  }

  const requestLog = viewer ? lazyChild(log, { viewerId: viewer.id }) : log;
  return {
    db: deps.db,
    viewer,
    access: new ViewerAccess(deps.accessBatcher, viewer, credentials.embed?.scope ?? null),
    log: requestLog,
    events: deps.hub,
    authToken,
    authSessionId,
    authExpiresAt,
    clientAddress: request.clientAddress,
    userAgent: request.userAgent,
    publicUrl: deps.publicUrl,
    presenceTimeoutMs: deps.presenceTimeoutMs,
    analyticsMinGroupSize: deps.analyticsMinGroupSize,
    contentLimits: deps.contentLimits,
    setSessionCookie: setCookie,
    isOwnOrigin: (origin: string) => deps.trustedOrigins.has(origin),
    publish: (notices: EventNotice[]) => publishNotices(deps, requestLog, notices),
  };
}

/**
 * Checks that a token is used where it belongs: a widget sign-in only on the embed endpoint,
 * with its own key and from its own origin, and nothing but a widget sign-in there.
 */
function widgetBindingProblem(
  authenticated: Authenticated,
  embed: Credentials['embed'],
): string | null {
  if (!embed) {
    return authenticated.widget
      ? 'A widget sign-in works only in the widget it was made for; sign in to Staffroom itself.'
      : null;
  }
  if (!authenticated.widget) {
    return 'Widgets accept only a widget sign-in; an API token or session cannot be used here.';
  }
  if (
    authenticated.widget.embedKeyId !== embed.scope.embedKeyId ||
    authenticated.widget.origin !== embed.origin
  ) {
    return 'This widget sign-in was made for another site or embed key; sign in from this widget again.';
  }
  return null;
}

/**
 * Announces committed events: the local hub is woken at once, and other processes hear through
 * the bus. Losing a bus message only delays delivery, because subscribers read the events table.
 */
export function publishNotices(
  deps: Pick<ContextDeps, 'hub' | 'bus'>,
  log: Logger,
  notices: EventNotice[],
): void {
  for (const notice of notices) {
    // Signals reach this process's subscribers through the bus as well, like every other
    // process's, so waking the hub here would deliver them twice.
    if (!notice.signal) {
      deps.hub.wake(notice.topic);
    }
    // The Redis bus publishes asynchronously, so a failure can come as a rejected promise.
    Promise.resolve()
      .then(() => deps.bus.publish(notice))
      .catch((error: unknown) => {
        log.error(
          { err: error, eventId: notice.id, topic: notice.topic },
          'Publishing an event failed',
        );
      });
  }
}

/**
 * Finds the client's address: the socket's, or with `trustProxy` proxies in front, the entry that
 * many places from the right of X-Forwarded-For, since entries further left are the client's
 * own claims.
 */
export function clientAddressOf(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: number,
): string {
  const direct = socketAddress ?? 'unknown';
  if (trustProxy === 0 || !forwardedFor) {
    return direct;
  }
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return hops[hops.length - trustProxy] ?? hops[0] ?? direct;
}

/** Reads the bearer token from an Authorization header value. */
export function parseBearer(header: string | null | undefined): string | null {
  if (!header) {
    return null;
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export function parseCookie(header: string | null | undefined, name: string): string | null {
  if (!header) {
    return null;
  }
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      return decodeURIComponent(rest.join('='));
    }
  }
  return null;
}

/**
 * Reports whether a cookie may authenticate a request with this Origin header. Browsers send
 * Origin on cross-site requests, so a missing one means a same-origin or non-browser client.
 */
export function isTrustedOrigin(origin: string | null | undefined, trusted: Set<string>): boolean {
  return !origin || trusted.has(origin);
}

export function serializeSessionCookie(
  token: string | null,
  expiresAt: Date | undefined,
  secure: boolean,
): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (secure) {
    attributes.push('Secure');
  }
  if (token === null) {
    return [`${SESSION_COOKIE}=`, ...attributes, 'Max-Age=0'].join('; ');
  }
  const maxAge = expiresAt ? Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) : 0;
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    ...attributes,
    `Max-Age=${maxAge}`,
  ].join('; ');
}
