import { type Client, createClient } from 'graphql-ws';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { openDatabase } from '../../drizzle/db.ts';
import { createLogger } from '../../server/log.ts';
import { createEventBus } from '../../server/pubsub/event-bus.ts';
import { EventHub } from '../../server/pubsub/event-hub.ts';
import {
  type PrivatePostgres,
  privatePostgresAvailable,
  startPrivatePostgres,
} from '../helpers/private-services.ts';
import {
  graphqlAt,
  mutationDocument,
  type ServerProcess,
  startServerProcess,
  succeedAt,
  waitFor,
} from '../helpers/process.ts';
import { type Json, rowIdOf } from '../helpers/server.ts';

const ready = privatePostgresAvailable();

/** Maximum time a write may take to fail while PostgreSQL is down. */
const FAIL_FAST_MS = 2000;
/** Maximum wait for PostgreSQL to accept writes again, and for subscribers to catch up. */
const RECOVERY_MS = 15_000;
/** Pause between two writes of the traffic loop, and the maximum number of writes. */
const TRAFFIC_PAUSE_MS = 100;
const MAX_TRAFFIC_WRITES = 300;

const THREAD_ACTIVITY = `subscription($id: ID!, $after: String) {
  threadActivity(threadId: $id, after: $after) { eventId type post { body } } }`;
const LIVE_SESSION_EVENTS = `subscription($id: ID!, $after: String) {
  liveSessionEvents(liveSessionId: $id, after: $after) { eventId type chatMessage { body } } }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a write's response said: saved (a success, or UNAVAILABLE with outcome SAVED when loading
 * the result failed after the commit), not saved (UNAVAILABLE), saved or not (UNAVAILABLE with
 * outcome UNKNOWN, when the connection failed during COMMIT), or anything else.
 */
type WriteResult = 'committed' | 'unavailable' | 'unknown' | 'other';

const OUTCOMES: Record<string, WriteResult> = { SAVED: 'committed', UNKNOWN: 'unknown' };

interface Outcome {
  kind: 'reply' | 'chat';
  body: string;
  result: WriteResult;
  ms: number;
  detail: string;
}

interface Follower {
  /** Event ids received, in order, with the body of the post or chat message. */
  events: { id: number; body: string | null }[];
  /** How many times the subscription ended and was started again. */
  readonly restarts: number;
  stop(): Promise<void>;
}

/**
 * Subscribes like a careful client: when the subscription ends, fails or returns an error, it
 * subscribes again with `after` set to the last event it received, so it misses none.
 */
function follow(
  url: string,
  token: string,
  query: string,
  field: string,
  body: (event: Json) => string | null,
  variables: Record<string, unknown>,
  afterId: number,
): Follower {
  const client: Client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: 50,
    shouldRetry: () => true,
    retryWait: async () => {
      await sleep(200);
    },
  });
  const events: Follower['events'] = [];
  let restarts = 0;
  let stopped = false;
  let unsubscribe = () => {};

  const restart = () => {
    unsubscribe();
    if (stopped || restarts >= 100) {
      return;
    }
    restarts += 1;
    setTimeout(start, 200);
  };
  const start = () => {
    if (stopped) {
      return;
    }
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        restart();
      }
    };
    const after = String(events.at(-1)?.id ?? afterId);
    unsubscribe = client.subscribe(
      { query, variables: { ...variables, after } },
      {
        next: (result) => {
          const event = (result.data as Json)?.[field];
          if (result.errors || !event) {
            end();
            return;
          }
          events.push({ id: Number(event.eventId), body: body(event) });
        },
        error: end,
        complete: end,
      },
    );
  };
  start();
  return {
    events,
    get restarts() {
      return restarts;
    },
    stop: async () => {
      stopped = true;
      unsubscribe();
      await client.dispose();
    },
  };
}

describe.skipIf(!ready)('restarting PostgreSQL under live traffic', () => {
  let cluster: PrivatePostgres;
  let databaseUrl: string;
  let server: ServerProcess;
  let hostToken: string;
  const memberTokens: string[] = [];
  let threadId: string;
  let liveSessionId: string;

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    databaseUrl = await cluster.createDatabase('staffroom_restart');
    server = await startServerProcess({
      DATABASE_URL: databaseUrl,
      REMINDER_INTERVAL_MS: '600000',
    });
    const signUp = async (name: string) => {
      const result = await graphqlAt(
        server.url,
        'mutation($input: SignUpInput!) { signUp(input: $input) { ... on MutationSignUpSuccess { data { token } } } }',
        {
          input: {
            email: `${name.toLowerCase()}@example.org`,
            password: 'restart drill password',
            displayName: name,
          },
        },
      );
      return result.body.data.signUp.data.token as string;
    };
    hostToken = await signUp('Host');
    const community = await succeedAt(
      server.url,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Restart Drill', focus: 'STEM', visibility: 'PUBLIC' },
      hostToken,
    );
    // The room allows each person 10 writes in 10 seconds, so six members share the chat.
    for (const name of ['Ana', 'Ben', 'Cai', 'Dee', 'Eli', 'Fay']) {
      const token = await signUp(name);
      await succeedAt(
        server.url,
        'joinCommunity',
        'CommunityIdInput',
        { communityId: community.id },
        token,
      );
      memberTokens.push(token);
    }
    threadId = (
      await succeedAt(
        server.url,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: 'Restart drill', body: 'x' },
        hostToken,
      )
    ).id;
    const hour = 3_600_000;
    liveSessionId = (
      await succeedAt(
        server.url,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId: community.id,
          title: 'Restart drill',
          startsAt: new Date(Date.now() + hour).toISOString(),
          endsAt: new Date(Date.now() + 2 * hour).toISOString(),
          timeZone: 'UTC',
        },
        hostToken,
      )
    ).id;
    await succeedAt(
      server.url,
      'startLiveSession',
      'LiveSessionIdInput',
      { liveSessionId },
      hostToken,
    );
  });

  afterAll(async () => {
    await server?.terminate();
    await cluster?.destroy();
  });

  test('fails writes fast and delivers exactly the committed events', async () => {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const latestId = async (topic: string) =>
      Number(
        (await sql`select coalesce(max(id), 0)::int as id from events where topic = ${topic}`)[0]
          ?.id,
      );
    const threadTopic = `thread:${rowIdOf(threadId)}`;
    const liveSessionTopic = `live-session:${rowIdOf(liveSessionId)}`;
    const threadAfter = await latestId(threadTopic);
    const chatAfter = await latestId(liveSessionTopic);
    const replies = follow(
      server.url,
      hostToken,
      THREAD_ACTIVITY,
      'threadActivity',
      (event) => event.post?.body ?? null,
      { id: threadId },
      threadAfter,
    );
    const chat = follow(
      server.url,
      hostToken,
      LIVE_SESSION_EVENTS,
      'liveSessionEvents',
      (event) => event.chatMessage?.body ?? null,
      { id: liveSessionId },
      chatAfter,
    );

    const outcomes: Outcome[] = [];
    let trafficOn = true;
    const write = async (index: number) => {
      const kind = index % 2 === 0 ? 'reply' : 'chat';
      const body = `${kind} ${index}`;
      const [field, inputType, input, token] =
        kind === 'reply'
          ? ['createPost', 'CreatePostInput', { threadId, body }, hostToken]
          : [
              'sendChatMessage',
              'SendChatMessageInput',
              { liveSessionId, body },
              memberTokens[((index - 1) / 2) % memberTokens.length],
            ];
      const started = performance.now();
      let result: WriteResult = 'other';
      let detail = '';
      try {
        const response = await graphqlAt(
          server.url,
          mutationDocument(field, inputType),
          { input },
          token,
        );
        detail = `HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
        if (response.body.data?.[field]?.__typename?.endsWith('Success')) {
          result = 'committed';
        } else if (response.body.errors?.[0]?.extensions?.code === 'UNAVAILABLE') {
          result = OUTCOMES[response.body.errors[0].extensions.outcome] ?? 'unavailable';
        }
      } catch (error) {
        detail = String(error);
      }
      outcomes.push({ kind, body, result, ms: performance.now() - started, detail });
    };
    const traffic = (async () => {
      for (let index = 0; trafficOn && index < MAX_TRAFFIC_WRITES; index += 1) {
        await write(index);
        await sleep(TRAFFIC_PAUSE_MS);
      }
    })();

    // A socket opened before the outage, to run operations over WebSocket during it.
    let socketConnected = () => {};
    const connected = new Promise<void>((resolve) => {
      socketConnected = resolve;
    });
    const socket = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${hostToken}` },
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => socketConnected() },
    });
    await connected;
    await sleep(1000);
    await cluster.stop('fast');
    const stoppedAt = outcomes.length;
    await sleep(300);
    const probeStarted = performance.now();
    const probe = await graphqlAt(
      server.url,
      mutationDocument('createPost', 'CreatePostInput'),
      { input: { threadId, body: 'probe while down' } },
      hostToken,
    );
    const probeMs = performance.now() - probeStarted;
    const healthDown = await fetch(`${server.url}/healthz`);
    const healthDownBody = await healthDown.json();
    const readyDown = await fetch(`${server.url}/readyz`);
    const overSocket = (query: string, variables: Json) =>
      new Promise<Json[]>((resolve) => {
        const results: Json[] = [];
        socket.subscribe(
          { query, variables },
          {
            next: (result) => results.push(result),
            error: (error) => resolve([...results, { socketError: error }]),
            complete: () => resolve(results),
          },
        );
      });
    const socketWrite = await overSocket(mutationDocument('createPost', 'CreatePostInput'), {
      input: { threadId, body: 'socket write while down' },
    });
    const socketSubscribe = await overSocket(THREAD_ACTIVITY, { id: threadId, after: '1' });
    await socket.dispose();
    await sleep(1000);

    await cluster.start();
    const writesResumed = await waitFor(
      () => outcomes.slice(stoppedAt).some((outcome) => outcome.result === 'committed'),
      RECOVERY_MS,
    );
    await sleep(1000);
    trafficOn = false;
    await traffic;
    const healthUp = await (await fetch(`${server.url}/healthz`)).json();

    const eventIds = async (topic: string, after: number) =>
      (
        await sql`select id::int as id from events where topic = ${topic} and id > ${after} order by id`
      ).map((row) => Number(row.id));
    const caughtUp = await waitFor(
      async () =>
        replies.events.at(-1)?.id === (await eventIds(threadTopic, threadAfter)).at(-1) &&
        chat.events.at(-1)?.id === (await eventIds(liveSessionTopic, chatAfter)).at(-1),
      RECOVERY_MS,
    );
    // Time for a duplicate to show up.
    await sleep(500);
    await Promise.all([replies.stop(), chat.stop()]);
    const committedReplies = (
      await sql`select body from posts where thread_id = ${rowIdOf(threadId)} and body like 'reply %' order by id`
    ).map((row) => String(row.body));
    const committedChat = (
      await sql`select body from chat_messages where live_session_id = ${rowIdOf(liveSessionId)} order by id`
    ).map((row) => String(row.body));
    const probeCommitted = await sql`select 1 from posts where body = 'probe while down'`;
    const threadIds = await eventIds(threadTopic, threadAfter);
    const chatIds = await eventIds(liveSessionTopic, chatAfter);
    await sql.end({ timeout: 5 });

    const unavailable = outcomes.filter(
      (outcome) => outcome.result === 'unavailable' || outcome.result === 'unknown',
    );
    const saved = new Set([...committedReplies, ...committedChat]);
    expect(outcomes.filter((outcome) => outcome.result === 'other')).toEqual([]);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(Math.max(...unavailable.map((outcome) => outcome.ms))).toBeLessThan(FAIL_FAST_MS);
    expect(probe.status).toBe(503);
    expect(probe.retryAfter).toBe('5');
    expect(probe.body.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(probe.body.errors?.[0]?.message).toMatch(/database is unavailable/);
    expect(probeMs).toBeLessThan(FAIL_FAST_MS);
    expect(probeCommitted).toHaveLength(0);
    expect(healthDown.status).toBe(200);
    expect(healthDownBody).toMatchObject({ status: 'ok', database: 'unreachable' });
    expect(readyDown.status).toBe(503);
    expect(socketWrite.map((result) => result.errors?.[0]?.extensions?.code)).toEqual([
      'UNAVAILABLE',
    ]);
    expect(socketSubscribe.map((result) => result.errors?.[0]?.extensions?.code)).toEqual([
      'UNAVAILABLE',
    ]);
    expect(writesResumed).toBe(true);
    expect(server.child.exitCode).toBeNull();
    expect(healthUp).toMatchObject({ status: 'ok', database: 'ok' });
    expect(caughtUp).toBe(true);
    // None reported saved is missing, and none reported not saved was saved.
    expect(
      outcomes.filter((outcome) => outcome.result === 'committed' && !saved.has(outcome.body)),
    ).toEqual([]);
    expect(
      outcomes.filter((outcome) => outcome.result === 'unavailable' && saved.has(outcome.body)),
    ).toEqual([]);
    // Each subscriber got every committed event of its topic once, in order.
    expect(replies.events.map((event) => event.id)).toEqual(threadIds);
    expect(chat.events.map((event) => event.id)).toEqual(chatIds);
    expect(replies.events.map((event) => event.body).filter(Boolean)).toEqual(committedReplies);
    expect(chat.events.map((event) => event.body).filter(Boolean)).toEqual(committedChat);
    expect(server.logs.map((entry) => entry.msg)).toEqual(
      expect.arrayContaining([
        'Database unreachable; requests fail with UNAVAILABLE until it answers',
        'Database reachable again',
      ]),
    );
  });

  test('delivers an event whose first read failed', async () => {
    const log = createLogger('silent');
    const database = openDatabase({ url: databaseUrl, dataDir: 'memory://' });
    const hub = new EventHub(database.db, createEventBus(undefined, log), log);
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const topic = 'restart-drill:retry';
    const abort = new AbortController();
    const stream = hub.subscribe(topic, null, abort.signal);
    const next = stream.next();
    await sleep(300);

    const [inserted] =
      await sql`insert into events (topic, type, payload) values (${topic}, 'drill', '{}') returning id::int as id`;
    await sql.end({ timeout: 5 });
    await cluster.stop('fast');
    // This read fails, and no later notice comes: only trying again delivers the event.
    hub.wake(topic);
    await sleep(500);
    await cluster.start();
    const received = await Promise.race([next, sleep(RECOVERY_MS).then(() => null)]);
    abort.abort();
    await stream.return(undefined);
    hub.close();
    await database.close();

    expect(received?.done).toBe(false);
    expect(received?.value?.id).toBe(Number(inserted?.id));
  });
});
