import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  finishSignIn,
  LOGIN_STATE_TTL_MS,
  registerSsoSettings,
  type SsoSettings,
  SsoSignInError,
  startSignIn,
} from '../auth/oidc.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { createSecretBox } from '../auth/secret-box.ts';
import { hashToken } from '../auth/tokens.ts';
import { clientAddressOf, parseCookie } from '../context.ts';
import { RateLimitedError } from '../errors.ts';
import { type HttpRoute, type HttpRouteDeps, redirect } from './route.ts';

const START_PATH = /^\/auth\/sso\/([^/]+)\/start$/;
const CALLBACK_PATH = '/auth/sso/callback';
const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const BINDING_COOKIE_PREFIX = 'staffroom_sso_';

/**
 * Started sign-ins per client address. Each one stores a row for 10 minutes. The limit is high
 * because a whole school often shares one address at the start of the day.
 */
const START_RATE_LIMIT: RateLimitRule = { limit: 300, windowSeconds: 15 * 60 };

/**
 * Single sign-on through a district's OpenID Connect provider:
 * - GET /auth/sso/<district slug>/start[?returnTo=/path] redirects (303) to the provider.
 * - GET /auth/sso/callback completes the sign-in, sets the session cookie and redirects to the
 *   page it started from, or to `/sign-in?ssoError=<code>` when it fails (see SsoErrorCode).
 *
 * The start sets a cookie named after the state's hash, and the callback requires it. Without
 * it, someone could start a sign-in, stop at the callback and send that link to another person,
 * whose browser would then be signed in to the first person's account.
 */
export function createSsoRoutes(routeDeps: HttpRouteDeps): HttpRoute {
  const { config, deps } = routeDeps;
  const settings: SsoSettings = {
    publicUrl: config.publicUrl,
    secretBox: createSecretBox(config),
  };
  registerSsoSettings(deps.db, settings);
  const log = deps.log.child({ route: 'sso' });

  const fail = (response: ServerResponse, error: SsoSignInError) => {
    log.warn({ code: error.code, reason: error.message }, 'Single sign-on failed');
    redirect(response, `/sign-in?ssoError=${error.code}`);
  };

  async function handleStart(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    slug: string,
  ): Promise<void> {
    const address = clientAddressOf(
      request.socket.remoteAddress,
      request.headers['x-forwarded-for'],
      config.trustProxy,
    );
    try {
      if (!SLUG_PATTERN.test(slug) || slug.length > 64) {
        throw new SsoSignInError('disabled', `"${slug.slice(0, 64)}" is not a district slug.`);
      }
      await consumeRateLimit(deps.db, `sso-start:address:${address}`, START_RATE_LIMIT);
      const started = await startSignIn(deps.db, settings, {
        districtSlug: slug,
        returnTo: localPath(url.searchParams.get('returnTo')),
      });
      appendSetCookie(
        response,
        bindingCookie(started.state, `1; Max-Age=${LOGIN_STATE_TTL_MS / 1000}`, request),
      );
      redirect(response, started.authorizationUrl.href);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        log.warn({ address }, 'Single sign-on start rate limit hit');
        response
          .writeHead(429, {
            'Retry-After': String(error.retryAfterSeconds),
            'Content-Type': 'text/plain',
          })
          .end(error.message);
        return;
      }
      if (!(error instanceof SsoSignInError)) {
        throw error;
      }
      fail(response, error);
    }
  }

  async function handleCallback(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const state = url.searchParams.get('state') ?? '';
    try {
      if (!state || !parseCookie(request.headers.cookie, bindingCookieName(state))) {
        throw new SsoSignInError(
          'invalid_state',
          'The callback came to a browser that did not start this sign-in, or its cookie expired.',
        );
      }
      const signedIn = await finishSignIn(deps.db, settings, url.searchParams);
      const context = await routeDeps.contextFor(request, response);
      context.setSessionCookie(signedIn.token, signedIn.expiresAt);
      appendSetCookie(response, bindingCookie(state, '; Max-Age=0', request));
      log.info(
        { userId: signedIn.user.id, districtId: signedIn.districtId },
        'Signed in through single sign-on',
      );
      redirect(response, signedIn.returnTo);
    } catch (error) {
      if (!(error instanceof SsoSignInError)) {
        throw error;
      }
      fail(response, error);
    }
  }

  return async (request, response, url) => {
    const start = START_PATH.exec(url.pathname);
    if (!start && url.pathname !== CALLBACK_PATH) {
      return false;
    }
    if (request.method !== 'GET') {
      response.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain' }).end('Use GET.');
    } else if (start) {
      await handleStart(request, response, url, start[1] ?? '');
    } else {
      await handleCallback(request, response, url);
    }
    return true;
  };

  function bindingCookie(state: string, valueAndAge: string, request: IncomingMessage): string {
    const secure = routeDeps.isSecure(request) ? '; Secure' : '';
    return `${bindingCookieName(state)}=${valueAndAge}; Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax${secure}`;
  }
}

function bindingCookieName(state: string): string {
  return `${BINDING_COOKIE_PREFIX}${hashToken(state).slice(0, 16)}`;
}

/** Adds a Set-Cookie header, keeping the ones already set (such as the session cookie). */
function appendSetCookie(response: ServerResponse, cookie: string): void {
  const existing = response.getHeader('Set-Cookie');
  const cookies = existing === undefined ? [] : [existing].flat().map(String);
  response.setHeader('Set-Cookie', [...cookies, cookie]);
}

/**
 * Returns `value` when it is a path of this site, else `/`. A value such as `//evil.example`
 * or `/\evil.example` is a path to the parser but another host to browsers, so it is rejected.
 */
function localPath(value: string | null): string {
  if (!value || value.length > 500 || !value.startsWith('/') || /^\/[/\\]/.test(value)) {
    return '/';
  }
  return /[\s\p{C}]/u.test(value) ? '/' : value;
}
