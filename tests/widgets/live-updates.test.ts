import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import {
  type EmbedTarget,
  type Failure,
  runPersisted,
} from '../../client/widgets/runtime/graphql.ts';
import {
  type LiveState,
  type LiveSubscription,
  type LiveTransport,
  startLive,
} from '../../client/widgets/runtime/live.ts';
import { authSessions } from '../../drizzle/tables/index.ts';
import { embedOperationIds } from '../../schema/embed-operations.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const ids = embedOperationIds();
const FEED = { name: 'WidgetCommunityFeed', id: ids.WidgetCommunityFeed };
const ACTIVITY = { name: 'WidgetCommunityActivity', id: ids.WidgetCommunityActivity };
const PORTAL = 'http://localhost:5173';

/** Waits until `check` passes, polling every 20 ms for at most `timeoutMs`. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records what a live subscription reports. */
function createRecorder() {
  const recorder = {
    events: [] as Json[],
    states: [] as { state: LiveState; transport: LiveTransport }[],
    failures: [] as Failure[],
    resyncs: 0,
    lives: () => recorder.states.filter((entry) => entry.state === 'live'),
  };
  return recorder;
}

describe('widget live updates against a server', () => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: { id: string; token: string };
  let community: { id: string; slug: string };
  let embedKey: { id: string; key: string };
  let target: EmbedTarget;
  const subscriptions: LiveSubscription[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Olu Owner' });
    community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Ratio Reasoning', focus: 'STEM', visibility: 'PUBLIC' },
      'id slug',
      owner.token,
    );
    embedKey = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId: community.id, name: 'District portal', allowedOrigins: [PORTAL] },
      'id key',
      owner.token,
    );
    target = { base: server.url, key: embedKey.key, token: null };
  });

  afterAll(async () => {
    for (const subscription of subscriptions) {
      subscription.stop();
    }
    await server?.stop();
    await database?.drop();
  });

  const createThread = (title: string) =>
    mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId: community.id, title, body: 'What works in your classroom?' },
      'id',
      owner.token,
    );

  const readCursor = async (forTarget: EmbedTarget) => {
    const outcome = await runPersisted<Json>(forTarget, FEED, { slug: community.slug, first: 5 });
    if (!('data' in outcome)) {
      throw new Error(`The feed query failed: ${JSON.stringify(outcome.failure)}`);
    }
    return outcome.data.community.eventCursor as string | null;
  };

  const follow = (
    recorder: ReturnType<typeof createRecorder>,
    options: { after: string | null; webSocketImpl?: unknown; forTarget?: EmbedTarget },
  ) => {
    const subscription = startLive({
      target: () => options.forTarget ?? target,
      operation: ACTIVITY,
      variables: { communityId: community.id },
      after: options.after,
      webSocketImpl: options.webSocketImpl ?? WebSocket,
      backoff: () => 300,
      onEvent: (data) => recorder.events.push(data.communityActivity),
      onState: (state, detail) => recorder.states.push({ state, transport: detail.transport }),
      onFailure: (failure) => recorder.failures.push(failure),
      onResync: () => {
        recorder.resyncs += 1;
      },
    });
    subscriptions.push(subscription);
    return subscription;
  };

  test('runs a persisted query by id', async () => {
    const outcome = await runPersisted<Json>(target, FEED, { slug: community.slug, first: 5 });

    expect('data' in outcome && outcome.data.community.name).toBe('Ratio Reasoning');
  });

  test('reports an unknown key as not enabled', async () => {
    const outcome = await runPersisted<Json>(
      { ...target, key: 'ek_unknownkey000000000000' },
      FEED,
      { slug: community.slug, first: 5 },
    );

    expect('failure' in outcome && outcome.failure).toEqual({ kind: 'not-enabled' });
  });

  test('resumes after a dropped socket without repeats', async () => {
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        sockets.push(this);
      }
    }
    const recorder = createRecorder();
    const subscription = follow(recorder, {
      after: await readCursor(target),
      webSocketImpl: TrackedWebSocket,
    });
    await waitFor(() => recorder.lives().length === 1, 'the first connection');
    await new Promise((resolve) => setTimeout(resolve, 100));

    const first = await createThread('Tape diagrams');
    await waitFor(() => recorder.events.length === 1, 'the first event');
    sockets.at(-1)?.terminate();
    const second = await createThread('Double number lines');
    await waitFor(() => recorder.events.length >= 2, 'the missed event');
    await new Promise((resolve) => setTimeout(resolve, 300));
    subscription.stop();

    expect(recorder.events.map((event) => event.thread?.id)).toEqual([first.id, second.id]);
    expect(recorder.events.map((event) => event.type)).toEqual([
      'THREAD_CREATED',
      'THREAD_CREATED',
    ]);
    expect(recorder.lives()).toHaveLength(2);
    expect(recorder.resyncs).toBe(1);
    expect(sockets).toHaveLength(2);
    expect(subscription.lastEventId()).toBe(recorder.events[1]?.eventId);
  });

  test('falls back to server-sent events', async () => {
    // Connections to port 1 are refused, so the WebSocket never opens.
    class BlockedWebSocket extends WebSocket {
      constructor(_address: string, protocols?: string | string[]) {
        super('ws://127.0.0.1:1/embed/graphql', protocols);
      }
    }
    const recorder = createRecorder();
    const subscription = follow(recorder, {
      after: await readCursor(target),
      webSocketImpl: BlockedWebSocket,
    });
    await waitFor(() => recorder.lives().length === 1, 'the event stream');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const thread = await createThread('Ratio tables');
    await waitFor(() => recorder.events.length === 1, 'an event over the stream');
    subscription.stop();

    expect(recorder.lives()[0]?.transport).toBe('sse');
    expect(recorder.events[0]?.thread?.id).toBe(thread.id);
    expect(recorder.failures).toEqual([]);
  });

  test('goes on signed out when the sign-in expires', async () => {
    const member = await signUpUser(server, { displayName: 'Mei Member' });
    const created = await mutate(
      server,
      'createWidgetToken',
      'CreateWidgetTokenInput',
      { embedKey: embedKey.key, origin: PORTAL },
      'token',
      member.token,
    );
    // The server closes the socket when the sign-in expires, so it is made to expire soon.
    await server.database.db
      .update(authSessions)
      .set({ expiresAt: new Date(Date.now() + 3000).toISOString() })
      .where(and(eq(authSessions.kind, 'widget'), eq(authSessions.userId, rowIdOf(member.id))));
    // A widget token works only from the origin it was made for, which a browser sends itself.
    class PortalWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { origin: PORTAL } });
      }
    }
    const current: EmbedTarget = { ...target, token: created.token };
    const recorder = createRecorder();
    const subscription = startLive({
      target: () => current,
      operation: ACTIVITY,
      variables: { communityId: community.id },
      after: await readCursor(target),
      webSocketImpl: PortalWebSocket,
      backoff: () => 100,
      onEvent: (data) => recorder.events.push(data.communityActivity),
      onState: (state, detail) => recorder.states.push({ state, transport: detail.transport }),
      onFailure: (failure) => {
        recorder.failures.push(failure);
        current.token = null;
      },
    });
    subscriptions.push(subscription);
    await waitFor(() => recorder.lives().length === 1, 'the signed-in connection');

    // A loaded machine may take seconds to connect, expire and reconnect; the states recorded
    // so far go into the failure message.
    await waitFor(
      () => recorder.lives().length === 2,
      `the signed-out connection after ${JSON.stringify(recorder.states)}`,
      15_000,
    );
    const thread = await createThread('Unit rates with recipes');
    await waitFor(() => recorder.events.length === 1, 'an event after signing out');
    subscription.stop();

    expect(recorder.failures).toEqual([{ kind: 'signed-out' }]);
    expect(current.token).toBeNull();
    expect(recorder.events[0]?.thread?.id).toBe(thread.id);
  });

  test('stops for good when the key is revoked', async () => {
    const revocable = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId: community.id, name: 'Old portal', allowedOrigins: [PORTAL] },
      'id key',
      owner.token,
    );
    const revocableTarget = { ...target, key: revocable.key };
    const socketRecorder = createRecorder();
    const streamRecorder = createRecorder();
    follow(socketRecorder, {
      after: await readCursor(revocableTarget),
      forTarget: revocableTarget,
    });
    startLiveOverSse(streamRecorder, revocableTarget);
    await waitFor(() => socketRecorder.lives().length === 1, 'the socket');
    await waitFor(() => streamRecorder.lives().length === 1, 'the stream');

    await mutate(
      server,
      'revokeEmbedKey',
      'RevokeEmbedKeyInput',
      { embedKeyId: revocable.id },
      'id',
      owner.token,
    );
    await waitFor(() => socketRecorder.failures.length === 1, 'the socket to close');
    await waitFor(() => streamRecorder.failures.length === 1, 'the stream to end');
    const query = await runPersisted<Json>(revocableTarget, FEED, {
      slug: community.slug,
      first: 5,
    });

    expect(socketRecorder.failures).toEqual([{ kind: 'turned-off' }]);
    expect(socketRecorder.states.at(-1)?.state).toBe('stopped');
    expect(streamRecorder.failures).toEqual([{ kind: 'turned-off' }]);
    expect(streamRecorder.states.at(-1)?.state).toBe('stopped');
    expect('failure' in query && query.failure).toEqual({ kind: 'turned-off' });
  });

  function startLiveOverSse(recorder: ReturnType<typeof createRecorder>, forTarget: EmbedTarget) {
    const subscription = startLive({
      target: () => forTarget,
      operation: ACTIVITY,
      variables: { communityId: community.id },
      after: null,
      preferSse: true,
      backoff: () => 100,
      onEvent: (data) => recorder.events.push(data.communityActivity),
      onState: (state, detail) => recorder.states.push({ state, transport: detail.transport }),
      onFailure: (failure) => recorder.failures.push(failure),
    });
    subscriptions.push(subscription);
  }
});
