import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

describe.each(await databaseKinds())('private community access on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: { id: string; token: string };
  let outsider: { id: string; token: string };
  let community: Json;
  let thread: Json;
  let post: Json;
  let liveSession: Json;
  let badge: Json;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Priya Private' });
    outsider = await signUpUser(server, { displayName: 'Oscar Outside' });
    community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      {
        name: 'Hidden Circle',
        slug: 'hidden-circle',
        focus: 'OTHER',
        visibility: 'PRIVATE',
        listed: false,
      },
      'id slug',
      owner.token,
    );
    thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId: community.id, title: 'Secret plans', body: 'Only for us' },
      'id',
      owner.token,
    );
    post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: 'Private reply' },
      'id',
      owner.token,
    );
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const endsAt = new Date(Date.now() + 90_000_000).toISOString();
    liveSession = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId: community.id,
        title: 'Private office hours',
        startsAt,
        endsAt,
        timeZone: 'America/Chicago',
      },
      'id',
      owner.token,
    );
    badge = await mutate(
      server,
      'createBadge',
      'CreateBadgeInput',
      {
        communityId: community.id,
        name: 'Secret Badge',
        description: 'x',
        criteria: 'y',
        isteStandards: ['LEARNER'],
      },
      'id',
      owner.token,
    );
    await mutate(
      server,
      'awardBadge',
      'AwardBadgeInput',
      { badgeId: badge.id, recipientId: owner.id },
      'id',
      owner.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  for (const [who, tokenOf] of [
    ['a signed-out visitor', () => undefined],
    ['a signed-in non-member', () => outsider.token],
  ] as const) {
    test(`hides every query path from ${who}`, async () => {
      const token = tokenOf();

      const bySlug = await server.graphql(
        '{ community(slug: "hidden-circle") { id } }',
        {},
        { token },
      );
      const list = await server.graphql(
        '{ communities(first: 100) { totalCount nodes { slug } } }',
        {},
        { token },
      );
      const byId = await server.graphql(
        'query($t: ID!, $s: ID!, $b: ID!) { thread(id: $t) { id } liveSession(id: $s) { id } badge(id: $b) { id } }',
        { t: thread.id, s: liveSession.id, b: badge.id },
        { token },
      );
      const nodes = await server.graphql(
        'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
        { ids: [community.id, thread.id, post.id, liveSession.id, badge.id] },
        { token },
      );
      const profile = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on User { badgeAwards { nodes { id } } } } }',
        { id: owner.id },
        { token },
      );

      expect(bySlug.body.data.community).toBeNull();
      expect(list.body.data.communities.nodes.map((node: Json) => node.slug)).not.toContain(
        'hidden-circle',
      );
      expect(list.body.data.communities.totalCount).toBe(list.body.data.communities.nodes.length);
      expect(byId.body.data).toEqual({ thread: null, liveSession: null, badge: null });
      expect(nodes.body.data).toBeNull();
      expect(nodes.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(JSON.stringify(nodes.body)).not.toMatch(/Secret|Private reply/);
      expect(profile.body.data.node.badgeAwards.nodes).toEqual([]);
    });
  }

  test('rejects subscriptions from non-members', async () => {
    const socket = server.socket({ token: outsider.token });

    const threadEvents = collect(
      socket,
      'subscription($id: ID!) { threadActivity(threadId: $id) { eventId } }',
      { id: thread.id },
    );
    const sessionEvents = collect(
      socket,
      'subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) { eventId } }',
      { id: liveSession.id },
    );
    const communityEvents = collect(
      socket,
      'subscription($id: ID!) { communityActivity(communityId: $id) { eventId } }',
      { id: community.id },
    );

    for (const subscription of [threadEvents, sessionEvents, communityEvents]) {
      const result = await subscription.next();
      expect(result.data ?? null).toBeNull();
      expect(result.errors[0].extensions.code).toBe('NOT_FOUND');
    }
  });

  test('ends a subscription when the member leaves', async () => {
    const member = await signUpUser(server, { displayName: 'Leaving Lee' });
    const open = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Revocable', focus: 'OTHER', visibility: 'PRIVATE' },
      'id',
      owner.token,
    );
    // A private community has no self-service join, so the member joins while it is public.
    await mutate(
      server,
      'updateCommunity',
      'UpdateCommunityInput',
      { communityId: open.id, visibility: 'PUBLIC' },
      'id',
      owner.token,
    );
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: open.id },
      'id',
      member.token,
    );
    await mutate(
      server,
      'updateCommunity',
      'UpdateCommunityInput',
      { communityId: open.id, visibility: 'PRIVATE' },
      'id',
      owner.token,
    );
    const openThread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId: open.id, title: 'Still here?', body: 'x' },
      'id',
      owner.token,
    );
    const subscription = collect(
      server.socket({ token: member.token }),
      'subscription($id: ID!, $after: String) { threadActivity(threadId: $id, after: $after) { eventId post { body } } }',
      { id: openThread.id, after: '0' },
    );
    await subscription.settle();

    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: openThread.id, body: 'visible' },
      'id',
      owner.token,
    );
    const first = await subscription.next();
    await mutate(
      server,
      'leaveCommunity',
      'CommunityIdInput',
      { communityId: open.id },
      'community { id }',
      member.token,
    );
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: openThread.id, body: 'after leaving' },
      'id',
      owner.token,
    );
    const second = await subscription.next();
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(first.data.threadActivity.post.body).toBe('visible');
    expect(second.data ?? null).toBeNull();
    expect(second.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(JSON.stringify(subscription.results)).not.toContain('after leaving');
    expect(subscription.completed).toBe(true);
  });

  test('shows the community to its members', async () => {
    const result = await server.graphql(
      '{ community(slug: "hidden-circle") { name memberCount threads { nodes { title } } } }',
      {},
      { token: owner.token },
    );

    expect(result.body.data.community).toEqual({
      name: 'Hidden Circle',
      memberCount: 1,
      threads: { nodes: [{ title: 'Secret plans' }] },
    });
  });
});

describe('district community access on the demo data', () => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SEED_DEMO: 'true' } });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function tokenFor(email: string): Promise<string> {
    const result = await server.graphql(
      'mutation($input: SignInInput!) { signIn(input: $input) { ... on MutationSignInSuccess { data { token } } } }',
      { input: { email, password: 'staffroom-demo' } },
    );
    return result.body.data.signIn.data.token;
  }

  const QUERY = `{ community(slug: "riverbend-instructional-coaches") { name viewerCanJoin }
    communities(first: 100) { nodes { slug } } }`;

  test('shows it to district staff who are not members', async () => {
    const result = await server.graphql(
      QUERY,
      {},
      { token: await tokenFor('dev.patel@riverbend.example.org') },
    );

    expect(result.body.data.community).toEqual({
      name: 'Riverbend Instructional Coaches',
      viewerCanJoin: true,
    });
    expect(result.body.data.communities.nodes.map((node: Json) => node.slug)).toContain(
      'riverbend-instructional-coaches',
    );
  });

  test('hides it from staff of another district', async () => {
    const result = await server.graphql(
      QUERY,
      {},
      { token: await tokenFor('amara.okafor@cedarplains.example.org') },
    );

    expect(result.body.data.community).toBeNull();
    expect(result.body.data.communities.nodes.map((node: Json) => node.slug)).not.toContain(
      'riverbend-instructional-coaches',
    );
  });

  test('hides the private circle from non-members', async () => {
    const result = await server.graphql(
      '{ community(slug: "new-teacher-support-circle") { name } }',
      {},
      { token: await tokenFor('dev.patel@riverbend.example.org') },
    );
    const asMember = await server.graphql(
      '{ community(slug: "new-teacher-support-circle") { name } }',
      {},
      { token: await tokenFor('demo@staffroom.example.org') },
    );

    expect(result.body.data.community).toBeNull();
    expect(asMember.body.data.community.name).toBe('New Teacher Support Circle');
  });
});
