/**
 * The API's guards for public use: CSRF headers, the CORS allow list, the WebSocket Origin check,
 * cost and batch limits, the per-socket subscription cap, read-only tokens, and sign-ins that end
 * while a socket or event stream is open.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { rowsOf } from '../../drizzle/db.ts';
import { authSessions } from '../../drizzle/tables/index.ts';
import { hashToken } from '../../server/auth/tokens.ts';
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from '../../server/ws.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const PORTAL = 'https://portal.example.org';
const STRANGER = 'https://evil.example.net';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on MutationSignInSuccess { data { token } } } }`;
const ACTIVITY = 'subscription($id: ID!) { communityActivity(communityId: $id) { eventId } }';

/** Opens a raw WebSocket upgrade and resolves with the HTTP status, or 101 when it opened. */
function upgradeStatus(url: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
      headers: { origin },
    });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Reads a server-sent event stream until `done` returns true or 10 seconds pass; returns the text. */
async function readStream(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 10_000;
  while (!done(text) && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<{ done: true; value?: undefined }>((resolve) =>
        setTimeout(() => resolve({ done: true }), Math.max(deadline - Date.now(), 0)),
      ),
    ]);
    if (chunk.value) {
      text += decoder.decode(chunk.value);
    }
    if (chunk.done) {
      break;
    }
  }
  await reader.cancel().catch(() => {});
  return text;
}

describe.each(await databaseKinds())('API guards on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: { id: string; token: string; email: string };
  let community: Json;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database, env: { CORS_ORIGINS: PORTAL } });
    owner = await signUpUser(server, { displayName: 'Guarded Owner' });
    community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Guarded', focus: 'OTHER', visibility: 'PUBLIC' },
      'id',
      owner.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function signInAgain(): Promise<string> {
    const result = await server.graphql(SIGN_IN, {
      input: { email: owner.email, password: 'correct horse battery staple', session: 'BEARER' },
    });
    return result.body.data.signIn.data.token;
  }

  describe('cross-site requests', () => {
    test('a GET without the CSRF header or a bearer token is refused', async () => {
      const url = `${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;

      const bare = await fetch(url);
      const withHeader = await fetch(url, { headers: { 'x-staffroom-csrf': '1' } });
      const withBearer = await fetch(url, { headers: { authorization: `Bearer ${owner.token}` } });

      expect(bare.status).toBe(403);
      expect(await bare.text()).toMatch(/CSRF/);
      expect(withHeader.status).toBe(200);
      expect(withBearer.status).toBe(200);
    });

    test('a form post cannot run a mutation with the session cookie', async () => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: STRANGER },
        body: `query=${encodeURIComponent('mutation { signOut }')}`,
      });

      expect(response.status).toBeGreaterThanOrEqual(400);
    });

    test('CORS answers only origins on the allow list, with credentials', async () => {
      const preflight = (origin: string) =>
        fetch(`${server.url}/graphql`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });

      const allowed = await preflight(PORTAL);
      const refused = await preflight(STRANGER);

      expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-credentials')).toBeNull();
    });

    test('a WebSocket upgrade from an origin off the allow list is refused', async () => {
      expect(await upgradeStatus(server.url, STRANGER)).toBe(403);
      expect(await upgradeStatus(server.url, PORTAL)).toBe(101);
      expect(await upgradeStatus(server.url, new URL(server.url).origin)).toBe(101);
    });
  });

  describe('limits', () => {
    test('a document whose cost is too high is refused before it runs', async () => {
      const result = await server.graphql(
        '{ communities(first: 100) { nodes { threads(first: 100) { nodes { posts(first: 100) { nodes { id body } } } } } } }',
      );

      expect(result.body.data ?? null).toBeNull();
      expect(result.body.errors[0].message).toMatch(/^Query Cost limit/i);
      expect(result.body.errors[0].extensions.code).toBe('QUERY_LIMIT_EXCEEDED');
    });

    test('page sizes in variables and default page sizes count toward the cost', async () => {
      const nested = `query($n: Int) { communities(first: $n) { nodes {
        threads(first: $n) { nodes { posts(first: $n) { nodes { id body } } } } } } }`;
      const defaults =
        '{ communities { nodes { threads { nodes { posts { nodes { id body } } } } } } }';

      const viaVariable = await server.graphql(nested, { n: 100 });
      const viaDefaults = await server.graphql(defaults);
      const small = await server.graphql(nested, { n: 2 });

      expect(viaVariable.body.errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
      expect(viaVariable.body.data ?? null).toBeNull();
      expect(viaDefaults.body.errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
      expect(small.body.errors).toBeUndefined();
      expect(small.body.data.communities.nodes.length).toBeGreaterThan(0);
    });

    test('a batch of up to 10 operations runs; 11 are refused', async () => {
      const batch = (size: number) =>
        fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(Array.from({ length: size }, () => ({ query: '{ __typename }' }))),
        });

      const ten = await batch(10);
      const eleven = await batch(11);

      expect(ten.status).toBe(200);
      expect(await ten.json()).toHaveLength(10);
      expect(eleven.status).toBeGreaterThanOrEqual(400);
      expect(JSON.stringify(await eleven.json())).toMatch(/batch/i);
    });

    test(`one socket runs at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions`, async () => {
      const socket = server.socket({ token: owner.token });
      const subscriptions = Array.from({ length: MAX_SUBSCRIPTIONS_PER_SOCKET + 1 }, () =>
        collect(socket, ACTIVITY, { id: community.id }),
      );
      await subscriptions[0]?.settle(300);

      const refused = subscriptions.filter((subscription) =>
        JSON.stringify(subscription.failure ?? '').includes('TOO_MANY_SUBSCRIPTIONS'),
      );
      expect(refused).toHaveLength(1);
      // The socket and the other subscriptions go on: a new thread reaches them.
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: 'Still here', body: 'Yes' },
        'id',
        owner.token,
      );
      const first = await subscriptions[0]?.next(5000);
      expect(first.data.communityActivity.eventId).toBeTruthy();
      for (const subscription of subscriptions) {
        subscription.unsubscribe();
      }
      await socket.dispose();
    });
  });

  describe('read-only API tokens', () => {
    let readOnly: string;

    beforeAll(async () => {
      const created = await mutate(
        server,
        'createApiToken',
        'CreateApiTokenInput',
        { name: 'District reporting', scopes: ['READ'], expiresInDays: 30 },
        'token',
        owner.token,
      );
      readOnly = created.token;
    });

    test('run queries and subscriptions but no mutation over HTTP', async () => {
      const query = await server.graphql('{ viewer { id } }', {}, { token: readOnly });
      const mutation = await server.graphql(
        'mutation($input: CreateThreadInput!) { createThread(input: $input) { __typename } }',
        { input: { communityId: community.id, title: 'Sneaky', body: 'Write' } },
        { token: readOnly },
      );
      const [count] = rowsOf(
        await server.database.db.execute(
          sql`select count(*)::int as count from threads where title = 'Sneaky'`,
        ),
      );

      expect(query.body.data.viewer.id).toBe(owner.id);
      expect(mutation.status).toBe(403);
      expect(mutation.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(mutation.body.errors[0].message).toMatch(/read-only/);
      expect(Number(count?.count)).toBe(0);
    });

    test('run no mutation over WebSocket either', async () => {
      const socket = server.socket({ token: readOnly });
      const result = collect(
        socket,
        'mutation($input: CreateThreadInput!) { createThread(input: $input) { __typename } }',
        { input: { communityId: community.id, title: 'Sneaky socket', body: 'Write' } },
      );
      const first = await result.next(5000);
      await socket.dispose();

      expect(first.errors[0].extensions.code).toBe('FORBIDDEN');
    });
  });

  describe('sign-ins that end', () => {
    test('revoking a sign-in closes its sockets with 4403 and ends its event streams', async () => {
      const token = await signInAgain();
      const subscription = server.subscribe(ACTIVITY, { id: community.id }, { token });
      await subscription.settle(200);
      const stream = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ query: ACTIVITY, variables: { id: community.id } }),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));

      // Signing out everywhere from another sign-in ends this one too.
      const other = await signInAgain();
      await server.graphql('mutation { signOutEverywhere { __typename } }', {}, { token: other });
      const text = await readStream(stream, (seen) => seen.includes('FORBIDDEN'));
      await expect(subscription.next(5000)).rejects.toThrow(/4403/);

      expect(text).toMatch(/sign-in has ended/);
    });

    test('an expiring sign-in closes its socket with 4403 when it expires', async () => {
      const token = await signInAgain();
      await server.database.db
        .update(authSessions)
        .set({ expiresAt: sql`now() + interval '3 seconds'` })
        .where(eq(authSessions.tokenHash, hashToken(token)));
      const subscription = server.subscribe(ACTIVITY, { id: community.id }, { token });
      await subscription.settle(100);
      const stream = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ query: ACTIVITY, variables: { id: community.id } }),
      });

      const started = Date.now();
      // The subscription's own expiry check and the socket's run at the same instant, so its
      // FORBIDDEN result may arrive just before the socket closes with 4403.
      const first = await subscription.next(10_000).catch((error: unknown) => error);
      const closing =
        first instanceof Error ? first : await subscription.next(10_000).catch((error) => error);
      const text = await readStream(stream, (seen) => seen.includes('FORBIDDEN'));

      expect(closing).toBeInstanceOf(Error);
      // After a FORBIDDEN result the server may complete the subscription just before the socket
      // closes with 4403; without one, the close itself ends it.
      expect((closing as Error).message).toMatch(
        first instanceof Error ? /4403/ : /4403|completed without an error/,
      );
      expect(first instanceof Error || first.errors[0].extensions.code === 'FORBIDDEN').toBe(true);

      expect(Date.now() - started).toBeLessThan(9000);
      // On a slow machine the sign-in may expire before the stream starts, which gets a 401.
      expect(text).toMatch(/sign-in has ended|expired or revoked/);
    });
  });
});
