/**
 * Attacks on moderation and analytics that once got through. A member could report a held
 * reply or a removed thread by guessing its id, and the report then named the hidden content's
 * author. A muted member could leave a public community and join again to lift the mute. The
 * analytics CSV read impossible or non-ISO dates as other days, and failed with HTTP 500 on
 * years that PostgreSQL rejects. A removal event named the author of a reply the subscriber never
 * saw. One more test checks that a ban from the review queue ends the person's subscriptions.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { posts, reports } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  createCommunityWithMembers,
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

type Person = Awaited<ReturnType<typeof signUpUser>>;

/** Runs a mutation and returns its payload, typed error or success alike. */
async function attempt(
  server: TestServer,
  field: string,
  inputType: string,
  input: Record<string, unknown>,
  token: string,
  selection = 'id',
): Promise<Json> {
  const successType = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  const result = await server.graphql(
    `mutation($input: ${inputType}!) { ${field}(input: $input) {
      __typename ... on Error { message } ... on ValidationError { issues { path message } }
      ... on ${successType} { data { ${selection} } } } }`,
    { input },
    { token },
  );
  const payload = result.body?.data?.[field];
  if (!payload) {
    throw new Error(`${field} failed with HTTP ${result.status}: ${JSON.stringify(result.body)}`);
  }
  return payload;
}

describe.each(await databaseKinds())('moderation attacks on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let facilitator: Person;
  let member: Person;
  let author: Person;
  let communityId: string;
  let threadId: string;

  const db = () => server.database.db;

  async function reportCount(): Promise<number> {
    const [row] = await db().select({ count: sql<number>`count(*)::int` }).from(reports);
    return row?.count ?? 0;
  }

  async function report(subjectId: string, person: Person, extra = {}): Promise<Json> {
    return attempt(
      server,
      'reportContent',
      'ReportContentInput',
      { subjectId, reason: 'SPAM', ...extra },
      person.token,
      'id subjectUser { id }',
    );
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database, env: { FLOOD_LIMITS: 'false' } });
    owner = await signUpUser(server, { displayName: 'Oona Owner' });
    facilitator = await signUpUser(server, { displayName: 'Femi Facilitator' });
    member = await signUpUser(server, { displayName: 'Mara Member' });
    author = await signUpUser(server, { displayName: 'Arlo Author' });
    const community = await createCommunityWithMembers(
      server,
      owner.token,
      { name: 'Guarded Circle', focus: 'OTHER', visibility: 'PUBLIC' },
      [facilitator.token, member.token, author.token],
    );
    communityId = community.id;
    await mutate(
      server,
      'changeMemberRole',
      'ChangeMemberRoleInput',
      { communityId, userId: facilitator.id, role: 'FACILITATOR' },
      'id',
      owner.token,
    );
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Seating charts', body: 'What works?' },
      'id',
      owner.token,
    );
    threadId = thread.id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('held reply: member report rejected', async () => {
    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'Waiting for review' },
      'id',
      author.token,
    );
    await db()
      .update(posts)
      .set({ heldAt: sql`now()` })
      .where(eq(posts.id, rowIdOf(post.id)));
    const before = await reportCount();

    const result = await report(post.id, member);

    expect(result.__typename).toBe('NotFoundError');
    expect(JSON.stringify(result)).not.toContain(author.id);
    expect(await reportCount()).toBe(before);
  });

  test('removed thread: member report rejected', async () => {
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Taken down', body: 'Off-topic advert' },
      'id',
      author.token,
    );
    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: 'Reply under the advert' },
      'id',
      owner.token,
    );
    await mutate(
      server,
      'removeThread',
      'RemoveThreadInput',
      { threadId: thread.id, reason: 'Advertising' },
      'id',
      facilitator.token,
    );
    const before = await reportCount();

    const onThread = await report(thread.id, member);
    const onReply = await report(post.id, member);

    expect(onThread.__typename).toBe('NotFoundError');
    expect(onReply.__typename).toBe('NotFoundError');
    expect(await reportCount()).toBe(before);
  });

  test('held reply: moderator report accepted', async () => {
    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'Held but reportable by those who see it' },
      'id',
      author.token,
    );
    await db()
      .update(posts)
      .set({ heldAt: sql`now()` })
      .where(eq(posts.id, rowIdOf(post.id)));

    const byModerator = await report(post.id, facilitator);

    expect(byModerator.__typename).toBe('MutationReportContentSuccess');
  });

  test('mute survives leave and rejoin', async () => {
    const muted = await signUpUser(server, { displayName: 'Milo Muted' });
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', muted.token);
    const personReport = await report(muted.id, member, { communityId });
    expect(personReport.__typename).toBe('MutationReportContentSuccess');
    const decided = await attempt(
      server,
      'resolveReport',
      'ResolveReportInput',
      { reportId: personReport.data.id, action: 'MUTE', muteMinutes: 60 },
      facilitator.token,
      'status mutedUntil',
    );
    expect(decided.__typename).toBe('MutationResolveReportSuccess');

    await mutate(
      server,
      'leaveCommunity',
      'CommunityIdInput',
      { communityId },
      'community { id }',
      muted.token,
    );
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', muted.token);
    const replied = await attempt(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'Back again, unmuted?' },
      muted.token,
    );

    expect(replied.__typename).toBe('ForbiddenError');
    expect(replied.message).toMatch(/muted you in this community until/);
  });

  test('removal event: held reply author hidden', async () => {
    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'Held, then removed' },
      'id',
      author.token,
    );
    await db()
      .update(posts)
      .set({ heldAt: sql`now()` })
      .where(eq(posts.id, rowIdOf(post.id)));
    const subscription = server.subscribe(
      `subscription($id: ID!) { threadActivity(threadId: $id) {
        type postId post { id body author { id } } } }`,
      { id: threadId },
      { token: member.token },
    );
    await subscription.settle();

    await mutate(
      server,
      'removePost',
      'RemovePostInput',
      { postId: post.id, reason: 'Spam link' },
      'id',
      facilitator.token,
    );
    const event = await subscription.next();
    await subscription.close();

    expect(event.data.threadActivity.type).toBe('POST_REMOVED');
    expect(event.data.threadActivity.postId).toBe(post.id);
    expect(event.data.threadActivity.post?.body ?? '').toBe('');
    expect(event.data.threadActivity.post?.author ?? null).toBeNull();
  });

  test('ban ends community subscriptions at once', async () => {
    const banned = await signUpUser(server, { displayName: 'Bo Banned' });
    const community = await createCommunityWithMembers(server, owner.token, {
      name: 'Closed Circle',
      focus: 'OTHER',
      visibility: 'PRIVATE',
    });
    await attempt(
      server,
      'requestToJoin',
      'RequestToJoinInput',
      { communityId: community.id },
      banned.token,
    );
    await mutate(
      server,
      'decideJoinRequest',
      'DecideJoinRequestInput',
      { communityId: community.id, userId: banned.id, approve: true },
      '__typename',
      owner.token,
    );
    const socket = server.socket({ token: banned.token });
    const activity = collect(
      socket,
      'subscription($id: ID!) { communityActivity(communityId: $id) { type } }',
      { id: community.id },
    );
    await activity.settle(200);
    const personReport = await report(banned.id, owner, { communityId: community.id });

    await mutate(
      server,
      'resolveReport',
      'ResolveReportInput',
      { reportId: personReport.data.id, action: 'BAN' },
      'action',
      owner.token,
    );
    const end = await activity.next(1500);
    await activity.close();

    expect(end.data ?? null).toBeNull();
    expect(end.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  test('analytics CSV: invalid instants rejected', async () => {
    const cases: [string, string][] = [
      ['from=2026-11-01T00:00:00Z&to=2026-11-31T00:00:00Z', 'period.to'],
      ['from=Nov%201%202026&to=2026-11-20T00:00:00Z', 'period.from'],
      ['from=2026&to=2026-06-01T00:00:00Z', 'period.from'],
      ['from=0000-01-01T00:00:00Z&to=0000-06-01T00:00:00Z', 'period.from'],
      ['from=%2B275760-01-01T00:00:00Z&to=%2B275760-06-01T00:00:00Z', 'period.from'],
      ['to=2026-11-20T00:00:00Z', 'period.from'],
    ];

    for (const [query, path] of cases) {
      const response = await fetch(
        `${server.url}/communities/${encodeURIComponent(communityId)}/analytics.csv?${query}`,
        { headers: { authorization: `Bearer ${owner.token}` } },
      );
      const body = await response.json();

      expect(response.status, query).toBe(400);
      expect(body.error, query).toMatch(new RegExp(`^${path}: `));
    }
  });
});
