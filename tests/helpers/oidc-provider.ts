/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 for single sign-on tests, with
 * accounts in memory and a login that completes without a browser.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
}

export interface TestOidcProvider {
  /** Such as http://127.0.0.1:41234, without a trailing slash. */
  issuer: string;
  /** The client whose credentials a district configures. */
  client: TestClient;
  /** Another client, registered with the same redirect URI. */
  otherClient: TestClient;
  /** Adds or replaces an account that can sign in. */
  addAccount(account: TestAccount): void;
  /**
   * Opens `authorizationUrl` as a browser would and signs in as `sub`, following the provider's
   * redirects and carrying its cookies, and returns the redirect to the client's redirect URI
   * (with `code`, `state` and `iss`, or `error`). Throws when the provider responds otherwise.
   */
  authorize(authorizationUrl: string, sub: string): Promise<URL>;
  /**
   * While set, the token endpoint re-signs each ID token with the provider's own key and `aud`
   * replaced, so only the audience is wrong.
   */
  setIdTokenAudience(audience: string | null): void;
  stop(): Promise<void>;
}

const ACCOUNT_COOKIE = 'test_account';
const MAX_REDIRECTS = 10;

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts the provider on an ephemeral port; both clients redirect to `redirectUri`. */
export async function startOidcProvider(options: {
  redirectUri: string;
}): Promise<TestOidcProvider> {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_, response) =>
    response.writeHead(503).end();
  const server = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingJwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'test-signing-key',
    use: 'sig',
  };
  const client: TestClient = { clientId: 'staffroom', clientSecret: 'staffroom-client-secret' };
  const otherClient: TestClient = {
    clientId: 'another-app',
    clientSecret: 'another-app-client-secret',
  };
  const accounts = new Map<string, TestAccount>();
  let idTokenAudience: string | null = null;

  const provider = new Provider(issuer, {
    clients: [client, otherClient].map((entry) => ({
      client_id: entry.clientId,
      client_secret: entry.clientSecret,
      redirect_uris: [options.redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['oidc-provider test cookie key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    // Lifetimes in seconds; setting them also stops the provider's notices about its defaults.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) {
        return undefined;
      }
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: account.email,
          email_verified: account.emailVerified,
          name: account.name,
        }),
      };
    },
  });
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (idTokenAudience && ctx.path === '/token' && typeof body?.id_token === 'string') {
      body.id_token = resignJwt(body.id_token, { aud: idTokenAudience }, privateKey);
    }
  });
  const callback = provider.callback();

  handle = (request, response) => {
    const path = new URL(request.url ?? '/', issuer).pathname;
    if (path.startsWith('/interaction/')) {
      completeInteraction(provider, request, response).catch((error: unknown) => {
        response.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
      });
      return;
    }
    void callback(request, response);
  };

  return {
    issuer,
    client,
    otherClient,
    addAccount: (account) => {
      accounts.set(account.sub, account);
    },
    authorize: (authorizationUrl, sub) => followToRedirectUri(authorizationUrl, sub, options),
    setIdTokenAudience: (audience) => {
      idTokenAudience = audience;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Ends the provider's login and consent prompts at once: the person named by the test cookie
 * signs in and grants what the client asked for.
 */
async function completeInteraction(
  provider: Provider,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  const accountId = readCookie(request.headers.cookie, ACCOUNT_COOKIE);
  if (!accountId) {
    throw new Error(`The interaction request carries no ${ACCOUNT_COOKIE} cookie`);
  }
  const clientId = String(details.params.client_id);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId });
  if (!grant) {
    throw new Error(`Grant ${details.grantId} of interaction ${details.uid} was not found`);
  }
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

async function followToRedirectUri(
  authorizationUrl: string,
  sub: string,
  options: { redirectUri: string },
): Promise<URL> {
  const cookies = new Map<string, string>([[ACCOUNT_COOKIE, sub]]);
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < MAX_REDIRECTS; hop += 1) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      },
    });
    storeCookies(cookies, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      const text = (await response.text()).slice(0, 500);
      throw new Error(
        `The provider responded to ${url.pathname} with HTTP ${response.status}: ${text}`,
      );
    }
    await response.body?.cancel();
    url = new URL(location, url);
    if (url.href.startsWith(`${options.redirectUri}?`)) {
      return url;
    }
  }
  throw new Error(`The provider redirected more than ${MAX_REDIRECTS} times`);
}

function storeCookies(cookies: Map<string, string>, setCookies: string[]): void {
  for (const header of setCookies) {
    const [pair = '', ...attributes] = header.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key = '', attributeValue = ''] = attribute.trim().split('=');
      if (key.toLowerCase() === 'max-age') {
        return Number(attributeValue) <= 0;
      }
      return key.toLowerCase() === 'expires' && Date.parse(attributeValue) < Date.now();
    });
    if (expired || value === '') {
      cookies.delete(name);
    } else {
      cookies.set(name, value);
    }
  }
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      return rest.join('=');
    }
  }
  return null;
}

/** Replaces claims of a compact RS256 JWT and signs it again with `key`. */
function resignJwt(jwt: string, claims: Record<string, unknown>, key: KeyObject): string {
  const [header = '', payload = ''] = jwt.split('.');
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const changed = Buffer.from(JSON.stringify({ ...decoded, ...claims })).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${header}.${changed}`), key);
  return `${header}.${changed}.${signature.toString('base64url')}`;
}
