import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type ServerProcess, startServerProcess } from '../helpers/process.ts';
import type { Json } from '../helpers/server.ts';
import { servicesAvailable, TEST_REDIS_URL } from '../helpers/services.ts';

const ready = await servicesAvailable('postgres', 'redis');

async function graphql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<Json> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

function socketClient(url: string, token: string) {
  return createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

const THREAD_ACTIVITY =
  'subscription($id: ID!, $after: String) { threadActivity(threadId: $id, after: $after) { eventId post { body } } }';

describe.skipIf(!ready)('two server processes sharing PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let first: ServerProcess;
  let second: ServerProcess;
  let token: string;
  let threadId: string;
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = { DATABASE_URL: database.url as string, REDIS_URL: TEST_REDIS_URL };
    // Both start at once, so the migration advisory lock is exercised too.
    [first, second] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    const signUp = await graphql(
      first.url,
      'mutation($input: SignUpInput!) { signUp(input: $input) { ... on MutationSignUpSuccess { data { token } } } }',
      {
        input: { email: 'scale@example.org', password: 'scale-out password', displayName: 'Scale' },
      },
    );
    token = signUp.data.signUp.data.token;
    const community = await graphql(
      second.url,
      'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { ... on MutationCreateCommunitySuccess { data { id } } } }',
      {
        input: { name: 'Scale Out', focus: 'STEM', visibility: 'PUBLIC' },
      },
      token,
    );
    communityId = community.data.createCommunity.data.id;
  });

  // Each test gets a thread with no events yet, so `after: "0"` subscribes without a race.
  beforeEach(async () => {
    const thread = await graphql(
      first.url,
      'mutation($input: CreateThreadInput!) { createThread(input: $input) { ... on MutationCreateThreadSuccess { data { id } } } }',
      { input: { communityId, title: 'Across processes', body: 'x' } },
      token,
    );
    threadId = thread.data.createThread.data.id;
  });

  afterAll(async () => {
    await Promise.all([first?.terminate(), second?.terminate()]);
    await database?.drop();
  });

  const reply = (url: string, body: string) =>
    graphql(
      url,
      'mutation($input: CreatePostInput!) { createPost(input: $input) { __typename } }',
      { input: { threadId, body } },
      token,
    );

  test('delivers a reply posted on the other process once', async () => {
    const client = socketClient(first.url, token);
    const received: Json[] = [];
    client.subscribe(
      { query: THREAD_ACTIVITY, variables: { id: threadId, after: '0' } },
      { next: (value) => received.push(value), error: () => {}, complete: () => {} },
    );

    await reply(second.url, 'posted on the second process');
    const deadline = Date.now() + 5000;
    while (received.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await client.dispose();

    expect(received).toHaveLength(1);
    expect(received[0].data.threadActivity.post.body).toBe('posted on the second process');
  });

  test('resumes after a cut socket without gap or duplicate', async () => {
    const client = socketClient(first.url, token);
    const received: Json[] = [];
    client.subscribe(
      { query: THREAD_ACTIVITY, variables: { id: threadId, after: '0' } },
      { next: (value) => received.push(value), error: () => {}, complete: () => {} },
    );
    await reply(second.url, 'r1');
    while (received.length < 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Cut the connection abruptly, the way a dropped network does, while replies keep coming.
    client.terminate();
    const posting = (async () => {
      for (const body of ['r2', 'r3', 'r4', 'r5']) {
        await reply(second.url, body);
      }
    })();
    const lastSeen = received.at(-1).data.threadActivity.eventId;
    const resumedClient = socketClient(second.url, token);
    const resumed: Json[] = [];
    resumedClient.subscribe(
      { query: THREAD_ACTIVITY, variables: { id: threadId, after: lastSeen } },
      { next: (value) => resumed.push(value), error: () => {}, complete: () => {} },
    );
    await posting;
    await reply(first.url, 'r6');
    const deadline = Date.now() + 5000;
    while (resumed.length < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await resumedClient.dispose();

    const bodies = [...received, ...resumed].map((value) => value.data.threadActivity.post.body);
    const ids = [...received, ...resumed].map((value) => Number(value.data.threadActivity.eventId));
    expect(bodies).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('closes sockets on one process after signing out on the other', async () => {
    const signIn = await graphql(
      second.url,
      'mutation($input: SignInInput!) { signIn(input: $input) { ... on MutationSignInSuccess { data { token } } } }',
      { input: { email: 'scale@example.org', password: 'scale-out password' } },
    );
    const sessionToken: string = signIn.data.signIn.data.token;
    const client = socketClient(first.url, sessionToken);
    const closed = new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: 'subscription { viewerNotifications { eventId } }' },
        { next: () => {}, error: resolve, complete: () => resolve('completed') },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    await graphql(second.url, 'mutation { signOut }', {}, sessionToken);
    const reason = await Promise.race([
      closed,
      new Promise((resolve) => setTimeout(() => resolve('timed out'), 5000)),
    ]);
    await client.dispose();

    expect((reason as { code?: number }).code).toBe(4403);
  });

  test('reports readiness with the shared Redis', async () => {
    const response = await fetch(`${second.url}/readyz`);

    expect(await response.json()).toMatchObject({ status: 'ready', pubsub: 'redis ok' });
  });
});

describe.skipIf(!(await servicesAvailable('postgres')))('SIGTERM', () => {
  test('ends event streams without waiting', async () => {
    const database = await createTestDatabase('postgres');
    const server = await startServerProcess({
      DATABASE_URL: database.url as string,
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const stream = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { viewerNotifications { eventId } }' }),
    });
    const reader = stream.body?.getReader();

    const started = Date.now();
    const code = await server.terminate();
    const elapsed = Date.now() - started;
    await reader?.cancel().catch(() => {});
    await database.drop();

    expect(stream.status).toBe(200);
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
  });

  test('closes sockets with 1012 and exits cleanly', async () => {
    const database = await createTestDatabase('postgres');
    const server = await startServerProcess({ DATABASE_URL: database.url as string });
    const closes: number[] = [];
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/graphql`,
      'graphql-transport-ws',
    );
    socket.on('close', (code) => closes.push(code));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => socket.once('message', resolve));

    const code = await server.terminate();
    await database.drop();

    expect(closes).toEqual([1012]);
    expect(code).toBe(0);
    expect(server.logs.map((entry) => entry.msg)).toEqual(
      expect.arrayContaining(['Shutting down', 'Staffroom stopped']),
    );
  });
});
