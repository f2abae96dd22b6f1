/**
 * Attacks on full-text search. A cursor whose rank lies beyond the range of PostgreSQL's `real`,
 * and a date filter in year 0 or past 9999 in UTC, once failed inside the database with
 * "Unexpected error." instead of naming the bad input. Replies to a removed, held or blocked
 * person's reply were found, though the thread page leaves them out, and such a result's `parent`
 * showed the text of a reply by someone who blocked the viewer. The access cases also cover
 * viewers that tests/api/search.test.ts leaves out: people who asked to join, district staff
 * banned from a district community, and read-only API tokens. Query text with tsquery operators,
 * SQL, NUL, lone surrogates and markup must read as plain words.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  communities,
  districts,
  memberships,
  posts,
  threads,
  userBlocks,
  users,
} from '../../drizzle/tables/index.ts';
import { SEARCH_RATE_LIMIT } from '../../server/services/search.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const SEARCH = `query Search($query: String!, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $query, filter: $filter, first: $first, after: $after) {
    __typename
    ... on ValidationError { issues { path message } }
    ... on QuerySearchSuccess { data {
      pageInfo { hasNextPage endCursor }
      edges { node { kind item {
        __typename
        ... on Thread { id title }
        ... on Community { id name }
      } } }
    } }
  } }`;

type Person = { id: string; token: string; rowId: number };

/** Encodes a search cursor as the server does: base64url JSON of [rank text, kind order, id]. */
function cursorOf(rank: string, kindOrder = 0, id = 1): string {
  return Buffer.from(JSON.stringify([rank, kindOrder, id])).toString('base64url');
}

describe.each(await databaseKinds())('search attacks on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let asker: Person;
  let staff: Person;
  let bannedStaff: Person;
  const community = { open: 0, listed: 0, unlisted: 0, district: 0 };

  const db = () => server.database.db;

  async function person(displayName: string): Promise<Person> {
    const signedUp = await signUpUser(server, { displayName });
    return { ...signedUp, rowId: rowIdOf(signedUp.id) };
  }

  async function insertCommunity(
    slug: string,
    name: string,
    fields: Partial<typeof communities.$inferInsert>,
  ): Promise<number> {
    const [row] = await db()
      .insert(communities)
      .values({ slug, name, focus: 'stem', visibility: 'public', ...fields })
      .returning({ id: communities.id });
    return row?.id ?? 0;
  }

  async function insertThread(communityId: number, title: string): Promise<number> {
    const [row] = await db()
      .insert(threads)
      .values({ communityId, authorId: owner.rowId, title, body: 'x' })
      .returning({ id: threads.id });
    return row?.id ?? 0;
  }

  async function insertPost(
    threadId: number,
    authorId: number,
    body: string,
    fields: Partial<typeof posts.$inferInsert> = {},
  ): Promise<number> {
    const [row] = await db()
      .insert(posts)
      .values({ threadId, authorId, body, ...fields })
      .returning({ id: posts.id });
    return row?.id ?? 0;
  }

  /** Runs a search that must succeed and returns the bodies of the replies it found. */
  async function repliesFound(query: string, token?: string): Promise<string[]> {
    const result = await server.graphql(
      `query($query: String!) { search(query: $query, filter: { kinds: [POST] }) {
        ... on QuerySearchSuccess { data { edges { node { item { ... on Post { body } } } } } } } }`,
      { query },
      { token },
    );
    expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    return result.body.data.search.data.edges.map((edge: Json) => edge.node.item.body).sort();
  }

  const search = (query: string, variables: Json = {}, token?: string) =>
    server.graphql(SEARCH, { query, ...variables }, { token });

  /** Runs a search that must succeed and returns the titles and names it found. */
  async function namesFound(query: string, token?: string): Promise<string[]> {
    const result = await search(query, {}, token);
    expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    expect(result.body.data.search.__typename).toBe('QuerySearchSuccess');
    return result.body.data.search.data.edges
      .map((edge: Json) => edge.node.item.title ?? edge.node.item.name)
      .sort();
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await person('Olive Owner');
    asker = await person('Asa Asker');
    staff = await person('Sam Staff');
    bannedStaff = await person('Bree Banned');

    const [district] = await db()
      .insert(districts)
      .values({ slug: 'quarrytown', name: 'Quarrytown District' })
      .returning({ id: districts.id });
    const districtId = district?.id ?? 0;
    for (const staffMember of [staff, bannedStaff]) {
      await db().update(users).set({ districtId }).where(eq(users.id, staffMember.rowId));
    }

    community.open = await insertCommunity('open-attic', 'Open Attic', {});
    community.listed = await insertCommunity('listed-attic', 'Listed Attic', {
      visibility: 'private',
      listed: true,
    });
    community.unlisted = await insertCommunity('unlisted-attic', 'Unlisted Grottowell', {
      visibility: 'private',
      listed: false,
    });
    community.district = await insertCommunity('district-attic', 'District Attic', {
      visibility: 'district',
      districtId,
    });
    for (const communityId of Object.values(community)) {
      await db().insert(memberships).values({ communityId, userId: owner.rowId, role: 'owner' });
    }
    await db()
      .insert(memberships)
      .values([
        { communityId: community.listed, userId: asker.rowId, status: 'requested' },
        { communityId: community.unlisted, userId: asker.rowId, status: 'requested' },
        { communityId: community.district, userId: bannedStaff.rowId, status: 'banned' },
      ]);
    await insertThread(community.open, 'Cobblewick open notes');
    await insertThread(community.listed, 'Cobblewick listed plans');
    await insertThread(community.unlisted, 'Cobblewick unlisted plans');
    await insertThread(community.district, 'Cobblewick district plans');
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('cursors', () => {
    test('rejects ranks beyond real', async () => {
      for (const rank of ['1e+99', '1e-99', '9'.repeat(60)]) {
        const result = await search('cobblewick', { after: cursorOf(rank) });

        expect(result.body.errors?.[0]?.extensions?.code, rank).toBe('BAD_USER_INPUT');
        expect(result.body.errors?.[0]?.message, rank).toContain('is not a search cursor');
      }
    });

    test('accepts ranks within real', async () => {
      for (const rank of ['0', '0.1', '3.4e+38', '1.2e-38']) {
        const result = await search('cobblewick', { after: cursorOf(rank) });

        expect(result.body.errors, rank).toBeUndefined();
        expect(result.body.data.search.__typename, rank).toBe('QuerySearchSuccess');
      }
    });
  });

  describe('queries', () => {
    test('reads hostile text as words', async () => {
      const queries = [
        "cobblewick & open | !notes :* <-> (x) 'y'",
        "cobblewick open'); drop table threads; --",
        'cobblewick open \\ \\\\ \u0000 \ud800 \u202e',
        'cobblewick open <script>alert(1)</script>',
      ];
      for (const query of queries) {
        const result = await search(query);

        expect(result.body.errors, query).toBeUndefined();
        expect(result.body.data.search.__typename, query).toBe('QuerySearchSuccess');
      }
      expect(await namesFound("cobblewick open'); drop table threads; --")).toEqual([]);
      expect(await namesFound('cobblewick open \\ \u0000 \ud800')).toEqual([
        'Cobblewick open notes',
      ]);
    });
  });

  describe('dates', () => {
    test('rejects instants outside years 1 to 9999', async () => {
      const filters = [
        { from: '0000-01-01T00:00:00Z' },
        { from: '0001-01-01T00:00:00+01:00' },
        { to: '9999-12-31T23:00:00-23:00' },
      ];
      for (const filter of filters) {
        const result = await search('cobblewick', { filter });
        const label = JSON.stringify(filter);

        expect(result.status, label).toBe(400);
        expect(result.body.errors?.[0]?.message, label).toContain('years 0001 to 9999');
      }
    });

    test('accepts the first and last instants', async () => {
      const filter = { from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z' };

      const result = await search('cobblewick open', { filter });

      expect(result.body.errors).toBeUndefined();
      expect(result.body.data.search.data.edges).toHaveLength(1);
    });
  });

  describe('access', () => {
    test('hides content from people who asked to join', async () => {
      expect(await namesFound('cobblewick', asker.token)).toEqual(['Cobblewick open notes']);
      expect(await namesFound('grottowell', asker.token)).toEqual(['Unlisted Grottowell']);
      expect(await namesFound('grottowell')).toEqual([]);
    });

    test('hides district content from banned staff', async () => {
      expect(await namesFound('cobblewick district', staff.token)).toEqual([
        'Cobblewick district plans',
      ]);
      expect(await namesFound('cobblewick district', bannedStaff.token)).toEqual([]);
    });

    test('hides replies under hidden replies', async () => {
      const replier = await person('Rex Replier');
      const viewer = await person('Vic Viewer');
      await db().insert(userBlocks).values({ blockerId: viewer.rowId, blockedId: replier.rowId });
      const thread = await insertThread(community.open, 'Thread with nested replies');
      const now = new Date().toISOString();
      const parents = {
        blocked: await insertPost(thread, replier.rowId, 'by a blocked person'),
        removed: await insertPost(thread, owner.rowId, 'removed', {
          removedAt: now,
          removedById: owner.rowId,
        }),
        held: await insertPost(thread, owner.rowId, 'held', { heldAt: now }),
        deleted: await insertPost(thread, owner.rowId, 'deleted', { deletedAt: now }),
      };
      for (const [label, parentId] of Object.entries(parents)) {
        await insertPost(thread, owner.rowId, `Quillomer under ${label}`, { parentId, depth: 1 });
      }

      expect(await repliesFound('quillomer', viewer.token)).toEqual(['Quillomer under deleted']);
      expect(await repliesFound('quillomer', asker.token)).toEqual([
        'Quillomer under blocked',
        'Quillomer under deleted',
      ]);
      expect(await repliesFound('quillomer')).toEqual([
        'Quillomer under blocked',
        'Quillomer under deleted',
      ]);
    });

    test('hides a parent reply across a block', async () => {
      const replier = await person('Ria Replier');
      const viewer = await person('Val Viewer');
      await db().insert(userBlocks).values({ blockerId: replier.rowId, blockedId: viewer.rowId });
      const thread = await insertThread(community.open, 'Thread with a blocked parent');
      const parentId = await insertPost(thread, replier.rowId, 'Text the viewer must not read');
      const childId = await insertPost(thread, owner.rowId, 'Glimmerfen reply', {
        parentId,
        depth: 1,
      });
      const parentOf = (token: string) =>
        server.graphql(
          `query($id: ID!) { node(id: $id) { ... on Post { body parent { body } } } }`,
          { id: encodeGlobalID('Post', childId) },
          { token },
        );

      const forOthers = await parentOf(asker.token);
      const forViewer = await parentOf(viewer.token);

      expect(await repliesFound('glimmerfen', asker.token)).toEqual(['Glimmerfen reply']);
      expect(await repliesFound('glimmerfen', viewer.token)).toEqual([]);
      expect(forOthers.body.data.node.parent.body).toBe('Text the viewer must not read');
      expect(forViewer.body.errors).toBeUndefined();
      expect(forViewer.body.data.node.body).toBe('Glimmerfen reply');
      expect(forViewer.body.data.node.parent).toBeNull();
    });

    test('finds with a read-only API token', async () => {
      const created = await mutate(
        server,
        'createApiToken',
        'CreateApiTokenInput',
        { name: 'reader', scopes: ['READ'] },
        'token',
        owner.token,
      );

      expect(await namesFound('cobblewick', created.token)).toEqual([
        'Cobblewick district plans',
        'Cobblewick listed plans',
        'Cobblewick open notes',
        'Cobblewick unlisted plans',
      ]);
    });
  });

  describe('limits', () => {
    test('rejects two searches in one operation', async () => {
      const result = await server.graphql(
        `{ first: search(query: "cobblewick") { __typename }
           second: search(query: "plans") { __typename } }`,
      );

      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.body.errors?.[0]?.message).toMatch(/search once/);
    });

    test('limits searches per person and address', async () => {
      const limited = await startTestServer({ database, env: { FLOOD_LIMITS: 'true' } });
      try {
        // People signed up through this server, because a PGlite database is not shared with it.
        const first = await signUpUser(limited, { displayName: 'Fran First' });
        const second = await signUpUser(limited, { displayName: 'Sol Second' });
        const run = (token?: string) =>
          limited.graphql(
            `{ search(query: "cobblewick") { __typename
                 ... on RateLimitedError { retryAfterSeconds message } } }`,
            {},
            { token },
          );
        const allowed: string[] = [];
        for (let attempt = 0; attempt < SEARCH_RATE_LIMIT.limit; attempt += 1) {
          const response = await run(first.token);
          expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
          allowed.push(response.body.data.search.__typename);
        }
        const refused = (await run(first.token)).body.data.search;
        const otherPerson = (await run(second.token)).body.data.search;
        const signedOut = (await run()).body.data.search;

        expect(new Set(allowed)).toEqual(new Set(['QuerySearchSuccess']));
        expect(refused.__typename).toBe('RateLimitedError');
        expect(refused.retryAfterSeconds).toBeGreaterThan(0);
        expect(refused.message).toMatch(/searches a minute/);
        expect(otherPerson.__typename).toBe('QuerySearchSuccess');
        expect(signedOut.__typename).toBe('QuerySearchSuccess');
      } finally {
        await limited.stop();
      }
    });
  });
});
