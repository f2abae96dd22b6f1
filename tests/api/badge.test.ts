import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const AWARD = `mutation($input: AwardBadgeInput!) { awardBadge(input: $input) {
  __typename ... on Error { message } ... on MutationAwardBadgeSuccess { data { id status recipient { id } } } } }`;

describe.each(await databaseKinds())('badges and notifications on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let facilitator: { id: string; token: string };
  let member: { id: string; token: string };
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    facilitator = await signUpUser(server, { displayName: 'Fay Facilitator' });
    member = await signUpUser(server, { displayName: 'Max Member' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Badge Makers', focus: 'STEM', visibility: 'PUBLIC' },
        'id',
        facilitator.token,
      )
    ).id;
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', member.token);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const createBadge = (name: string, token = facilitator.token) =>
    server.graphql(
      'mutation($input: CreateBadgeInput!) { createBadge(input: $input) { __typename ... on Error { message } ... on MutationCreateBadgeSuccess { data { id name isteStandards { standard code name } } } } }',
      {
        input: {
          communityId,
          name,
          description: 'Ran a design challenge',
          criteria: 'Share **two** prototypes',
          isteStandards: ['DESIGNER', 'FACILITATOR'],
        },
      },
      { token },
    );

  test('lists the seven ISTE Standards for Educators', async () => {
    const result = await server.graphql('{ isteStandards { code name } }');

    expect(
      result.body.data.isteStandards.map((standard: { code: string }) => standard.code),
    ).toEqual(['2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7']);
    expect(result.body.data.isteStandards[6].name).toBe('Analyst');
  });

  test('defines a badge aligned to standards', async () => {
    const result = await createBadge('Design Lead');
    const byMember = await createBadge('Sneaky', member.token);
    const duplicate = await createBadge('design lead');

    expect(result.body.data.createBadge.data.isteStandards).toEqual([
      { standard: 'DESIGNER', code: '2.5', name: 'Designer' },
      { standard: 'FACILITATOR', code: '2.6', name: 'Facilitator' },
    ]);
    expect(byMember.body.data.createBadge.__typename).toBe('ForbiddenError');
    expect(duplicate.body.data.createBadge.__typename).toBe('ConflictError');
  });

  test('awards a badge once and notifies the recipient live', async () => {
    const badgeId = (await createBadge('Collaboration Star')).body.data.createBadge.data.id;
    const notifications = collect(
      server.socket({ token: member.token }),
      'subscription { viewerNotifications(after: "0") { eventId unreadCount notification { kind message read badge { name } } } }',
    );
    const community = collect(
      server.socket({ token: member.token }),
      'subscription($id: ID!) { communityActivity(communityId: $id, after: "0") { type badgeAward { recipient { displayName } } } }',
      { id: communityId },
    );
    await notifications.settle();

    const awarded = await server.graphql(
      AWARD,
      { input: { badgeId, recipientId: member.id, note: 'Great work' } },
      { token: facilitator.token },
    );
    const twice = await server.graphql(
      AWARD,
      { input: { badgeId, recipientId: member.id } },
      { token: facilitator.token },
    );
    const event = (await notifications.next()).data.viewerNotifications;
    const activity = (await community.next()).data.communityActivity;
    const holders = await server.graphql(
      'query($id: ID!) { badge(id: $id) { holderCount holders { nodes { recipient { id } } } } }',
      { id: badgeId },
    );

    expect(awarded.body.data.awardBadge.data.status).toBe('active');
    expect(twice.body.data.awardBadge.__typename).toBe('ConflictError');
    expect(event.notification).toEqual({
      kind: 'BADGE_AWARDED',
      message: 'Fay Facilitator awarded you the badge “Collaboration Star”.',
      read: false,
      badge: { name: 'Collaboration Star' },
    });
    expect(event.unreadCount).toBe(1);
    expect(activity).toEqual({
      type: 'BADGE_AWARDED',
      badgeAward: { recipient: { displayName: 'Max Member' } },
    });
    expect(holders.body.data.badge.holderCount).toBe(1);
    expect(holders.body.data.badge.holders.nodes).toEqual([{ recipient: { id: member.id } }]);
  });

  test('shows profile awards to others only while public', async () => {
    // A person of their own, so that the award's notification leaves the other tests' counts alone.
    const quiet = await signUpUser(server, { displayName: 'Quinn Quiet' });
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', quiet.token);
    const badgeId = (await createBadge('Quiet Achiever')).body.data.createBadge.data.id;
    await server.graphql(
      AWARD,
      { input: { badgeId, recipientId: quiet.id } },
      { token: facilitator.token },
    );
    const PROFILE =
      'query($id: ID!) { node(id: $id) { ... on User { badgeAwards { nodes { id } } } } }';
    const setPublic = (badgesPublic: boolean) =>
      server.graphql(
        'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { __typename } }',
        { input: { badgesPublic } },
        { token: quiet.token },
      );

    await setPublic(false);
    const hidden = await server.graphql(PROFILE, { id: quiet.id }, { token: facilitator.token });
    const own = await server.graphql(PROFILE, { id: quiet.id }, { token: quiet.token });
    await setPublic(true);
    const shown = await server.graphql(PROFILE, { id: quiet.id }, { token: facilitator.token });

    const HOLDERS = 'query($id: ID!) { badge(id: $id) { holderCount holders { nodes { id } } } }';
    await setPublic(false);
    const outsider = await signUpUser(server, { displayName: 'Olive Outsider' });
    const holdersForOutsider = await server.graphql(
      HOLDERS,
      { id: badgeId },
      { token: outsider.token },
    );
    const holdersForFacilitator = await server.graphql(
      HOLDERS,
      { id: badgeId },
      { token: facilitator.token },
    );
    await setPublic(true);

    expect(hidden.body.data.node.badgeAwards.nodes).toEqual([]);
    expect(holdersForOutsider.body.data.badge).toEqual({ holderCount: 1, holders: { nodes: [] } });
    expect(holdersForFacilitator.body.data.badge.holders.nodes).toHaveLength(1);
    expect(own.body.data.node.badgeAwards.nodes.length).toBeGreaterThan(0);
    expect(shown.body.data.node.badgeAwards.nodes.length).toBeGreaterThan(0);
  });

  test('misses no community activity between query and subscription', async () => {
    const page = await server.graphql('query { communities(first: 100) { nodes { slug id } } }');
    const slug = page.body.data.communities.nodes.find(
      (node: { id: string }) => node.id === communityId,
    ).slug;
    const query = await server.graphql(
      'query($slug: String!) { community(slug: $slug) { eventCursor } }',
      { slug },
    );

    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'In between', body: 'x' },
      'id',
      member.token,
    );
    const activity = collect(
      server.socket({ token: member.token }),
      'subscription($id: ID!, $after: String) { communityActivity(communityId: $id, after: $after) { type thread { title } } }',
      { id: communityId, after: query.body.data.community.eventCursor },
    );
    const first = (await activity.next()).data.communityActivity;

    expect(first).toEqual({ type: 'THREAD_CREATED', thread: { title: 'In between' } });
  });

  test('rejects awards to non-members and by members', async () => {
    const badgeId = (await createBadge('Open Sharer')).body.data.createBadge.data.id;
    const outsider = await signUpUser(server);

    const toOutsider = await server.graphql(
      AWARD,
      { input: { badgeId, recipientId: outsider.id } },
      { token: facilitator.token },
    );
    const byMember = await server.graphql(
      AWARD,
      { input: { badgeId, recipientId: facilitator.id } },
      { token: member.token },
    );

    expect(toOutsider.body.data.awardBadge.__typename).toBe('ValidationError');
    expect(byMember.body.data.awardBadge.__typename).toBe('ForbiddenError');
  });

  test('notifies the author of a replied-to post', async () => {
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Ask me', body: 'x' },
      'id',
      member.token,
    );
    const feed = collect(
      server.socket({ token: member.token }),
      'subscription { viewerNotifications(after: "0") { notification { kind message thread { id } } } }',
    );
    await feed.settle();

    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: 'An answer' },
      'id',
      facilitator.token,
    );
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: 'My own reply' },
      'id',
      member.token,
    );
    const earlier = (await feed.next()).data.viewerNotifications.notification;
    const event = (await feed.next()).data.viewerNotifications.notification;
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(earlier.kind).toBe('BADGE_AWARDED');
    expect(event).toEqual({
      kind: 'REPLY',
      message: 'Fay Facilitator replied to you in “Ask me”.',
      thread: { id: thread.id },
    });
    expect(feed.results).toHaveLength(2);
  });

  test('marks notifications read', async () => {
    const before = await server.graphql(
      '{ unreadNotificationCount notifications(first: 10) { nodes { id read } } }',
      {},
      { token: member.token },
    );
    const firstId = before.body.data.notifications.nodes[0].id;

    const one = await mutate(
      server,
      'markNotificationsRead',
      'MarkNotificationsReadInput',
      { notificationIds: [firstId] },
      'unreadCount',
      member.token,
    );
    const all = await mutate(
      server,
      'markNotificationsRead',
      'MarkNotificationsReadInput',
      { all: true },
      'unreadCount',
      member.token,
    );
    const empty = await server.graphql(
      'mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { __typename } }',
      { input: {} },
      { token: member.token },
    );
    // The facilitator follows the thread they replied to, so the member's own reply notified them.
    const othersBefore = await server.graphql(
      '{ unreadNotificationCount }',
      {},
      { token: facilitator.token },
    );
    const othersIds = await mutate(
      server,
      'markNotificationsRead',
      'MarkNotificationsReadInput',
      { notificationIds: [firstId] },
      'unreadCount',
      facilitator.token,
    );

    expect(before.body.data.unreadNotificationCount).toBe(2);
    expect(one.unreadCount).toBe(1);
    expect(all.unreadCount).toBe(0);
    expect(empty.body.data.markNotificationsRead.__typename).toBe('ValidationError');
    expect(othersBefore.body.data.unreadNotificationCount).toBe(1);
    expect(othersIds.unreadCount).toBe(1);
  });

  test('keeps notifications private to their owner', async () => {
    const own = await server.graphql(
      '{ notifications { nodes { id } } }',
      {},
      { token: member.token },
    );
    const result = await server.graphql(
      '{ notifications { nodes { id kind } } unreadNotificationCount }',
      {},
      { token: facilitator.token },
    );
    const signedOut = await server.graphql(
      '{ notifications { nodes { id } } unreadNotificationCount }',
    );
    const subscription = collect(
      server.socket(),
      'subscription { viewerNotifications { eventId } }',
    );

    const memberIds = own.body.data.notifications.nodes.map((node: { id: string }) => node.id);
    const facilitatorIds = result.body.data.notifications.nodes.map(
      (node: { id: string }) => node.id,
    );
    expect(memberIds.length).toBeGreaterThan(0);
    expect(facilitatorIds.filter((id: string) => memberIds.includes(id))).toEqual([]);
    expect(result.body.data.notifications.nodes).toEqual([
      expect.objectContaining({ kind: 'FOLLOWED_REPLY' }),
    ]);
    expect(signedOut.body.data).toEqual({
      notifications: { nodes: [] },
      unreadNotificationCount: 0,
    });
    expect((await subscription.next()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
