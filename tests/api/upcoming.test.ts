/**
 * The viewer's list of upcoming live sessions across communities: only communities the viewer
 * may read, only scheduled or live sessions, within a window of at most 62 days, soonest first.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const HOUR_MS = 3_600_000;
const rowIdOf = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
const DAY_MS = 24 * HOUR_MS;

const UPCOMING = `query($first: Int, $after: String, $from: DateTime, $to: DateTime) {
  upcomingLiveSessions(first: $first, after: $after, from: $from, to: $to) {
    nodes { id title startsAt status community { slug } }
    pageInfo { hasNextPage endCursor } } }`;

describe.each(await databaseKinds())('upcomingLiveSessions on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: { id: string; token: string };
  let outsider: { id: string; token: string };
  let publicCommunity: Json;
  let privateCommunity: Json;
  let listedCommunity: Json;

  const createCommunity = (name: string, visibility: string, listed?: boolean) =>
    mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name, focus: 'STEM', visibility, ...(listed !== undefined && { listed }) },
      'id slug',
      host.token,
    );

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    host = await signUpUser(server, { displayName: 'Uma Host' });
    outsider = await signUpUser(server, { displayName: 'Oscar Outside' });
    publicCommunity = await createCommunity('Open Upcoming', 'PUBLIC');
    privateCommunity = await createCommunity('Hidden Upcoming', 'PRIVATE', false);
    listedCommunity = await createCommunity('Listed Upcoming', 'PRIVATE', true);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function schedule(communityId: string, title: string, startsInMs: number): Promise<Json> {
    const startsAt = new Date(Date.now() + startsInMs);
    return mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + HOUR_MS).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id title',
      host.token,
    );
  }

  /** Reads every page of the list, one session a page, so that no page can leak a session. */
  async function readAllPages(
    token: string | undefined,
    window: { from?: string; to?: string } = {},
  ): Promise<Json[]> {
    const nodes: Json[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const result = await server.graphql(UPCOMING, { first: 1, after, ...window }, { token });
      if (result.body.errors) {
        throw new Error(`upcomingLiveSessions failed: ${JSON.stringify(result.body.errors)}`);
      }
      const connection = result.body.data.upcomingLiveSessions;
      nodes.push(...connection.nodes);
      if (!connection.pageInfo.hasNextPage) {
        return nodes;
      }
      after = connection.pageInfo.endCursor;
    }
    throw new Error('upcomingLiveSessions returned more than 100 pages');
  }

  const titles = (nodes: Json[]) => nodes.map((node) => node.title);

  test('never lists private communities of others', async () => {
    await schedule(publicCommunity.id, 'Open planning hour', 2 * DAY_MS);
    await schedule(privateCommunity.id, 'Hidden planning hour', 2 * DAY_MS);
    await schedule(listedCommunity.id, 'Listed planning hour', 2 * DAY_MS);
    await mutate(
      server,
      'requestToJoin',
      'RequestToJoinInput',
      { communityId: listedCommunity.id },
      'status',
      outsider.token,
    );

    const forOutsider = titles(await readAllPages(outsider.token));
    const signedOut = titles(await readAllPages(undefined));
    const forHost = titles(await readAllPages(host.token));

    expect(forOutsider).toContain('Open planning hour');
    expect(forOutsider).not.toContain('Hidden planning hour');
    expect(forOutsider).not.toContain('Listed planning hour');
    expect(signedOut).toContain('Open planning hour');
    expect(signedOut).not.toContain('Hidden planning hour');
    expect(signedOut).not.toContain('Listed planning hour');
    expect(forHost).toContain('Hidden planning hour');
    expect(forHost).toContain('Listed planning hour');
  });

  test('orders by start within the window', async () => {
    const base = 20 * DAY_MS;
    await schedule(publicCommunity.id, 'Window third', base + 3 * HOUR_MS);
    await schedule(publicCommunity.id, 'Window first', base + HOUR_MS);
    await schedule(publicCommunity.id, 'Window second', base + 2 * HOUR_MS);
    await schedule(publicCommunity.id, 'Window after', base + 2 * DAY_MS);
    const from = new Date(Date.now() + base).toISOString();
    const to = new Date(Date.now() + base + DAY_MS).toISOString();

    const nodes = await readAllPages(outsider.token, { from, to });

    expect(titles(nodes)).toEqual(['Window first', 'Window second', 'Window third']);
    expect(nodes.every((node) => node.startsAt >= from && node.startsAt < to)).toBe(true);
  });

  test('lists a session already running', async () => {
    const running = await schedule(publicCommunity.id, 'Started a while ago', HOUR_MS);
    await mutate(
      server,
      'startLiveSession',
      'LiveSessionIdInput',
      { liveSessionId: running.id },
      'id',
      host.token,
    );
    await server.database.db.execute(
      sql`update live_sessions set starts_at = now() - interval '20 minutes', ends_at = now() + interval '40 minutes' where id = ${rowIdOf(running.id)}`,
    );

    const nodes = await readAllPages(outsider.token);

    expect(titles(nodes)).toContain('Started a while ago');
  });

  test('leaves out cancelled and ended sessions', async () => {
    const base = 30 * DAY_MS;
    const cancelled = await schedule(publicCommunity.id, 'Called off', base);
    const ended = await schedule(publicCommunity.id, 'Already over', base + HOUR_MS);
    const live = await schedule(publicCommunity.id, 'Running now', base + 2 * HOUR_MS);
    for (const [field, liveSession] of [
      ['cancelLiveSession', cancelled],
      ['startLiveSession', ended],
      ['endLiveSession', ended],
      ['startLiveSession', live],
    ]) {
      await mutate(
        server,
        field,
        'LiveSessionIdInput',
        { liveSessionId: liveSession.id },
        'id',
        host.token,
      );
    }
    // Starting a month early moves the session to now, so the default window contains all three.
    const nodes = await readAllPages(outsider.token);
    const listed = titles(nodes);

    expect(listed).toContain('Running now');
    expect(listed).not.toContain('Already over');
    expect(listed).not.toContain('Called off');
    expect(nodes.find((node) => node.title === 'Running now')?.status).toBe('LIVE');
  });

  test('rejects a window longer than 62 days', async () => {
    const from = new Date();
    const tooLong = new Date(from.getTime() + 62 * DAY_MS + 60_000);
    const longest = new Date(from.getTime() + 62 * DAY_MS);

    const rejected = await server.graphql(UPCOMING, {
      from: from.toISOString(),
      to: tooLong.toISOString(),
    });
    const backwards = await server.graphql(UPCOMING, {
      from: from.toISOString(),
      to: from.toISOString(),
    });
    const accepted = await server.graphql(UPCOMING, {
      from: from.toISOString(),
      to: longest.toISOString(),
    });

    expect(rejected.body.data).toBeNull();
    expect(rejected.body.errors[0].extensions.code).toBe('VALIDATION');
    expect(rejected.body.errors[0].message).toContain('at most 62 days');
    expect(backwards.body.errors[0].extensions.code).toBe('VALIDATION');
    expect(accepted.body.errors).toBeUndefined();
    expect(titles(accepted.body.data.upcomingLiveSessions.nodes)).toContain('Open planning hour');
  });
});
