import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  type PrivateRedis,
  privateRedisAvailable,
  startPrivateRedis,
} from '../helpers/private-services.ts';
import {
  graphqlAt,
  mutationDocument,
  type ServerProcess,
  startServerProcess,
  succeedAt,
  waitFor,
} from '../helpers/process.ts';
import { collect, type Json, type Subscription } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = (await servicesAvailable('postgres')) && privateRedisAvailable();

/**
 * Maximum time a mutation may take while Redis is down. One takes tens of milliseconds, and a
 * loaded two-core machine running three servers can stretch that past a second. A mutation that
 * waited for Redis would wait out ioredis's reconnect attempts, which take far longer.
 */
const MAX_MUTATION_MS = 3000;
/** Maximum wait for the subscriber to catch up once Redis is back. */
const CATCH_UP_MS = 15_000;

const THREAD_ACTIVITY = `subscription($id: ID!) { threadActivity(threadId: $id) {
  eventId type post { body } } }`;
const LIVE_SESSION_EVENTS = `subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) {
  eventId type chatMessage { body } } }`;

const logged = (server: ServerProcess, message: string) =>
  server.logs.some((entry) => typeof entry.msg === 'string' && entry.msg.startsWith(message));

describe.skipIf(!ready)('losing Redis between two server processes', () => {
  let redis: PrivateRedis;
  let database: TestDatabase;
  let first: ServerProcess;
  let second: ServerProcess;
  let third: ServerProcess;
  let token: string;
  let threadId: string;
  let liveSessionId: string;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    database = await createTestDatabase('postgres');
    const env = { DATABASE_URL: database.url as string, REDIS_URL: redis.url };
    [first, second, third] = await Promise.all([
      startServerProcess(env),
      startServerProcess(env),
      startServerProcess(env),
    ]);
    const signUp = await graphqlAt(
      first.url,
      'mutation($input: SignUpInput!) { signUp(input: $input) { ... on MutationSignUpSuccess { data { token } } } }',
      {
        input: {
          email: 'redis-loss@example.org',
          password: 'redis loss password',
          displayName: 'Host',
        },
      },
    );
    token = signUp.body.data.signUp.data.token;
    const community = await succeedAt(
      first.url,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Redis Loss', focus: 'STEM', visibility: 'PUBLIC' },
      token,
    );
    threadId = (
      await succeedAt(
        first.url,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: 'Through the outage', body: 'x' },
        token,
      )
    ).id;
    const hour = 3_600_000;
    liveSessionId = (
      await succeedAt(
        first.url,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId: community.id,
          title: 'Outage drill',
          startsAt: new Date(Date.now() + hour).toISOString(),
          endsAt: new Date(Date.now() + 2 * hour).toISOString(),
          timeZone: 'UTC',
        },
        token,
      )
    ).id;
    await succeedAt(first.url, 'startLiveSession', 'LiveSessionIdInput', { liveSessionId }, token);
  });

  afterAll(async () => {
    await Promise.all([first?.terminate(), second?.terminate(), third?.terminate()]);
    await redis?.stop();
    await database?.drop();
  });

  test('delivers posts made while down once, in order', async () => {
    const client = createClient({
      url: `${first.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const replies = collect(client, THREAD_ACTIVITY, { id: threadId });
    const chat = collect(client, LIVE_SESSION_EVENTS, { id: liveSessionId });
    await replies.settle(500);
    const reply = (server: ServerProcess, body: string) =>
      succeedAt(server.url, 'createPost', 'CreatePostInput', { threadId, body }, token);
    const say = (server: ServerProcess, body: string) =>
      succeedAt(
        server.url,
        'sendChatMessage',
        'SendChatMessageInput',
        { liveSessionId, body },
        token,
      );
    await reply(second, 'reply before');
    await say(second, 'chat before');
    const liveBefore = await waitFor(
      () => replies.results.length === 1 && chat.results.length === 1,
      5000,
    );

    const redisPid = redis.pid;
    await redis.stop();
    const lossNoticed = await waitFor(
      () => logged(first, 'Redis connection lost') && logged(second, 'Redis connection lost'),
      5000,
    );
    const durations: number[] = [];
    const timed = async (write: () => Promise<unknown>) => {
      const started = performance.now();
      await write();
      durations.push(performance.now() - started);
    };
    for (let index = 1; index <= 4; index += 1) {
      await timed(() => reply(second, `reply during ${index}`));
      await timed(() => say(second, `chat during ${index}`));
    }
    // A process that ends before Redis returns never sends its notices again, so these reach
    // the subscriber only because its process re-reads the event log after reconnecting.
    await timed(() => reply(third, 'reply from a process that exits'));
    await timed(() => say(third, 'chat from a process that exits'));
    const thirdExit = await third.terminate();
    const readyDuring = await Promise.all(
      [first, second].map((server) => fetch(`${server.url}/readyz`)),
    );
    const readyDuringBodies = await Promise.all(readyDuring.map((response) => response.json()));
    const healthDuring = await fetch(`${first.url}/healthz`);
    const deliveredDuring = replies.results.length + chat.results.length;

    await redis.start();
    const caughtUp = await waitFor(
      () => replies.results.length === 6 && chat.results.length === 6,
      CATCH_UP_MS,
    );
    await reply(second, 'reply after');
    await say(second, 'chat after');
    await waitFor(() => replies.results.length === 7 && chat.results.length === 7, 5000);
    // Time for a duplicate to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const readyAfter = await waitFor(async () => {
      const statuses = await Promise.all(
        [first, second].map(async (server) => (await fetch(`${server.url}/readyz`)).status),
      );
      return statuses.every((status) => status === 200);
    }, 5000);
    await client.dispose();

    const bodies = (subscription: Subscription, field: string, body: (event: Json) => string) =>
      subscription.results.map((result) => body(result.data?.[field]));
    const eventIds = (subscription: Subscription, field: string) =>
      subscription.results.map((result) => Number(result.data?.[field]?.eventId));
    const expected = (kind: string) => [
      `${kind} before`,
      ...[1, 2, 3, 4].map((index) => `${kind} during ${index}`),
      `${kind} from a process that exits`,
      `${kind} after`,
    ];
    expect(liveBefore).toBe(true);
    expect(redisPid).toEqual(expect.any(Number));
    expect(lossNoticed).toBe(true);
    expect(Math.max(...durations)).toBeLessThan(MAX_MUTATION_MS);
    expect(thirdExit).toBe(0);
    expect(readyDuring.map((response) => response.status)).toEqual([503, 503]);
    expect(readyDuringBodies[0]).toMatchObject({ pubsub: 'redis unreachable', database: 'ok' });
    expect(healthDuring.status).toBe(200);
    expect(deliveredDuring).toBe(2);
    expect(caughtUp).toBe(true);
    expect(readyAfter).toBe(true);
    expect(bodies(replies, 'threadActivity', (event) => event?.post?.body)).toEqual(
      expected('reply'),
    );
    expect(bodies(chat, 'liveSessionEvents', (event) => event?.chatMessage?.body)).toEqual(
      expected('chat'),
    );
    for (const [subscription, field] of [
      [replies, 'threadActivity'],
      [chat, 'liveSessionEvents'],
    ] as const) {
      const ids = eventIds(subscription, field);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(logged(first, 'Redis reconnected')).toBe(true);
    // A rejected publish once surfaced as "Unhandled promise rejection" errors.
    expect(
      [first, second, third].flatMap((server) =>
        server.logs.filter((entry) => Number(entry.level) >= 50).map((entry) => entry.msg),
      ),
    ).toEqual([]);
  });
});
