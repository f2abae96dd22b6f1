/**
 * Every role against every operation on communities of every visibility, over HTTP, WebSocket
 * and server-sent events. The expected outcomes are written out below from the product's rules,
 * not computed by the code under test, and each test lists every cell that disagrees.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  districtAdmins,
  districts,
  memberships,
  threads,
  users,
} from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const ROLES = [
  'signedOut',
  'otherDistrictStaff',
  'districtStaff',
  'member',
  'facilitator',
  'owner',
  'districtAdmin',
  'platformAdmin',
] as const;
type Role = (typeof ROLES)[number];

const KINDS = ['public', 'district', 'privateListed', 'privateUnlisted'] as const;
type Kind = (typeof KINDS)[number];

type Rule = Record<Kind, readonly Role[]>;

const EVERYONE = ROLES;
const SIGNED_IN = ROLES.filter((role) => role !== 'signedOut');
const MEMBERS = ['member', 'facilitator', 'owner'] as const;
const MODERATORS = ['facilitator', 'owner'] as const;
const DISTRICT_READERS = ['districtStaff', ...MEMBERS] as const;

/** Roles that may learn that the community exists, with its name and description. */
const SEES: Rule = {
  public: EVERYONE,
  district: DISTRICT_READERS,
  privateListed: EVERYONE,
  privateUnlisted: MEMBERS,
};
/** Who reads its content: threads, posts, members, live sessions, badges, events. */
const READS: Rule = {
  public: EVERYONE,
  district: DISTRICT_READERS,
  privateListed: MEMBERS,
  privateUnlisted: MEMBERS,
};
const PARTICIPATES: Rule = {
  public: MEMBERS,
  district: MEMBERS,
  privateListed: MEMBERS,
  privateUnlisted: MEMBERS,
};
const MODERATES: Rule = {
  public: MODERATORS,
  district: MODERATORS,
  privateListed: MODERATORS,
  privateUnlisted: MODERATORS,
};
const OWNS: Rule = {
  public: ['owner'],
  district: ['owner'],
  privateListed: ['owner'],
  privateUnlisted: ['owner'],
};
/** The audit log: moderators, and admins of the owning district (district communities only). */
const READS_AUDIT: Rule = {
  public: MODERATORS,
  district: [...MODERATORS, 'districtAdmin', 'platformAdmin'],
  privateListed: MODERATORS,
  privateUnlisted: MODERATORS,
};
const JOINS: Rule = {
  public: ['otherDistrictStaff', 'districtStaff', 'districtAdmin', 'platformAdmin'],
  district: ['districtStaff'],
  privateListed: [],
  privateUnlisted: [],
};
const ASKS_TO_JOIN: Rule = {
  public: [],
  district: [],
  privateListed: ['otherDistrictStaff', 'districtStaff', 'districtAdmin', 'platformAdmin'],
  privateUnlisted: [],
};

interface Fixture {
  id: string;
  slug: string;
  threadId: string;
  postId: string;
  liveSessionId: string;
  badgeId: string;
}

const DENIALS = ['NotFoundError', 'ForbiddenError', 'UnauthenticatedError'];

describe.each(await databaseKinds())('access matrix on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  const tokens = new Map<Role, string | undefined>();
  const userIds = new Map<Role, string>();
  const fixtures = new Map<Kind, Fixture>();

  function rowId(globalId: string): number {
    return Number(decodeGlobalID(globalId).id);
  }

  function graphql(role: Role, query: string, variables: Record<string, unknown> = {}) {
    return server.graphql(query, variables, { token: tokens.get(role) });
  }

  /**
   * Runs `attempt` for every role and kind and returns the cells whose outcome differs from
   * `rule`, as readable lines.
   */
  async function mismatches(
    rule: Rule,
    attempt: (role: Role, fixture: Fixture, kind: Kind) => Promise<boolean | string>,
  ): Promise<string[]> {
    const wrong: string[] = [];
    for (const kind of KINDS) {
      const fixture = fixtures.get(kind) as Fixture;
      // One at a time, so that the check that a denied attempt changed nothing is not disturbed.
      for (const role of ROLES) {
        const expected = rule[kind].includes(role);
        const outcome = await attempt(role, fixture, kind);
        if (outcome !== expected) {
          wrong.push(
            `${role} on ${kind}: expected ${expected ? 'allowed' : 'denied'}, got ${JSON.stringify(outcome)}`,
          );
        }
      }
    }
    return wrong;
  }

  /** Runs a mutation; true on success, false on a typed denial, and throws on anything else. */
  async function tryMutation(
    role: Role,
    field: string,
    inputType: string,
    input: Record<string, unknown>,
    denials: string[] = DENIALS,
  ): Promise<boolean> {
    const result = await graphql(
      role,
      `mutation($input: ${inputType}!) { ${field}(input: $input) { __typename ... on Error { message } } }`,
      { input },
    );
    const payload = result.body?.data?.[field];
    if (payload?.__typename?.endsWith('Success')) {
      return true;
    }
    if (
      denials.includes(payload?.__typename) ||
      result.body?.errors?.[0]?.extensions?.code === 'FORBIDDEN'
    ) {
      return false;
    }
    throw new Error(`${field} as ${role} gave ${JSON.stringify(result.body)}`);
  }

  async function threadCount(fixture: Fixture): Promise<number> {
    const [row] = await server.database.db
      .select({ count: sql<number>`count(*)::int` })
      .from(threads)
      .where(eq(threads.communityId, rowId(fixture.id)));
    return row?.count ?? 0;
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    const db = server.database.db;

    const [home, other] = await db
      .insert(districts)
      .values([
        { slug: 'home-district', name: 'Home District' },
        { slug: 'other-district', name: 'Other District' },
      ])
      .returning({ id: districts.id });
    tokens.set('signedOut', undefined);
    for (const role of SIGNED_IN) {
      const person = await signUpUser(server, { displayName: `The ${role}` });
      tokens.set(role, person.token);
      userIds.set(role, person.id);
      const districtId =
        role === 'otherDistrictStaff'
          ? other?.id
          : role === 'districtAdmin' || role === 'platformAdmin'
            ? null
            : home?.id;
      await db
        .update(users)
        .set({ districtId, isPlatformAdmin: role === 'platformAdmin' })
        .where(eq(users.id, rowId(person.id)));
    }
    await db.insert(districtAdmins).values({
      districtId: home?.id as number,
      userId: rowId(userIds.get('districtAdmin') as string),
    });

    const owner = tokens.get('owner');
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const endsAt = new Date(Date.now() + 90_000_000).toISOString();
    for (const kind of KINDS) {
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        {
          name: `Matrix ${kind}`,
          slug: `matrix-${kind.toLowerCase()}`,
          focus: 'OTHER',
          visibility: kind.startsWith('private') ? 'PRIVATE' : kind.toUpperCase(),
          listed: kind !== 'privateUnlisted',
        },
        'id slug',
        owner,
      );
      for (const role of ['member', 'facilitator'] as const) {
        await db.insert(memberships).values({
          communityId: rowId(community.id),
          userId: rowId(userIds.get(role) as string),
          role: role === 'facilitator' ? 'facilitator' : 'member',
          status: 'active',
        });
      }
      const thread = await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: `Thread in ${kind}`, body: 'Opening post' },
        'id',
        owner,
      );
      const post = await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId: thread.id, body: 'A reply' },
        'id',
        owner,
      );
      const liveSession = await mutate(
        server,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        { communityId: community.id, title: 'Office hours', startsAt, endsAt, timeZone: 'UTC' },
        'id',
        owner,
      );
      const badge = await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          communityId: community.id,
          name: `Badge of ${kind}`,
          description: 'For helping',
          criteria: 'Help someone',
          isteStandards: ['LEARNER'],
        },
        'id',
        owner,
      );
      fixtures.set(kind, {
        id: community.id,
        slug: community.slug,
        threadId: thread.id,
        postId: post.id,
        liveSessionId: liveSession.id,
        badgeId: badge.id,
      });
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('queries over HTTP', () => {
    test('community(slug:) finds the community', async () => {
      const wrong = await mismatches(SEES, async (role, fixture) => {
        const result = await graphql(
          role,
          'query($s: String!) { community(slug: $s) { id name } }',
          {
            s: fixture.slug,
          },
        );
        return result.body.data.community !== null;
      });
      expect(wrong).toEqual([]);
    });

    test('communities lists it, and totalCount agrees with the list', async () => {
      const wrong = await mismatches(SEES, async (role, fixture) => {
        const result = await graphql(
          role,
          '{ communities(first: 100) { totalCount nodes { slug } } }',
        );
        const { nodes, totalCount } = result.body.data.communities;
        expect(totalCount, `totalCount for ${role}`).toBe(nodes.length);
        return nodes.some((node: Json) => node.slug === fixture.slug);
      });
      expect(wrong).toEqual([]);
    });

    test('node(id:) finds the community', async () => {
      const wrong = await mismatches(SEES, async (role, fixture) => {
        const result = await graphql(role, 'query($id: ID!) { node(id: $id) { id } }', {
          id: fixture.id,
        });
        return result.body.data?.node != null;
      });
      expect(wrong).toEqual([]);
    });

    test('node(id:) with withheld fields only', async () => {
      const wrong = await mismatches(SEES, async (role, fixture) => {
        const result = await graphql(
          role,
          `query($id: ID!) { node(id: $id) { ... on Community {
            threads { nodes { id } } auditLog { nodes { id } } joinRequests { nodes { id } } } } }`,
          { id: fixture.id },
        );
        return result.body.data?.node != null;
      });
      expect(wrong).toEqual([]);
    });

    test('node(id:) and nodes(ids:) answer a hidden object exactly as a missing one', async () => {
      const strip = (body: Json) => ({ ...body, extensions: undefined });
      const missing = await graphql(
        'signedOut',
        'query($id: ID!) { node(id: $id) { __typename } }',
        {
          id: Buffer.from('Thread:999999').toString('base64'),
        },
      );
      const missingMany = await graphql(
        'signedOut',
        'query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }',
        { ids: [Buffer.from('Post:999999').toString('base64')] },
      );
      const wrong = await mismatches(READS, async (role, fixture) => {
        const ids = [fixture.threadId, fixture.postId, fixture.liveSessionId, fixture.badgeId];
        const answers = await Promise.all(
          ids.map((id) =>
            graphql(role, 'query($id: ID!) { node(id: $id) { __typename } }', { id }),
          ),
        );
        const many = await graphql(
          role,
          'query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }',
          {
            ids,
          },
        );
        const hidden = answers.filter((answer) => answer.body.data.node === null);
        // Only the count of SQL statements in `extensions` may differ.
        for (const answer of hidden) {
          expect(strip(answer.body), `${role}: node`).toEqual(strip(missing.body));
        }
        if (hidden.length > 0) {
          expect(strip(many.body), `${role}: nodes`).toEqual(strip(missingMany.body));
        }
        expect([0, ids.length], `${role}: ${hidden.length} hidden`).toContain(hidden.length);
        return hidden.length === 0 && many.body.data.nodes.every((node: Json) => node !== null);
      });
      expect(missing.body.data).toEqual({ node: null });
      expect(missing.body.errors).toBeUndefined();
      expect(missingMany.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(wrong).toEqual([]);
    });

    test('content fields of the community: threads, members, sessions, badges', async () => {
      const wrong = await mismatches(READS, async (role, fixture) => {
        const result = await graphql(
          role,
          `query($id: ID!) { node(id: $id) { ... on Community {
            threads { nodes { id } } members { nodes { id } } threadCount eventCursor
            upcomingLiveSessions { nodes { id } } badges { nodes { id } } } } }`,
          { id: fixture.id },
        );
        const community = result.body.data?.node;
        if (!community) {
          return false;
        }
        const fields = [
          'threads',
          'members',
          'threadCount',
          'eventCursor',
          'upcomingLiveSessions',
          'badges',
        ];
        const present = fields.filter((field) => community[field] !== null);
        // Content is all there or all withheld, never a mix.
        expect(
          present.length === 0 || present.length === fields.length,
          `${role}: ${present}`,
        ).toBe(true);
        return present.length === fields.length;
      });
      expect(wrong).toEqual([]);
    });

    for (const [name, field, idOf] of [
      ['thread(id:)', 'thread', (fixture: Fixture) => fixture.threadId],
      ['liveSession(id:)', 'liveSession', (fixture: Fixture) => fixture.liveSessionId],
      ['badge(id:)', 'badge', (fixture: Fixture) => fixture.badgeId],
    ] as const) {
      test(`${name} finds it`, async () => {
        const wrong = await mismatches(READS, async (role, fixture) => {
          const result = await graphql(role, `query($id: ID!) { ${field}(id: $id) { id } }`, {
            id: idOf(fixture),
          });
          return result.body.data?.[field] != null;
        });
        expect(wrong).toEqual([]);
      });
    }

    test('node(id:) and nodes(ids:) find the thread and its post', async () => {
      const wrong = await mismatches(READS, async (role, fixture) => {
        const single = await graphql(role, 'query($id: ID!) { node(id: $id) { id } }', {
          id: fixture.postId,
        });
        const many = await graphql(role, 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
          ids: [fixture.threadId, fixture.postId],
        });
        const found = many.body.data?.nodes?.filter((node: Json) => node !== null).length ?? 0;
        expect(JSON.stringify(many.body), role).not.toMatch(/Thread in|A reply/);
        return single.body.data?.node != null && found === 2;
      });
      expect(wrong).toEqual([]);
    });

    test('join requests and invitations are for moderators', async () => {
      const wrong = await mismatches(MODERATES, async (role, fixture) => {
        const result = await graphql(
          role,
          'query($id: ID!) { node(id: $id) { ... on Community { joinRequests { nodes { id } } invitations { nodes { id } } bannedMembers { nodes { id } } } } }',
          { id: fixture.id },
        );
        const community = result.body.data?.node;
        return (
          community != null &&
          community.joinRequests !== null &&
          community.invitations !== null &&
          community.bannedMembers !== null
        );
      });
      expect(wrong).toEqual([]);
    });

    test('the audit log is for moderators and the district admins', async () => {
      const wrong = await mismatches(READS_AUDIT, async (role, fixture, kind) => {
        const query =
          'query($id: ID!) { node(id: $id) { ... on Community { auditLog { nodes { id } } } } }';
        // Admins who cannot see a community still reach its log through their district.
        const result = await graphql(role, query, { id: fixture.id });
        if (result.body.data?.node) {
          return result.body.data.node.auditLog !== null;
        }
        if (kind !== 'district') {
          return false;
        }
        const district = await graphql(
          role,
          '{ district(slug: "home-district") { auditLog { nodes { id } } } }',
        );
        return district.body.data.district.auditLog !== null;
      });
      expect(wrong).toEqual([]);
    });
  });

  describe('mutations over HTTP', () => {
    test('createThread: members write, others change nothing', async () => {
      const wrong = await mismatches(PARTICIPATES, async (role, fixture, kind) => {
        const before = await threadCount(fixture);
        const allowed = await tryMutation(role, 'createThread', 'CreateThreadInput', {
          communityId: fixture.id,
          title: `By ${role}`,
          body: 'Hello',
        });
        if (!allowed) {
          expect(await threadCount(fixture), `${role} on ${kind} added a thread`).toBe(before);
        }
        return allowed;
      });
      expect(wrong).toEqual([]);
    });

    test('createPost replies', async () => {
      const wrong = await mismatches(PARTICIPATES, (role, fixture) =>
        tryMutation(role, 'createPost', 'CreatePostInput', {
          threadId: fixture.threadId,
          body: `Reply by ${role}`,
        }),
      );
      expect(wrong).toEqual([]);
    });

    test('react to a post', async () => {
      const wrong = await mismatches(PARTICIPATES, (role, fixture) =>
        tryMutation(role, 'react', 'ReactInput', {
          postId: fixture.postId,
          kind: 'THANKS',
          active: true,
        }),
      );
      expect(wrong).toEqual([]);
    });

    test('rsvp to a live session', async () => {
      const wrong = await mismatches(PARTICIPATES, (role, fixture) =>
        tryMutation(role, 'rsvp', 'RsvpInput', {
          liveSessionId: fixture.liveSessionId,
          status: 'GOING',
        }),
      );
      expect(wrong).toEqual([]);
    });

    test('sendChatMessage in a live session', async () => {
      const wrong = await mismatches(PARTICIPATES, (role, fixture) =>
        tryMutation(role, 'sendChatMessage', 'SendChatMessageInput', {
          liveSessionId: fixture.liveSessionId,
          body: `Hi from ${role}`,
        }),
      );
      expect(wrong).toEqual([]);
    });

    test('inviteToCommunity is for moderators', async () => {
      const wrong = await mismatches(MODERATES, (role, fixture) =>
        tryMutation(role, 'inviteToCommunity', 'InviteToCommunityInput', {
          communityId: fixture.id,
          email: `guest-of-${role.toLowerCase()}@example.org`,
        }),
      );
      expect(wrong).toEqual([]);
    });

    test('updateCommunity is for the owner', async () => {
      const wrong = await mismatches(OWNS, (role, fixture) =>
        tryMutation(role, 'updateCommunity', 'UpdateCommunityInput', {
          communityId: fixture.id,
          description: `Edited by ${role}`,
        }),
      );
      expect(wrong).toEqual([]);
    });

    test('changeMemberRole is for the owner', async () => {
      const wrong = await mismatches(OWNS, (role, fixture) =>
        tryMutation(role, 'changeMemberRole', 'ChangeMemberRoleInput', {
          communityId: fixture.id,
          userId: userIds.get('member'),
          role: 'MEMBER',
        }),
      );
      expect(wrong).toEqual([]);
    });
  });

  describe('subscriptions', () => {
    const ACTIVITY =
      'subscription($id: ID!) { communityActivity(communityId: $id) { eventId type } }';

    test('communityActivity over WebSocket: readers get events, others an error', async () => {
      for (const kind of KINDS) {
        const fixture = fixtures.get(kind) as Fixture;
        const subscriptions = ROLES.map((role) =>
          server.subscribe(ACTIVITY, { id: fixture.id }, { token: tokens.get(role) }),
        );
        await Promise.all(subscriptions.map((subscription) => subscription.settle(150)));
        await mutate(
          server,
          'createThread',
          'CreateThreadInput',
          { communityId: fixture.id, title: 'Live news', body: 'Fresh' },
          'id',
          tokens.get('owner'),
        );
        const outcomes = await Promise.all(
          subscriptions.map(async (subscription) => {
            const result = await subscription.next(5000);
            return result.data?.communityActivity?.type === 'THREAD_CREATED'
              ? true
              : result.errors?.[0]?.extensions?.code === 'NOT_FOUND'
                ? false
                : result;
          }),
        );
        await Promise.all(subscriptions.map((subscription) => subscription.close()));
        const wrong = ROLES.filter(
          (role, index) => outcomes[index] !== READS[kind].includes(role),
        ).map((role) => `${role} on ${kind}: ${JSON.stringify(outcomes[ROLES.indexOf(role)])}`);
        expect(wrong).toEqual([]);
      }
    });

    test('threadActivity and liveSessionEvents over WebSocket check access when subscribing', async () => {
      const wrong = await mismatches(READS, async (role, fixture) => {
        const socket = server.socket({ token: tokens.get(role) });
        const threadEvents = collect(
          socket,
          'subscription($id: ID!) { threadActivity(threadId: $id) { eventId } }',
          { id: fixture.threadId },
        );
        const sessionEvents = collect(
          socket,
          'subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) { eventId } }',
          { id: fixture.liveSessionId },
        );
        await Promise.all([threadEvents.settle(200), sessionEvents.settle(0)]);
        const refused = [threadEvents, sessionEvents].map((subscription) =>
          subscription.results.some(
            (result: Json) => result.errors?.[0]?.extensions?.code === 'NOT_FOUND',
          ),
        );
        await threadEvents.close();
        await sessionEvents.close();
        await socket.dispose();
        expect(refused[0], `${role}: both or neither refused`).toBe(refused[1]);
        return !refused[0];
      });
      expect(wrong).toEqual([]);
    });

    test('communityActivity over server-sent events: readers get events, others an error', async () => {
      for (const kind of KINDS) {
        const fixture = fixtures.get(kind) as Fixture;
        const streams = await Promise.all(
          ROLES.map(async (role) => {
            const controller = new AbortController();
            const token = tokens.get(role);
            const response = await fetch(`${server.url}/graphql`, {
              method: 'POST',
              signal: controller.signal,
              headers: {
                'content-type': 'application/json',
                accept: 'text/event-stream',
                ...(token && { authorization: `Bearer ${token}` }),
              },
              body: JSON.stringify({ query: ACTIVITY, variables: { id: fixture.id } }),
            });
            return { response, controller, text: '' };
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        await mutate(
          server,
          'createThread',
          'CreateThreadInput',
          { communityId: fixture.id, title: 'Streamed news', body: 'Fresh' },
          'id',
          tokens.get('owner'),
        );
        const outcomes = await Promise.all(
          streams.map(async (stream) => {
            const reader = (stream.response.body as ReadableStream<Uint8Array>).getReader();
            const decoder = new TextDecoder();
            const deadline = Date.now() + 5000;
            while (Date.now() < deadline) {
              const chunk = await Promise.race([
                reader.read(),
                new Promise<{ done: true }>((resolve) =>
                  setTimeout(() => resolve({ done: true }), deadline - Date.now()),
                ),
              ]);
              if ('value' in chunk && chunk.value) {
                stream.text += decoder.decode(chunk.value);
              }
              if (stream.text.includes('THREAD_CREATED')) {
                break;
              }
              if (stream.text.includes('NOT_FOUND') || chunk.done) {
                break;
              }
            }
            stream.controller.abort();
            return stream.text.includes('THREAD_CREATED')
              ? true
              : stream.text.includes('NOT_FOUND')
                ? false
                : stream.text;
          }),
        );
        const wrong = ROLES.filter(
          (role, index) => outcomes[index] !== READS[kind].includes(role),
        ).map((role) => `${role} on ${kind}: ${JSON.stringify(outcomes[ROLES.indexOf(role)])}`);
        expect(wrong).toEqual([]);
      }
    });
  });

  // Joining changes who reads what, so these run last.
  describe('joining', () => {
    test('requestToJoin is for signed-in non-members of listed private communities', async () => {
      const wrong = await mismatches(ASKS_TO_JOIN, (role, fixture) =>
        // A community that takes members directly returns a conflict for a request.
        tryMutation(role, 'requestToJoin', 'RequestToJoinInput', { communityId: fixture.id }, [
          ...DENIALS,
          'ConflictError',
        ]),
      );
      expect(wrong).toEqual([]);
    });

    test('joinCommunity follows visibility and district', async () => {
      const wrong = await mismatches(JOINS, async (role, fixture) => {
        const result = await graphql(
          role,
          'mutation($input: CommunityIdInput!) { joinCommunity(input: $input) { __typename } }',
          { input: { communityId: fixture.id } },
        );
        const typename = result.body.data.joinCommunity.__typename;
        // Members who are already in get a conflict: that is neither a grant nor a denial.
        if (typename === 'ConflictError') {
          return MEMBERS.includes(role as (typeof MEMBERS)[number]) ? false : typename;
        }
        return typename === 'MutationJoinCommunitySuccess';
      });
      expect(wrong).toEqual([]);
    });
  });
});
