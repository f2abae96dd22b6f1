import { randomBytes } from 'node:crypto';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  auditLog,
  districtAdmins,
  districtDomains,
  districts,
  oidcProviders,
  users,
} from '../../drizzle/tables/index.ts';
import { createSecretBox, secretBoxFromKey } from '../../server/auth/secret-box.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  findFreePort,
  startOidcProvider,
  type TestAccount,
  type TestOidcProvider,
} from '../helpers/oidc-provider.ts';
import { signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';

const CONFIGURE = `mutation($input: ConfigureDistrictSsoInput!) { configureDistrictSso(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationConfigureDistrictSsoSuccess {
    data { slug ssoSignInUrl sso { issuer clientId enabled updatedAt } } } } }`;
const REMOVE = `mutation($districtId: ID!) { removeDistrictSso(districtId: $districtId) {
  __typename ... on Error { message }
  ... on MutationRemoveDistrictSsoSuccess { data { ssoSignInUrl sso { issuer } } } } }`;
const DISTRICT = `query($slug: String!) { district(slug: $slug) {
  ssoSignInUrl sso { issuer clientId enabled } } }`;
const VIEWER = '{ viewer { id displayName email district { slug } } }';

interface Callback {
  status: number;
  location: string;
  /** The session cookie as a `Cookie` header value, or null when none was set. */
  cookie: string | null;
}

describe.each(await databaseKinds())('single sign-on on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let oidc: TestOidcProvider;
  let platformAdmin: { id: string; token: string; email: string };
  let counter = 0;
  const browserCookies = new Map<string, string>();

  beforeAll(async () => {
    const port = await findFreePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    oidc = await startOidcProvider({ redirectUri: `${publicUrl}/auth/sso/callback` });
    database = await createTestDatabase(kind);
    server = await startTestServer({
      database,
      env: { PORT: String(port), PUBLIC_URL: publicUrl },
    });
    platformAdmin = await signUpUser(server);
    await server.database.db
      .update(users)
      .set({ isPlatformAdmin: true })
      .where(eq(users.email, platformAdmin.email));
  });

  afterAll(async () => {
    await server?.stop();
    await oidc?.stop();
    await database?.drop();
  });

  /** Creates a district with a verified domain `<slug>.example.org` and returns its ids. */
  async function createDistrict(): Promise<{ id: number; globalId: string; slug: string }> {
    counter += 1;
    const slug = `sso-district-${counter}`;
    const [district] = await server.database.db
      .insert(districts)
      .values({ slug, name: `SSO District ${counter}` })
      .returning();
    if (!district) {
      throw new Error(`Inserting district ${slug} returned no row`);
    }
    await server.database.db
      .insert(districtDomains)
      .values({ districtId: district.id, domain: `${slug}.example.org`, verifiedAt: sql`now()` });
    const globalId = encodeGlobalID('District', district.id);
    return { id: district.id, globalId, slug };
  }

  async function makeDistrictAdmin(districtId: number, userGlobalId: string): Promise<void> {
    const userId = Number(decodeGlobalID(userGlobalId).id);
    await server.database.db.insert(districtAdmins).values({ districtId, userId });
  }

  async function configure(
    district: { globalId: string },
    fields: Record<string, unknown> = {},
    token = platformAdmin.token,
  ) {
    const result = await server.graphql(
      CONFIGURE,
      {
        input: {
          districtId: district.globalId,
          issuer: oidc.issuer,
          clientId: oidc.client.clientId,
          clientSecret: oidc.client.clientSecret,
          ...fields,
        },
      },
      { token },
    );
    return result.body.data.configureDistrictSso;
  }

  function newAccount(domain: string, fields: Partial<TestAccount> = {}): TestAccount {
    counter += 1;
    const account = {
      sub: `subject-${counter}-${randomBytes(4).toString('hex')}`,
      email: `teacher${counter}@${domain}`,
      emailVerified: true,
      name: `Teacher ${counter}`,
      ...fields,
    };
    oidc.addAccount(account);
    return account;
  }

  /**
   * Opens the start path and returns the provider's authorization URL it redirects to. The
   * cookie that binds the sign-in to the browser goes into `browserCookies`.
   */
  async function startSignIn(path: string): Promise<string> {
    const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
    const location = response.headers.get('location') ?? '';
    if (response.status !== 303 || !location.startsWith(oidc.issuer)) {
      throw new Error(`${path} responded with HTTP ${response.status} to ${location}`);
    }
    for (const setCookie of response.headers.getSetCookie()) {
      const [name = '', value = ''] = (setCookie.split(';')[0] ?? '').split('=');
      browserCookies.set(name, value);
    }
    return location;
  }

  /**
   * Delivers the provider's redirect to the test server, as the browser that started the sign-in
   * would, or as another browser without its cookies.
   */
  async function deliver(
    callbackUrl: URL | string,
    browser: 'same' | 'other' = 'same',
  ): Promise<Callback> {
    const url = new URL(callbackUrl);
    const cookie = [...browserCookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${server.url}${url.pathname}${url.search}`, {
      redirect: 'manual',
      headers: browser === 'same' ? { cookie } : {},
    });
    const session = response.headers
      .getSetCookie()
      .find((setCookie) => setCookie.startsWith('staffroom_session='));
    return {
      status: response.status,
      location: response.headers.get('location') ?? '',
      cookie: session ? (session.split(';')[0] ?? null) : null,
    };
  }

  async function signInThroughProvider(slug: string, account: TestAccount): Promise<Callback> {
    const authorizationUrl = await startSignIn(`/auth/sso/${slug}/start`);
    return deliver(await oidc.authorize(authorizationUrl, account.sub));
  }

  describe('configureDistrictSso', () => {
    test('stores the provider for a district admin', async () => {
      const district = await createDistrict();
      const admin = await signUpUser(server);
      await makeDistrictAdmin(district.id, admin.id);

      const result = await configure(district, {}, admin.token);
      const audit = await server.database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.districtId, district.id));

      expect(result.__typename).toBe('MutationConfigureDistrictSsoSuccess');
      expect(result.data.sso.issuer).toBe(oidc.issuer);
      expect(result.data.sso.clientId).toBe('staffroom');
      expect(result.data.sso.enabled).toBe(true);
      expect(result.data.ssoSignInUrl).toBe(`/auth/sso/${district.slug}/start`);
      expect(audit.map((entry) => entry.action)).toEqual(['district.sso_configured']);
    });

    test('rejects a non-admin and changes nothing', async () => {
      const district = await createDistrict();
      const stranger = await signUpUser(server);

      const result = await configure(district, {}, stranger.token);
      const rows = await server.database.db
        .select()
        .from(oidcProviders)
        .where(eq(oidcProviders.districtId, district.id));

      expect(result.__typename).toBe('ForbiddenError');
      expect(rows).toEqual([]);
    });

    test('rejects an issuer whose discovery fails', async () => {
      const district = await createDistrict();
      const closedPort = await findFreePort();

      const result = await configure(district, { issuer: `http://127.0.0.1:${closedPort}` });

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues[0].path).toEqual(['issuer']);
      expect(result.issues[0].message).toMatch(/discovery .* failed/);
    });

    test('rejects plain http for a remote issuer', async () => {
      const district = await createDistrict();

      const result = await configure(district, { issuer: 'http://idp.example.org' });

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues[0].message).toMatch(/https/);
    });

    test('requires a client secret the first time', async () => {
      const district = await createDistrict();

      const result = await configure(district, { clientSecret: null });

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues[0].path).toEqual(['clientSecret']);
    });

    test('stores the client secret encrypted', async () => {
      const district = await createDistrict();
      await configure(district);

      const [row] = await server.database.db
        .select()
        .from(oidcProviders)
        .where(eq(oidcProviders.districtId, district.id));
      const box = createSecretBox({ secretKey: undefined, dataDir: 'memory://' });

      expect(row?.clientSecret).not.toContain(oidc.client.clientSecret);
      expect(row?.clientSecret).toMatch(/^v1\.[0-9a-f]{8}\./);
      expect(
        box.decrypt(row?.clientSecret ?? '', `oidc_providers.client_secret:${district.id}`),
      ).toBe(oidc.client.clientSecret);
    });

    test('shows settings to admins only', async () => {
      const district = await createDistrict();
      await configure(district);
      const stranger = await signUpUser(server);

      const asAdmin = await server.graphql(
        DISTRICT,
        { slug: district.slug },
        { token: platformAdmin.token },
      );
      const asStranger = await server.graphql(
        DISTRICT,
        { slug: district.slug },
        { token: stranger.token },
      );
      const signedOut = await server.graphql(DISTRICT, { slug: district.slug });

      expect(asAdmin.body.data.district.sso.clientId).toBe('staffroom');
      expect(asStranger.body.data.district.sso).toBeNull();
      expect(signedOut.body.data.district.sso).toBeNull();
      expect(signedOut.body.data.district.ssoSignInUrl).toBe(`/auth/sso/${district.slug}/start`);
    });

    test('removes the provider', async () => {
      const district = await createDistrict();
      await configure(district);

      const result = await server.graphql(
        REMOVE,
        { districtId: district.globalId },
        { token: platformAdmin.token },
      );
      const start = await fetch(`${server.url}/auth/sso/${district.slug}/start`, {
        redirect: 'manual',
      });

      expect(result.body.data.removeDistrictSso.data.sso).toBeNull();
      expect(result.body.data.removeDistrictSso.data.ssoSignInUrl).toBeNull();
      expect(start.headers.get('location')).toBe('/sign-in?ssoError=disabled');
    });
  });

  describe('sign-in', () => {
    test('signs in a new person as district staff', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount('gmail.example.com', { name: 'Rosa Parks' });

      const callback = await signInThroughProvider(district.slug, account);
      const viewer = await server.graphql(VIEWER, {}, { cookie: callback.cookie ?? '' });

      expect(callback.status).toBe(303);
      expect(callback.location).toBe('/');
      expect(callback.cookie).toMatch(/^staffroom_session=/);
      expect(viewer.body.data.viewer.displayName).toBe('Rosa Parks');
      expect(viewer.body.data.viewer.email).toBe(account.email);
      expect(viewer.body.data.viewer.district.slug).toBe(district.slug);
    });

    test('reuses the account on a second sign-in', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);

      const first = await signInThroughProvider(district.slug, account);
      const second = await signInThroughProvider(district.slug, account);
      const firstViewer = await server.graphql(VIEWER, {}, { cookie: first.cookie ?? '' });
      const secondViewer = await server.graphql(VIEWER, {}, { cookie: second.cookie ?? '' });
      const accounts = await server.database.db
        .select()
        .from(users)
        .where(eq(users.email, account.email));

      expect(second.location).toBe('/');
      expect(second.cookie).not.toBe(first.cookie);
      expect(secondViewer.body.data.viewer.id).toBe(firstViewer.body.data.viewer.id);
      expect(accounts).toHaveLength(1);
      expect(accounts[0]?.passwordHash).toBeNull();
      expect(accounts[0]?.emailVerifiedAt).not.toBeNull();
    });

    test('rejects an unknown state', async () => {
      const callback = await deliver(
        `${server.url}/auth/sso/callback?code=made-up&state=${randomBytes(16).toString('hex')}`,
      );

      expect(callback.status).toBe(303);
      expect(callback.location).toBe('/sign-in?ssoError=invalid_state');
      expect(callback.cookie).toBeNull();
    });

    test('rejects a swapped state', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);
      const redirect = await oidc.authorize(
        await startSignIn(`/auth/sso/${district.slug}/start`),
        account.sub,
      );

      redirect.searchParams.set('state', randomBytes(16).toString('base64url'));
      const callback = await deliver(redirect);

      expect(callback.location).toBe('/sign-in?ssoError=invalid_state');
      expect(callback.cookie).toBeNull();
    });

    test('rejects a callback in another browser', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);
      const redirect = await oidc.authorize(
        await startSignIn(`/auth/sso/${district.slug}/start`),
        account.sub,
      );

      const elsewhere = await deliver(redirect, 'other');
      const starter = await deliver(redirect);

      expect(elsewhere.location).toBe('/sign-in?ssoError=invalid_state');
      expect(elsewhere.cookie).toBeNull();
      expect(starter.location).toBe('/');
    });

    test('rejects a replayed callback', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);
      const redirect = await oidc.authorize(
        await startSignIn(`/auth/sso/${district.slug}/start`),
        account.sub,
      );

      const first = await deliver(redirect);
      const replay = await deliver(redirect);

      expect(first.location).toBe('/');
      expect(replay.location).toBe('/sign-in?ssoError=invalid_state');
      expect(replay.cookie).toBeNull();
    });

    test('rejects an ID token for another audience', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);

      oidc.setIdTokenAudience(oidc.otherClient.clientId);
      const callback = await signInThroughProvider(district.slug, account).finally(() =>
        oidc.setIdTokenAudience(null),
      );
      const accounts = await server.database.db
        .select()
        .from(users)
        .where(eq(users.email, account.email));

      expect(callback.location).toBe('/sign-in?ssoError=invalid_response');
      expect(callback.cookie).toBeNull();
      expect(accounts).toEqual([]);
    });

    test('rejects a code issued to another client', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);
      const authorizationUrl = new URL(await startSignIn(`/auth/sso/${district.slug}/start`));

      authorizationUrl.searchParams.set('client_id', oidc.otherClient.clientId);
      const callback = await deliver(await oidc.authorize(authorizationUrl.href, account.sub));

      expect(callback.location).toBe('/sign-in?ssoError=provider_error');
      expect(callback.cookie).toBeNull();
    });

    test('rejects a wrong client secret', async () => {
      const district = await createDistrict();
      await configure(district, { clientSecret: 'not-the-client-secret' });
      const account = newAccount(`${district.slug}.example.org`);

      const callback = await signInThroughProvider(district.slug, account);

      expect(callback.location).toBe('/sign-in?ssoError=provider_error');
      expect(callback.cookie).toBeNull();
    });

    test('reports an error the provider returned', async () => {
      const district = await createDistrict();
      await configure(district);
      const authorizationUrl = new URL(await startSignIn(`/auth/sso/${district.slug}/start`));
      const state = authorizationUrl.searchParams.get('state') ?? '';

      const callback = await deliver(
        `${server.url}/auth/sso/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(oidc.issuer)}`,
      );

      expect(callback.location).toBe('/sign-in?ssoError=provider_error');
    });

    test('rejects a disabled provider', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);
      const startedBefore = await startSignIn(`/auth/sso/${district.slug}/start`);

      const disabled = await configure(district, { enabled: false, clientSecret: null });
      const start = await fetch(`${server.url}/auth/sso/${district.slug}/start`, {
        redirect: 'manual',
      });
      const callback = await deliver(await oidc.authorize(startedBefore, account.sub));

      expect(disabled.data.sso.enabled).toBe(false);
      expect(disabled.data.ssoSignInUrl).toBeNull();
      expect(start.status).toBe(303);
      expect(start.headers.get('location')).toBe('/sign-in?ssoError=disabled');
      expect(callback.location).toBe('/sign-in?ssoError=disabled');
      expect(callback.cookie).toBeNull();
    });

    test('rejects a district without single sign-on', async () => {
      const district = await createDistrict();

      const start = await fetch(`${server.url}/auth/sso/${district.slug}/start`, {
        redirect: 'manual',
      });

      expect(start.headers.get('location')).toBe('/sign-in?ssoError=disabled');
    });

    test('links an account at a verified district domain', async () => {
      const district = await createDistrict();
      await configure(district);
      const existing = await signUpUser(server, { email: `linked@${district.slug}.example.org` });
      const account = newAccount('unused.example.org', { email: existing.email });

      const callback = await signInThroughProvider(district.slug, account);
      const viewer = await server.graphql(VIEWER, {}, { cookie: callback.cookie ?? '' });

      expect(callback.location).toBe('/');
      expect(viewer.body.data.viewer.id).toBe(existing.id);
      expect(viewer.body.data.viewer.district.slug).toBe(district.slug);
    });

    test('rejects linking at another domain', async () => {
      const district = await createDistrict();
      await configure(district);
      const existing = await signUpUser(server, { email: `outsider${counter}@elsewhere.example` });
      const account = newAccount('unused.example.org', { email: existing.email });

      const callback = await signInThroughProvider(district.slug, account);

      expect(callback.location).toBe('/sign-in?ssoError=account_exists');
      expect(callback.cookie).toBeNull();
    });

    test('rejects linking an unverified email', async () => {
      const district = await createDistrict();
      await configure(district);
      const existing = await signUpUser(server, {
        email: `unverified@${district.slug}.example.org`,
      });
      const account = newAccount('unused.example.org', {
        email: existing.email,
        emailVerified: false,
      });

      const callback = await signInThroughProvider(district.slug, account);

      expect(callback.location).toBe('/sign-in?ssoError=account_exists');
    });

    test('returns to a local page only', async () => {
      const district = await createDistrict();
      await configure(district);
      const account = newAccount(`${district.slug}.example.org`);

      const local = await deliver(
        await oidc.authorize(
          await startSignIn(`/auth/sso/${district.slug}/start?returnTo=/communities/stem`),
          account.sub,
        ),
      );
      const foreign = await deliver(
        await oidc.authorize(
          await startSignIn(`/auth/sso/${district.slug}/start?returnTo=//evil.example`),
          account.sub,
        ),
      );

      expect(local.location).toBe('/communities/stem');
      expect(foreign.location).toBe('/');
    });

    test('answers other methods with 405', async () => {
      const response = await fetch(`${server.url}/auth/sso/callback`, { method: 'POST' });

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
    });
  });
});

describe('secret box', () => {
  test('decrypts what it encrypted', () => {
    const box = createSecretBox({ secretKey: 'a passphrase of any length', dataDir: 'memory://' });

    const stored = box.encrypt('client secret', 'row:1');

    expect(stored).not.toContain('client secret');
    expect(box.decrypt(stored, 'row:1')).toBe('client secret');
  });

  test('names the key when it differs', () => {
    const stored = secretBoxFromKey(randomBytes(32)).encrypt('client secret', 'row:1');

    expect(() => secretBoxFromKey(randomBytes(32)).decrypt(stored, 'row:1')).toThrow(
      /encrypted with key [0-9a-f]{8}, but this server's key is [0-9a-f]{8}/,
    );
  });

  test('rejects a value moved to another row', () => {
    const box = secretBoxFromKey(randomBytes(32));

    const stored = box.encrypt('client secret', 'row:1');

    expect(() => box.decrypt(stored, 'row:2')).toThrow(/failed authentication/);
  });
});
