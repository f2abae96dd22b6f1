import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('edge cases on pglite', () => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: { id: string; token: string };
  let member: { id: string; token: string };
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Edge Owner' });
    member = await signUpUser(server, { displayName: 'Edge Member' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Edge Cases', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        owner.token,
      )
    ).id;
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', member.token);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('hides notifications from other people', async () => {
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Mine', body: 'x' },
      'id',
      owner.token,
    );
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: 'reply' },
      'id',
      member.token,
    );
    const own = await server.graphql(
      '{ notifications { nodes { id } } }',
      {},
      { token: owner.token },
    );
    const notificationId = own.body.data.notifications.nodes[0].id;

    const asOther = await server.graphql(
      'query($id: ID!) { node(id: $id) { ... on Notification { message } } nodes(ids: [$id]) { id } }',
      { id: notificationId },
      { token: member.token },
    );
    const asOwner = await server.graphql(
      'query($id: ID!) { node(id: $id) { ... on Notification { message } } }',
      { id: notificationId },
      { token: owner.token },
    );

    expect(asOther.body.data?.node ?? null).toBeNull();
    // nodes(ids:) treats a hidden id as a missing one: an error for the whole list.
    expect(asOther.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(asOwner.body.data.node.message).toMatch(/replied to you/);
  });

  test('returns each node of nodes in order', async () => {
    const second = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Edge Two', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        owner.token,
      )
    ).id;

    const result = await server.graphql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [second, communityId, second],
    });

    expect(result.body.data.nodes.map((node: Json) => node.id)).toEqual([
      second,
      communityId,
      second,
    ]);
  });

  test.each(['Community:+1', 'Community:0x1', 'Community:1e0', 'Community: 1', 'Community:01'])(
    'rejects the id %s',
    async (raw) => {
      const result = await server.graphql(
        'mutation($input: CommunityIdInput!) { joinCommunity(input: $input) { __typename } }',
        { input: { communityId: b64(raw) } },
        { token: member.token },
      );

      expect(result.body.data.joinCommunity.__typename).toBe('ValidationError');
    },
  );

  test('keeps the socket after a bad document', async () => {
    const socket = server.socket({ token: member.token });
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Socket', body: 'x' },
      'id',
      member.token,
    );
    const good = collect(
      socket,
      'subscription($id: ID!) { threadActivity(threadId: $id, after: "0") { post { body } } }',
      { id: thread.id },
    );
    const bad = collect(socket, 'subscription {');

    const badResult = await bad.next().catch((error: Error) => error.message);
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: 'still here' },
      'id',
      owner.token,
    );
    const goodResult = await good.next();

    expect(JSON.stringify(badResult)).toMatch(/Syntax Error/);
    expect(goodResult.data.threadActivity.post.body).toBe('still here');
  });

  test('stores time zones in their standard spelling', async () => {
    const result = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: 'Zone',
        startsAt: '2099-01-01T10:00:00Z',
        endsAt: '2099-01-01T11:00:00Z',
        timeZone: 'america/chicago',
      },
      'timeZone',
      member.token,
    );

    expect(result.timeZone).toBe('America/Chicago');
  });

  test('schedules a session with an empty join link', async () => {
    const result = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: 'No link',
        startsAt: '2099-01-01T10:00:00Z',
        endsAt: '2099-01-01T11:00:00Z',
        timeZone: 'UTC',
        joinUrl: '',
      },
      'joinUrl',
      member.token,
    );

    expect(result.joinUrl).toBeNull();
  });

  test.each(['2099-02-30T10:00:00Z', '2099-04-31T10:00:00Z', '2099-00-10T10:00:00Z'])(
    'rejects the impossible date %s',
    async (startsAt) => {
      const result = await server.graphql(
        'mutation($input: ScheduleLiveSessionInput!) { scheduleLiveSession(input: $input) { __typename } }',
        {
          input: {
            communityId,
            title: 'x',
            startsAt,
            endsAt: '2099-05-01T11:00:00Z',
            timeZone: 'UTC',
          },
        },
        { token: member.token },
      );

      expect(result.body.errors[0].message).toMatch(/not a real date/);
    },
  );

  test('drops an expired award from holders', async () => {
    const badge = await mutate(
      server,
      'createBadge',
      'CreateBadgeInput',
      { communityId, name: 'Brief', description: 'd', criteria: 'c', isteStandards: ['LEARNER'] },
      'id',
      owner.token,
    );
    await mutate(
      server,
      'awardBadge',
      'AwardBadgeInput',
      {
        badgeId: badge.id,
        recipientId: member.id,
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      },
      'id',
      owner.token,
    );
    const before = await server.graphql(
      'query($id: ID!) { badge(id: $id) { holderCount holders { nodes { id } } } }',
      { id: badge.id },
    );
    await new Promise((resolve) => setTimeout(resolve, 1700));

    const after = await server.graphql(
      'query($id: ID!) { badge(id: $id) { holderCount holders { nodes { id } } } }',
      { id: badge.id },
    );

    expect(before.body.data.badge.holderCount).toBe(1);
    expect(after.body.data.badge.holderCount).toBe(0);
    expect(after.body.data.badge.holders.nodes).toEqual([]);
  });

  test('does not allow credentials across origins', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://portal.example.org', 'access-control-request-method': 'POST' },
    });

    expect(response.headers.get('access-control-allow-credentials')).not.toBe('true');
  });
});
