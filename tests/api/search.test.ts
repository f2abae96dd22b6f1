/** Full-text search: ranking, syntax, filters, pagination, snippets, access and bad input. */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  badges,
  communities,
  districts,
  liveSessions,
  memberships,
  posts,
  threads,
  userBlocks,
  users,
} from '../../drizzle/tables/index.ts';
import { EMBED_OPERATIONS } from '../../schema/embed-operations.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const SEARCH = `query Search($query: String!, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $query, filter: $filter, first: $first, after: $after) {
    __typename
    ... on ValidationError { message issues { path message } }
    ... on QuerySearchSuccess { data {
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node {
        kind rank snippet date
        item {
          __typename
          ... on Thread { id title author { displayName } community { name } }
          ... on Post { id body thread { title } }
          ... on LiveSession { id title status }
          ... on Badge { id name }
          ... on Community { id name }
        }
      } }
    } }
  } }`;

// For pages of 100, since the nested fields of SEARCH would exceed the cost limit.
const SLIM_SEARCH = `query SlimSearch($query: String!, $first: Int, $after: String) {
  search(query: $query, first: $first, after: $after) {
    __typename
    ... on QuerySearchSuccess { data {
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node { kind rank item { ... on Node { id } } } }
    } }
  } }`;

// client/app/routes/search.tsx: SEARCH, as the search page sends it.
const CLIENT_SEARCH = `query Search($query: String!, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $query, filter: $filter, first: $first, after: $after) {
    __typename
    ... on ValidationError { message issues { path message } }
    ... on QuerySearchSuccess { data {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { kind snippet date item {
        __typename
        ... on Thread { id title community { name } }
        ... on Post { id thread { id title community { name } } }
        ... on LiveSession { id title status community { name } }
        ... on Badge { id name badgeCommunity: community { name } }
        ... on Community { id name slug }
      } } }
    } }
  } }`;

/** SQL statements of one page of the search page's query, also listed in docs/api.md. */
const SEARCH_PAGE_STATEMENTS = 12;

const HIT_START = '\uE000';
const HIT_END = '\uE001';

type Person = { id: string; token: string; rowId: number };
type SearchOptions = {
  filter?: Json;
  first?: number;
  after?: string;
  token?: string;
  slim?: boolean;
};

describe.each(await databaseKinds())('search on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let member: Person;
  let stranger: Person;
  let staff: Person;
  let blocked: Person;
  let blocker: Person;
  const community = { open: 0, quiet: 0, hidden: 0, district: 0 };
  let districtId = 0;

  const db = () => server.database.db;

  async function person(displayName: string): Promise<Person> {
    const signedUp = await signUpUser(server, { displayName });
    return { ...signedUp, rowId: rowIdOf(signedUp.id) };
  }

  async function insertThread(
    communityId: number,
    authorId: number,
    title: string,
    body: string,
    fields: Partial<typeof threads.$inferInsert> = {},
  ): Promise<number> {
    const [row] = await db()
      .insert(threads)
      .values({ communityId, authorId, title, body, ...fields })
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

  const search = (query: string, options: SearchOptions = {}) =>
    server.graphql(
      options.slim ? SLIM_SEARCH : SEARCH,
      { query, filter: options.filter, first: options.first, after: options.after },
      { token: options.token },
    );

  /** Runs a search that must succeed and returns its connection. */
  async function found(query: string, options: SearchOptions = {}): Promise<Json> {
    const result = await search(query, options);
    expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    expect(result.body.data.search.__typename).toBe('QuerySearchSuccess');
    return result.body.data.search.data;
  }

  const items = (connection: Json): Json[] => connection.edges.map((edge: Json) => edge.node.item);
  const titles = (connection: Json): string[] =>
    items(connection).map((item) => item.title ?? item.name ?? item.body);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await person('Olive Owner');
    member = await person('Mina Member');
    stranger = await person('Stan Stranger');
    staff = await person('Sid Staff');
    blocked = await person('Bea Blocked');
    blocker = await person('Bo Blocker');

    const [district] = await db()
      .insert(districts)
      .values({ slug: 'riverbend-search', name: 'Riverbend Search District' })
      .returning({ id: districts.id });
    districtId = district?.id ?? 0;
    await db().update(users).set({ districtId }).where(eq(users.id, staff.rowId));

    community.open = await insertCommunity('open-math', 'Open Math Circle', {
      description: 'Everyone is welcome to the vexillo circle.',
    });
    community.quiet = await insertCommunity('quiet-room', 'Quiet Room', {
      visibility: 'private',
      listed: true,
      description: 'A listed private community.',
    });
    community.hidden = await insertCommunity('hidden-room', 'Hidden Lumenward Room', {
      visibility: 'private',
      listed: false,
    });
    community.district = await insertCommunity('riverbend-science', 'Riverbend Science', {
      visibility: 'district',
      districtId,
    });
    for (const communityId of Object.values(community)) {
      await db().insert(memberships).values({ communityId, userId: owner.rowId, role: 'owner' });
    }
    await db()
      .insert(memberships)
      .values({ communityId: community.quiet, userId: member.rowId, role: 'member' });
    await db()
      .insert(userBlocks)
      .values([
        { blockerId: member.rowId, blockedId: blocked.rowId },
        { blockerId: blocker.rowId, blockedId: member.rowId },
      ]);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('ranking and syntax', () => {
    test('ranks a title hit above a body hit', async () => {
      await insertThread(community.open, owner.rowId, 'Notes', 'We tried zorblat tiles once.');
      await insertThread(community.open, owner.rowId, 'Zorblat tiles', 'Hands-on geometry.');

      const connection = await found('zorblat');

      expect(titles(connection)).toEqual(['Zorblat tiles', 'Notes']);
      expect(connection.edges[0].node.rank).toBeGreaterThan(connection.edges[1].node.rank);
    });

    test('finds words by their stem', async () => {
      await insertThread(community.open, owner.rowId, 'How we teach quilvax', 'Slowly.');

      const connection = await found('teaching quilvaxes');

      expect(titles(connection)).toEqual(['How we teach quilvax']);
    });

    test('matches a quoted phrase only in order', async () => {
      await insertThread(community.open, owner.rowId, 'Adjacent', 'A plinth grommet holds it.');
      await insertThread(community.open, owner.rowId, 'Apart', 'The grommet sits on a plinth.');

      const connection = await found('"plinth grommet"');

      expect(titles(connection)).toEqual(['Adjacent']);
    });

    test('excludes words after a minus', async () => {
      await insertThread(community.open, owner.rowId, 'Lone', 'Only a grommet here.');

      const connection = await found('grommet -plinth');

      expect(titles(connection)).toEqual(['Lone']);
    });

    test('matches either side of OR', async () => {
      await insertThread(community.open, owner.rowId, 'Sprocket talk', 'About sprockets.');
      await insertThread(community.open, owner.rowId, 'Flange talk', 'About flanges.');

      const connection = await found('sprocket or flange');

      expect(titles(connection).sort()).toEqual(['Flange talk', 'Sprocket talk']);
    });

    test('returns nothing for stop words only', async () => {
      const connection = await found('the and of');

      expect(connection.edges).toEqual([]);
      expect(connection.pageInfo.hasNextPage).toBe(false);
    });
  });

  describe('kinds and filters', () => {
    let sessionId = 0;
    let badgeId = 0;

    beforeAll(async () => {
      const threadId = await insertThread(community.open, owner.rowId, 'Vexillo flags', 'Design.');
      await insertPost(threadId, owner.rowId, 'My vexillo reply.');
      const [session] = await db()
        .insert(liveSessions)
        .values({
          communityId: community.open,
          hostId: owner.rowId,
          title: 'Vexillo workshop',
          description: 'Bring flags.',
          startsAt: '2027-01-10T16:00:00Z',
          endsAt: '2027-01-10T17:00:00Z',
          timeZone: 'UTC',
          status: 'cancelled',
        })
        .returning({ id: liveSessions.id });
      sessionId = session?.id ?? 0;
      const [badge] = await db()
        .insert(badges)
        .values({
          communityId: community.open,
          name: 'Vexillo designer',
          description: 'Designed a flag.',
          criteria: 'Post a flag.',
          isteStandards: ['designer'],
        })
        .returning({ id: badges.id });
      badgeId = badge?.id ?? 0;
    });

    test('finds every kind with its type', async () => {
      const connection = await found('vexillo');
      const byKind = Object.fromEntries(
        connection.edges.map((edge: Json) => [edge.node.kind, edge.node.item.__typename]),
      );

      expect(byKind).toEqual({
        THREAD: 'Thread',
        POST: 'Post',
        LIVE_SESSION: 'LiveSession',
        BADGE: 'Badge',
        COMMUNITY: 'Community',
      });
    });

    test('shows cancelled live sessions as cancelled', async () => {
      const connection = await found('vexillo', { filter: { kinds: ['LIVE_SESSION'] } });

      expect(items(connection)).toEqual([
        {
          __typename: 'LiveSession',
          id: encodeGlobalID('LiveSession', sessionId),
          title: 'Vexillo workshop',
          status: 'CANCELLED',
        },
      ]);
      expect(connection.edges[0].node.date).toBe('2027-01-10T16:00:00.000Z');
    });

    test('filters by kind', async () => {
      const connection = await found('vexillo', { filter: { kinds: ['POST', 'BADGE'] } });

      expect(connection.edges.map((edge: Json) => edge.node.kind).sort()).toEqual([
        'BADGE',
        'POST',
      ]);
      expect(items(connection).find((item) => item.__typename === 'Badge')?.id).toBe(
        encodeGlobalID('Badge', badgeId),
      );
    });

    test('filters by community', async () => {
      await insertThread(community.district, owner.rowId, 'Vexillo in Riverbend', 'Local.');
      const everywhere = await found('vexillo', { token: owner.token });
      const districtOnly = await found('vexillo', {
        token: owner.token,
        filter: { communityId: encodeGlobalID('Community', community.district) },
      });

      expect(titles(everywhere)).toContain('Vexillo in Riverbend');
      expect(titles(districtOnly)).toEqual(['Vexillo in Riverbend']);
    });

    test('includes the filtered community itself', async () => {
      const connection = await found('vexillo', {
        filter: { communityId: encodeGlobalID('Community', community.open) },
      });
      const kinds = connection.edges.map((edge: Json) => edge.node.kind).sort();

      expect(kinds).toEqual(['BADGE', 'COMMUNITY', 'LIVE_SESSION', 'POST', 'THREAD']);
      expect(titles(connection)).not.toContain('Vexillo in Riverbend');
    });

    test('filters by date range', async () => {
      for (const month of ['01', '03', '05']) {
        await insertThread(community.open, owner.rowId, `Ochre ${month}`, 'Pigments.', {
          createdAt: `2026-${month}-01T12:00:00Z`,
        });
      }

      const between = await found('ochre', {
        filter: { from: '2026-02-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
      });
      const fromOnly = await found('ochre', { filter: { from: '2026-03-01T12:00:00Z' } });
      const toOnly = await found('ochre', { filter: { to: '2026-03-01T12:00:00Z' } });

      expect(titles(between)).toEqual(['Ochre 03']);
      expect(titles(fromOnly).sort()).toEqual(['Ochre 03', 'Ochre 05']);
      expect(titles(toOnly)).toEqual(['Ochre 01']);
    });
  });

  describe('pagination', () => {
    test('pages without duplicates or gaps', async () => {
      const threadId = await insertThread(community.open, owner.rowId, 'Jam', 'Preserves.');
      for (let index = 0; index < 23; index += 1) {
        // Three ranks among 23 posts, so most ties are broken by id.
        const body = `${'marmalade '.repeat((index % 3) + 1)}batch ${index}`;
        await insertPost(threadId, owner.rowId, body);
      }
      const all = await found('marmalade', { first: 100, slim: true });
      const expected = all.edges.map((edge: Json) => edge.node.item.id);

      const paged: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const connection = await found('marmalade', { first: 5, after });
        paged.push(...connection.edges.map((edge: Json) => edge.node.item.id));
        expect(connection.pageInfo.hasPreviousPage).toBe(page > 0);
        if (!connection.pageInfo.hasNextPage) {
          break;
        }
        after = connection.pageInfo.endCursor;
      }

      expect(expected).toHaveLength(23);
      expect(new Set(paged).size).toBe(23);
      expect(paged).toEqual(expected);
    });

    test('orders ties by id', async () => {
      const connection = await found('marmalade', { first: 100, slim: true });
      const ranks: number[] = connection.edges.map((edge: Json) => edge.node.rank);
      const ids: number[] = items(connection).map((item) => rowIdOf(item.id));

      for (let index = 1; index < ranks.length; index += 1) {
        const previous = ranks[index - 1] ?? 0;
        const current = ranks[index] ?? 0;
        expect(current).toBeLessThanOrEqual(previous);
        if (current === previous) {
          expect(ids[index]).toBeGreaterThan(ids[index - 1] ?? 0);
        }
      }
    });

    test('caps a page at 100 results', async () => {
      const threadId = await insertThread(community.open, owner.rowId, 'Many', 'Many posts.');
      await db()
        .insert(posts)
        .values(
          Array.from({ length: 105 }, (_, index) => ({
            threadId,
            authorId: owner.rowId,
            body: `Quokka number ${index}`,
          })),
        );

      const connection = await found('quokka', { first: 500, slim: true });
      const defaultPage = await found('quokka', { slim: true });

      expect(connection.edges).toHaveLength(100);
      expect(connection.pageInfo.hasNextPage).toBe(true);
      expect(defaultPage.edges).toHaveLength(20);
    });
  });

  describe('snippets', () => {
    test('highlights hits and escapes HTML', async () => {
      await insertThread(
        community.open,
        owner.rowId,
        'Escaping',
        'Compare x < 3 && y > 2 with "kumquat" <script>alert(1)</script>.',
      );

      const [edge] = (await found('kumquat')).edges;

      expect(edge.node.snippet).toContain(`${HIT_START}kumquat${HIT_END}`);
      expect(edge.node.snippet).toContain('x &lt; 3 &amp;&amp; y &gt; 2 with &quot;');
      // PostgreSQL's parser reads <script> as a tag, which ts_headline leaves out.
      expect(edge.node.snippet).not.toMatch(/[<>"]/);
    });

    test('removes hit marks written in content', async () => {
      await insertThread(
        community.open,
        owner.rowId,
        'Forged',
        `${HIT_START}forged${HIT_END} text about persimmon.`,
      );

      const [edge] = (await found('persimmon')).edges;

      expect(edge.node.snippet).toContain(`${HIT_START}persimmon${HIT_END}`);
      expect(edge.node.snippet).not.toContain(`${HIT_START}forged`);
    });
  });

  describe('access', () => {
    beforeAll(async () => {
      await insertThread(community.quiet, owner.rowId, 'Sequestered plans', 'Members only.');
      await insertThread(community.district, owner.rowId, 'Riverbendium', 'District only.');
      await db()
        .insert(badges)
        .values({
          districtId,
          name: 'Riverbendium mentor',
          description: 'A district badge.',
          criteria: 'Mentor someone.',
          isteStandards: ['leader'],
        });
    });

    test('hides private content from non-members', async () => {
      const signedOut = await found('sequestered');
      const outsider = await found('sequestered', { token: stranger.token });
      const insider = await found('sequestered', { token: member.token });

      expect(signedOut.edges).toEqual([]);
      expect(outsider.edges).toEqual([]);
      expect(titles(insider)).toEqual(['Sequestered plans']);
    });

    test('finds listed private communities by name only', async () => {
      const listed = await found('quiet room', { token: stranger.token });
      const unlisted = await found('lumenward', { token: stranger.token });
      const unlistedForOwner = await found('lumenward', { token: owner.token });

      expect(titles(listed)).toEqual(['Quiet Room']);
      expect(unlisted.edges).toEqual([]);
      expect(titles(unlistedForOwner)).toEqual(['Hidden Lumenward Room']);
    });

    test('shows district content to its staff', async () => {
      const forStaff = await found('riverbendium', { token: staff.token });
      const forStranger = await found('riverbendium', { token: stranger.token });
      const signedOut = await found('riverbendium');

      expect(titles(forStaff).sort()).toEqual(['Riverbendium', 'Riverbendium mentor']);
      expect(forStranger.edges).toEqual([]);
      expect(signedOut.edges).toEqual([]);
    });

    test('shows district badges to platform admins', async () => {
      const admin = await person('Pat Platform');
      await db().update(users).set({ isPlatformAdmin: true }).where(eq(users.id, admin.rowId));

      const connection = await found('riverbendium', { token: admin.token });

      // A platform admin reads every district's badges but not its communities' content.
      expect(titles(connection)).toEqual(['Riverbendium mentor']);
    });

    test('excludes deleted, removed and held content', async () => {
      const now = new Date().toISOString();
      const visible = await insertThread(community.open, owner.rowId, 'Excludium kept', 'Fine.');
      await insertPost(visible, owner.rowId, 'Excludium deleted reply', { deletedAt: now });
      await insertPost(visible, owner.rowId, 'Excludium removed reply', {
        removedAt: now,
        removedById: owner.rowId,
      });
      await insertPost(visible, owner.rowId, 'Excludium held reply', { heldAt: now });
      const removed = await insertThread(community.open, owner.rowId, 'Excludium removed', 'x', {
        removedAt: now,
        removedById: owner.rowId,
      });
      await insertPost(removed, owner.rowId, 'Excludium reply in a removed thread');
      await insertThread(community.open, owner.rowId, 'Excludium held', 'x', { heldAt: now });

      for (const token of [undefined, owner.token]) {
        const connection = await found('excludium', { token });
        expect(titles(connection)).toEqual(['Excludium kept']);
      }
    });

    test('excludes content across a block', async () => {
      const thread = await insertThread(community.open, blocked.rowId, 'Blockium one', 'x');
      await insertPost(thread, blocker.rowId, 'Blockium reply');
      await insertThread(community.open, owner.rowId, 'Blockium two', 'x');

      const forMember = await found('blockium', { token: member.token });
      const forStranger = await found('blockium', { token: stranger.token });

      expect(titles(forMember)).toEqual(['Blockium two']);
      expect(titles(forStranger).sort()).toEqual([
        'Blockium one',
        'Blockium reply',
        'Blockium two',
      ]);
    });
  });

  describe('bad input', () => {
    const issuesOf = async (query: string, filter?: Json, token?: string) => {
      const result = await search(query, { filter, token });
      expect(result.body.data.search.__typename).toBe('ValidationError');
      return result.body.data.search.issues.map((issue: Json) => issue.path.join('.'));
    };

    test('rejects an empty query', async () => {
      expect(await issuesOf('   ')).toEqual(['query']);
    });

    test('rejects an over-long query', async () => {
      expect(await issuesOf('a'.repeat(201))).toEqual(['query']);
    });

    test('rejects an empty kind list', async () => {
      expect(await issuesOf('fractions', { kinds: [] })).toEqual(['filter.kinds']);
    });

    test('rejects from after to', async () => {
      const filter = { from: '2026-05-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

      expect(await issuesOf('fractions', filter)).toEqual(['filter.to']);
    });

    test('rejects bad community ids alike', async () => {
      const malformed = await issuesOf('fractions', { communityId: 'nope' });
      const unknown = await issuesOf('fractions', {
        communityId: encodeGlobalID('Community', 999_999),
      });
      const unreadable = await issuesOf(
        'fractions',
        { communityId: encodeGlobalID('Community', community.quiet) },
        stranger.token,
      );
      const wrongType = await issuesOf('fractions', {
        communityId: encodeGlobalID('Thread', community.open),
      });

      expect(malformed).toEqual(['filter.communityId']);
      expect(unknown).toEqual(['filter.communityId']);
      expect(unreadable).toEqual(['filter.communityId']);
      expect(wrongType).toEqual(['filter.communityId']);
    });

    test('rejects a malformed cursor', async () => {
      const result = await search('fractions', { after: 'not-a-cursor' });

      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    test('rejects a negative page size', async () => {
      const result = await search('fractions', { first: -1 });

      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('widgets', () => {
    test('cannot search through an embed key', async () => {
      const portal = 'https://portal.example.org';
      const created = await server.graphql(
        `mutation($input: CreateEmbedKeyInput!) { createEmbedKey(input: $input) {
          __typename ... on MutationCreateEmbedKeySuccess { data { key } } } }`,
        {
          input: {
            communityId: encodeGlobalID('Community', community.open),
            name: 'Portal',
            allowedOrigins: [portal],
          },
        },
        { token: owner.token },
      );
      const key = created.body.data.createEmbedKey.data.key;

      const response = await fetch(`${server.url}/embed/graphql?key=${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: portal },
        body: JSON.stringify({ query: SLIM_SEARCH, variables: { query: 'vexillo' } }),
      });
      const body = await response.json();
      const widgetDocuments = Object.values(EMBED_OPERATIONS).join('\n');

      expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
      expect(body.data ?? null).toBeNull();
      expect(widgetDocuments).not.toMatch(/\bsearch\s*\(/);
    });
  });

  describe('statements', () => {
    test('runs the same statements for any page size', async () => {
      const threadId = await insertThread(community.open, owner.rowId, 'Wombat', 'Wombat body.');
      for (let index = 0; index < 30; index += 1) {
        const author = index % 2 === 0 ? owner.rowId : member.rowId;
        await insertPost(threadId, author, `Wombat reply ${index}`);
      }
      await db()
        .insert(memberships)
        .values({ communityId: community.open, userId: member.rowId, role: 'member' });
      await db().insert(liveSessions).values({
        communityId: community.open,
        hostId: owner.rowId,
        title: 'Wombat hour',
        startsAt: '2027-02-01T16:00:00Z',
        endsAt: '2027-02-01T17:00:00Z',
        timeZone: 'UTC',
      });
      await db()
        .insert(badges)
        .values({
          communityId: community.open,
          name: 'Wombat keeper',
          description: 'Kept a wombat.',
          criteria: 'Keep one.',
          isteStandards: ['learner'],
        });

      const send = (first: number) =>
        server.graphql(
          CLIENT_SEARCH,
          { query: 'wombat', filter: {}, first },
          { token: owner.token },
        );
      const small = await send(4);
      const large = await send(33);
      const kinds = new Set(large.body.data.search.data.edges.map((edge: Json) => edge.node.kind));

      expect(small.body.data.search.data.edges).toHaveLength(4);
      expect(large.body.data.search.data.edges).toHaveLength(33);
      expect(kinds).toEqual(new Set(['THREAD', 'POST', 'LIVE_SESSION', 'BADGE']));
      expect(large.body.extensions.sqlStatements).toBe(small.body.extensions.sqlStatements);
      expect(small.body.extensions.sqlStatements).toBe(SEARCH_PAGE_STATEMENTS);
    });
  });
});
