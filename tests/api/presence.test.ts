/**
 * Presence in live session rooms: heartbeats, leaving and timeouts announced as PRESENCE signals,
 * with two server processes on one PostgreSQL database and one Redis, each running the sweep.
 * Presence counts leave out heartbeats older than the timeout even before the sweep runs.
 */
import { randomBytes } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { liveAttendance, livePresence, memberships, users } from '../../drizzle/tables/index.ts';
import { createAuthSession } from '../../server/services/account.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  type Subscription,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable, TEST_REDIS_URL } from '../helpers/services.ts';

interface Person {
  id: string;
  rowId: number;
  token: string;
  displayName: string;
}

const SIGNALS = `subscription($id: ID!) { liveRoomSignals(liveSessionId: $id) {
  type userId displayName present presentCount } }`;
const HEARTBEAT = `mutation($input: LiveRoomHeartbeatInput!) { liveRoomHeartbeat(input: $input) {
  __typename ... on Error { message } ... on MutationLiveRoomHeartbeatSuccess { data { presentCount } } } }`;
const LEAVE = `mutation($input: LeaveLiveRoomInput!) { leaveLiveRoom(input: $input) {
  __typename ... on Error { message } ... on MutationLeaveLiveRoomSuccess { data { presentCount } } } }`;
const PRESENT = `query($id: ID!) { liveSession(id: $id) {
  presentCount presentParticipants(first: 10) { nodes { id displayName } } } }`;

// Other test files share the Redis server, and their room ids can equal ours, so each run's
// names carry a suffix and the checks keep only this run's PRESENCE signals.
const RUN = randomBytes(3).toString('hex');

function rowIdOf(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Returns the PRESENCE signals received about these people, in order. */
function presenceOf(subscription: Subscription, people: Person[]): Json[] {
  const keys = new Set(people.map((person) => `${person.id} ${person.displayName}`));
  return subscription.results
    .map((result) => result.data?.liveRoomSignals)
    .filter(
      (signal) => signal?.type === 'PRESENCE' && keys.has(`${signal.userId} ${signal.displayName}`),
    )
    .map(({ displayName, present, presentCount }) => ({ displayName, present, presentCount }));
}

/** Waits until `check` returns true, polling every 25 ms, or fails after `timeoutMs`. */
async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(25);
  }
}

interface Room {
  server: TestServer;
  host: Person;
  communityId: string;
  counter: number;
}

async function openRoom(server: TestServer, name: string): Promise<Room> {
  const signedUp = await signUpUser(server, { displayName: `Hana ${RUN}` });
  const host = { ...signedUp, rowId: rowIdOf(signedUp.id), displayName: `Hana ${RUN}` };
  const community = await mutate(
    server,
    'createCommunity',
    'CreateCommunityInput',
    { name, focus: 'STEM', visibility: 'PUBLIC' },
    'id',
    host.token,
  );
  return { server, host, communityId: community.id, counter: 0 };
}

/** Creates a member straight in the database, since sign-ups are rate limited per address. */
async function member(room: Room, name: string): Promise<Person> {
  room.counter += 1;
  const displayName = `${name} ${RUN}`;
  const { db } = room.server.database;
  const [user] = await db
    .insert(users)
    .values({ email: `presence${room.counter}-${RUN}@example.org`, displayName })
    .returning();
  if (!user) {
    throw new Error('Inserting a user returned no row');
  }
  await db.insert(memberships).values({
    communityId: rowIdOf(room.communityId),
    userId: user.id,
    role: 'member',
    status: 'active',
  });
  const { token } = await createAuthSession(db, user, 'bearer');
  return { id: encodeGlobalID('User', user.id), rowId: user.id, token, displayName };
}

async function schedule(room: Room, title: string): Promise<string> {
  const session = await mutate(
    room.server,
    'scheduleLiveSession',
    'ScheduleLiveSessionInput',
    {
      communityId: room.communityId,
      title,
      startsAt: new Date(Date.now() + 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_660_000).toISOString(),
      timeZone: 'UTC',
    },
    'id',
    room.host.token,
  );
  return session.id;
}

async function heartbeat(
  server: TestServer,
  person: Person,
  liveSessionId: string,
  visible = true,
): Promise<Json> {
  const result = await server.graphql(
    HEARTBEAT,
    { input: { liveSessionId, visible } },
    { token: person.token },
  );
  return result.body.data.liveRoomHeartbeat;
}

async function leave(server: TestServer, person: Person, liveSessionId: string): Promise<Json> {
  const result = await server.graphql(LEAVE, { input: { liveSessionId } }, { token: person.token });
  return result.body.data.leaveLiveRoom;
}

/**
 * Sends a heartbeat every `everyMs` until stopped, as an open room does, and stops by itself
 * after 30 seconds.
 */
function keepAlive(
  server: TestServer,
  person: Person,
  liveSessionId: string,
  everyMs = 250,
): () => Promise<void> {
  let inFlight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = heartbeat(server, person, liveSessionId);
  }, everyMs);
  const limit = setTimeout(() => clearInterval(timer), 30_000);
  return async () => {
    clearInterval(timer);
    clearTimeout(limit);
    // A heartbeat still on its way would otherwise bring the person back after they leave.
    await inFlight;
  };
}

const ready = await servicesAvailable('postgres', 'redis');
const FAST = { PRESENCE_TIMEOUT_MS: '1500', PRESENCE_SWEEP_INTERVAL_MS: '100' };

describe.skipIf(!ready)('presence across two server processes', () => {
  let database: TestDatabase;
  let first: TestServer;
  let second: TestServer;
  let room: Room;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    first = await startTestServer({ database, redisUrl: TEST_REDIS_URL, env: FAST });
    second = await startTestServer({ database, redisUrl: TEST_REDIS_URL, env: FAST });
    room = await openRoom(first, 'Presence Circle');
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await database?.drop();
  });

  test('announces an arrival on the other server', async () => {
    const ana = await member(room, 'Ana');
    const ben = await member(room, 'Ben');
    const liveSessionId = await schedule(room, 'Arrivals');
    const watcher = second.subscribe(SIGNALS, { id: liveSessionId }, { token: room.host.token });
    await watcher.settle(300);

    const anaFirst = await heartbeat(first, ana, liveSessionId);
    const stopAna = keepAlive(first, ana, liveSessionId);
    await waitUntil(() => presenceOf(watcher, [ana]).length === 1, 5000, 'Ana to arrive');
    const benFirst = await heartbeat(second, ben, liveSessionId);
    const stopBen = keepAlive(second, ben, liveSessionId);
    await waitUntil(() => presenceOf(watcher, [ben]).length === 1, 5000, 'Ben to arrive');
    // Several more heartbeats of each go by; none of them is an arrival.
    await sleep(800);
    const seen = await second.graphql(PRESENT, { id: liveSessionId }, { token: ana.token });
    await stopAna();
    await stopBen();
    await leave(first, ana, liveSessionId);
    await leave(first, ben, liveSessionId);
    await watcher.close();

    expect(anaFirst).toEqual({
      __typename: 'MutationLiveRoomHeartbeatSuccess',
      data: { presentCount: 1 },
    });
    expect(benFirst.data.presentCount).toBe(2);
    expect(presenceOf(watcher, [ana, ben]).slice(0, 2)).toEqual([
      { displayName: ana.displayName, present: true, presentCount: 1 },
      { displayName: ben.displayName, present: true, presentCount: 2 },
    ]);
    expect(seen.body.data.liveSession).toEqual({
      presentCount: 2,
      presentParticipants: {
        nodes: [
          { id: ana.id, displayName: ana.displayName },
          { id: ben.id, displayName: ben.displayName },
        ],
      },
    });
  });

  test('announces leaving once on both servers', async () => {
    const ana = await member(room, 'Ana');
    const ben = await member(room, 'Ben');
    const liveSessionId = await schedule(room, 'Leaving');
    const watchers = [first, second].map((server) =>
      server.subscribe(SIGNALS, { id: liveSessionId }, { token: room.host.token }),
    );
    await Promise.all(watchers.map((watcher) => watcher.settle(300)));
    await heartbeat(first, ana, liveSessionId);
    await heartbeat(second, ben, liveSessionId);
    const stopAna = keepAlive(first, ana, liveSessionId);
    const stopBen = keepAlive(second, ben, liveSessionId);

    await stopAna();
    const left = await leave(first, ana, liveSessionId);
    const leftAgain = await leave(second, ana, liveSessionId);
    await Promise.all(
      watchers.map((watcher) =>
        waitUntil(() => presenceOf(watcher, [ana]).length === 2, 5000, 'Ana to leave'),
      ),
    );
    await sleep(500);
    await stopBen();
    await leave(second, ben, liveSessionId);
    await Promise.all(watchers.map((watcher) => watcher.close()));

    expect(left).toEqual({
      __typename: 'MutationLeaveLiveRoomSuccess',
      data: { presentCount: 1 },
    });
    expect(leftAgain.__typename).toBe('MutationLeaveLiveRoomSuccess');
    for (const watcher of watchers) {
      expect(presenceOf(watcher, [ana])).toEqual([
        { displayName: ana.displayName, present: true, presentCount: 1 },
        { displayName: ana.displayName, present: false, presentCount: 1 },
      ]);
    }
  });

  test('announces a timeout once with two sweeps running', async () => {
    const ana = await member(room, 'Ana');
    const ben = await member(room, 'Ben');
    const liveSessionId = await schedule(room, 'Timeouts');
    await mutate(
      first,
      'startLiveSession',
      'LiveSessionIdInput',
      { liveSessionId },
      'id',
      room.host.token,
    );
    const watchers = [first, second].map((server) =>
      server.subscribe(SIGNALS, { id: liveSessionId }, { token: room.host.token }),
    );
    await Promise.all(watchers.map((watcher) => watcher.settle(300)));
    await heartbeat(first, ana, liveSessionId);
    const stopBen = keepAlive(second, ben, liveSessionId);

    // Ana's heartbeats stop: after the 1.5 s timeout one of the sweeps removes her.
    await Promise.all(
      watchers.map((watcher) =>
        waitUntil(
          () => presenceOf(watcher, [ana]).some((signal) => signal.present === false),
          8000,
          'Ana to time out',
        ),
      ),
    );
    // Both processes sweep every 100 ms; a second announcement would arrive within this wait.
    await sleep(1000);
    const counted = await first.graphql(PRESENT, { id: liveSessionId }, { token: ben.token });
    const [anaPresence] = await first.database.db
      .select()
      .from(livePresence)
      .where(
        and(
          eq(livePresence.liveSessionId, rowIdOf(liveSessionId)),
          eq(livePresence.userId, ana.rowId),
        ),
      );
    const [anaAttendance] = await first.database.db
      .select()
      .from(liveAttendance)
      .where(
        and(
          eq(liveAttendance.liveSessionId, rowIdOf(liveSessionId)),
          eq(liveAttendance.userId, ana.rowId),
        ),
      );
    await stopBen();
    await leave(second, ben, liveSessionId);
    await Promise.all(watchers.map((watcher) => watcher.close()));

    for (const watcher of watchers) {
      expect(presenceOf(watcher, [ana])).toEqual([
        { displayName: ana.displayName, present: true, presentCount: 1 },
        { displayName: ana.displayName, present: false, presentCount: 1 },
      ]);
    }
    expect(counted.body.data.liveSession.presentCount).toBe(1);
    expect(counted.body.data.liveSession.presentParticipants.nodes).toEqual([
      { id: ben.id, displayName: ben.displayName },
    ]);
    expect(anaPresence).toBeUndefined();
    expect(anaAttendance?.lastLeftAt).not.toBeNull();
  }, 30_000);
});

describe.each(await databaseKinds())('presence counts on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let room: Room;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // No sweep runs during these tests, so stale rows stay in the table.
    server = await startTestServer({ database, env: { PRESENCE_SWEEP_INTERVAL_MS: '600000' } });
    room = await openRoom(server, 'Counting Circle');
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('leaves out heartbeats older than the timeout', async () => {
    const fresh = await member(room, 'Fay');
    const stale = await member(room, 'Stu');
    const liveSessionId = await schedule(room, 'Stale rows');
    const watcher = server.subscribe(SIGNALS, { id: liveSessionId }, { token: room.host.token });
    await watcher.settle(300);
    await heartbeat(server, fresh, liveSessionId);
    await heartbeat(server, stale, liveSessionId);

    await server.database.db.execute(
      sql`update live_presence set last_seen_at = now() - interval '2 minutes'
        where live_session_id = ${rowIdOf(liveSessionId)} and user_id = ${stale.rowId}`,
    );
    const counted = await server.graphql(PRESENT, { id: liveSessionId }, { token: fresh.token });
    const back = await heartbeat(server, stale, liveSessionId);
    await waitUntil(() => presenceOf(watcher, [stale]).length === 2, 5000, 'Stu to return');
    const recounted = await server.graphql(PRESENT, { id: liveSessionId });
    await watcher.close();

    expect(counted.body.data.liveSession).toEqual({
      presentCount: 1,
      presentParticipants: { nodes: [{ id: fresh.id, displayName: fresh.displayName }] },
    });
    expect(back.data.presentCount).toBe(2);
    // A heartbeat after the timeout joins the room again.
    expect(presenceOf(watcher, [stale])).toEqual([
      { displayName: stale.displayName, present: true, presentCount: 2 },
      { displayName: stale.displayName, present: true, presentCount: 2 },
    ]);
    expect(recounted.body.data.liveSession.presentCount).toBe(2);
  });

  test('one room at a time', async () => {
    const person = await member(room, 'Roy');
    const first = await schedule(room, 'First room');
    const second = await schedule(room, 'Second room');
    const watcher = server.subscribe(SIGNALS, { id: first }, { token: room.host.token });
    await watcher.settle(300);
    await heartbeat(server, person, first);
    await heartbeat(server, person, second);
    await waitUntil(() => presenceOf(watcher, [person]).length === 2, 5000, 'Roy to move');
    const firstCount = await server.graphql(PRESENT, { id: first });
    const secondCount = await server.graphql(PRESENT, { id: second });
    await watcher.close();

    expect(presenceOf(watcher, [person])).toEqual([
      { displayName: person.displayName, present: true, presentCount: 1 },
      { displayName: person.displayName, present: false, presentCount: 0 },
    ]);
    expect(firstCount.body.data.liveSession.presentCount).toBe(0);
    expect(secondCount.body.data.liveSession.presentCount).toBe(1);
  });

  test('removed member leaves the room', async () => {
    const person = await member(room, 'Rex');
    const liveSessionId = await schedule(room, 'Removal');
    await heartbeat(server, person, liveSessionId);
    const before = await server.graphql(PRESENT, { id: liveSessionId });
    await mutate(
      server,
      'removeMember',
      'RemoveMemberInput',
      { communityId: room.communityId, userId: person.id },
      'id',
      room.host.token,
    );
    const after = await server.graphql(PRESENT, { id: liveSessionId });

    expect(before.body.data.liveSession.presentCount).toBe(1);
    expect(after.body.data.liveSession.presentCount).toBe(0);
  });

  test('rejects heartbeats in a closed room', async () => {
    const early = await member(room, 'Eve');
    const other = await member(room, 'Oli');
    const liveSessionId = await schedule(room, 'Cancelled');
    await heartbeat(server, early, liveSessionId);
    await heartbeat(server, other, liveSessionId);

    await mutate(
      server,
      'cancelLiveSession',
      'LiveSessionIdInput',
      { liveSessionId },
      'id',
      room.host.token,
    );
    const refused = await heartbeat(server, early, liveSessionId);
    const counted = await server.graphql(PRESENT, { id: liveSessionId });

    expect(refused).toEqual({
      __typename: 'ConflictError',
      message: `Live session ${rowIdOf(liveSessionId)} is cancelled; its room is closed.`,
    });
    expect(counted.body.data.liveSession.presentCount).toBe(0);
  });
});
