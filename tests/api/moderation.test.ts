/**
 * Reports, the review queue and the moderators' actions through the GraphQL API: reporting,
 * each decision's effect, direct removal with its live events, community mutes, and who may do
 * what. Tables are read directly only for what the API does not show to the person asking: raw
 * audit rows, notification subjects and mute times.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  auditLog,
  chatMessages,
  districtAdmins,
  districts,
  memberships,
  notifications,
  posts,
  rateLimits,
  reports,
  users,
} from '../../drizzle/tables/index.ts';
import { holdForReview, REPORT_RATE_LIMIT } from '../../server/services/moderation.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

type Person = Awaited<ReturnType<typeof signUpUser>>;

const INPUT_TYPES: Record<string, string> = {
  reportContent: 'ReportContentInput',
  resolveReport: 'ResolveReportInput',
  removePost: 'RemovePostInput',
  removeThread: 'RemoveThreadInput',
  restorePost: 'RestorePostInput',
  restoreThread: 'RestoreThreadInput',
  createPost: 'CreatePostInput',
  createThread: 'CreateThreadInput',
  editPost: 'EditPostInput',
};

const QUEUE = `query($id: ID!, $status: ReportStatus) { node(id: $id) { ... on Community {
  openReportCount viewerCanReviewReports
  reports(status: $status) { nodes { id reason details status action resolutionNote subjectKind
    subjectId openReportsOnSubject reporter { id } subjectUser { id }
    subject { title body removed held deleted threadId } } } } } }`;

const THREAD_ACTIVITY = `subscription($id: ID!) { threadActivity(threadId: $id) {
  eventId type threadId postId } }`;
const COMMUNITY_ACTIVITY = `subscription($id: ID!) { communityActivity(communityId: $id) {
  eventId type threadId postId } }`;

/**
 * Runs a mutation and returns its payload: `__typename`, `message` and `issues` for an error, or
 * `data` (with `selection`) for a success. Throws when the request fails outright.
 */
async function attempt(
  server: TestServer,
  field: keyof typeof INPUT_TYPES,
  input: Record<string, unknown>,
  token: string,
  selection = 'id',
): Promise<Json> {
  const successType = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  const result = await server.graphql(
    `mutation($input: ${INPUT_TYPES[field]}!) { ${field}(input: $input) {
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

async function queueAs(
  server: TestServer,
  communityId: string,
  token: string,
  status = 'OPEN',
): Promise<Json> {
  const result = await server.graphql(QUEUE, { id: communityId, status }, { token });
  expect(result.body.errors).toBeUndefined();
  return result.body.data.node;
}

async function postIdsAs(server: TestServer, threadId: string, token: string): Promise<string[]> {
  const result = await server.graphql(
    'query($id: ID!) { thread(id: $id) { posts(first: 100) { nodes { id } } } }',
    { id: threadId },
    { token },
  );
  return result.body.data.thread?.posts.nodes.map((node: Json) => node.id) ?? [];
}

describe.each(await databaseKinds())('moderation on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let facilitator: Person;
  let reporter: Person;
  let secondReporter: Person;
  let author: Person;
  let outsider: Person;
  let communityId: string;
  let threadId: string;

  const db = () => server.database.db;

  async function reply(body: string, person = author, thread = threadId): Promise<string> {
    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread, body },
      'id',
      person.token,
    );
    return post.id;
  }

  async function report(subjectId: string, person = reporter, extra = {}): Promise<Json> {
    return attempt(
      server,
      'reportContent',
      { subjectId, reason: 'SPAM', details: 'Selling things', ...extra },
      person.token,
      'id status reason reporter { id }',
    );
  }

  async function reportCount(): Promise<number> {
    const [row] = await db().select({ count: sql<number>`count(*)::int` }).from(reports);
    return row?.count ?? 0;
  }

  async function notificationsOf(person: Person, kind: 'moderation' | 'report_resolved') {
    return db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, rowIdOf(person.id)), eq(notifications.kind, kind)))
      .orderBy(desc(notifications.id));
  }

  async function auditActions(): Promise<string[]> {
    const rows = await db()
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.communityId, rowIdOf(communityId)))
      .orderBy(auditLog.id);
    return rows.map((row) => row.action);
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Olu Owner' });
    facilitator = await signUpUser(server, { displayName: 'Fatima Facilitator' });
    reporter = await signUpUser(server, { displayName: 'Rita Reporter' });
    secondReporter = await signUpUser(server, { displayName: 'Sam Second' });
    author = await signUpUser(server, { displayName: 'Abe Author' });
    outsider = await signUpUser(server, { displayName: 'Otto Outsider' });
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Reported Circle', focus: 'OTHER', visibility: 'PUBLIC' },
      'id',
      owner.token,
    );
    communityId = community.id;
    for (const person of [facilitator, reporter, secondReporter, author]) {
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        person.token,
      );
    }
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
      { communityId, title: 'Fractions on a number line', body: 'Ideas?' },
      'id',
      author.token,
    );
    threadId = thread.id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('reportContent', () => {
    test('queues a report for moderators', async () => {
      const postId = await reply('Buy cheap essays at spam.example');

      const made = await report(postId);
      const queue = await queueAs(server, communityId, facilitator.token);
      const entry = queue.reports.nodes.find((node: Json) => node.subjectId === postId);

      expect(made.__typename).toBe('MutationReportContentSuccess');
      expect(made.data.status).toBe('OPEN');
      expect(made.data.reporter.id).toBe(reporter.id);
      expect(queue.viewerCanReviewReports).toBe(true);
      expect(queue.openReportCount).toBeGreaterThanOrEqual(1);
      expect(entry.reason).toBe('SPAM');
      expect(entry.details).toBe('Selling things');
      expect(entry.subjectKind).toBe('POST');
      expect(entry.subjectUser.id).toBe(author.id);
      expect(entry.subject.body).toBe('Buy cheap essays at spam.example');
      expect(entry.subject.title).toBe('Fractions on a number line');
      expect(entry.openReportsOnSubject).toBe(1);
    });

    test('rejects a second open report', async () => {
      const postId = await reply('Another advert');
      await report(postId);
      const before = await reportCount();

      const again = await report(postId);

      expect(again.__typename).toBe('ConflictError');
      expect(again.message).toMatch(/already reported/);
      expect(await reportCount()).toBe(before);
    });

    test('counts open reports per subject', async () => {
      const postId = await reply('Counted twice');
      await report(postId);
      await report(postId, secondReporter);

      const queue = await queueAs(server, communityId, facilitator.token);
      const entries = queue.reports.nodes.filter((node: Json) => node.subjectId === postId);

      expect(entries).toHaveLength(2);
      expect(entries.map((entry: Json) => entry.openReportsOnSubject)).toEqual([2, 2]);
    });

    test('rejects bad input and changes nothing', async () => {
      const postId = await reply('Fine post');
      const before = await reportCount();
      const cases: [Record<string, unknown>, string][] = [
        [{ subjectId: 'not-an-id', reason: 'SPAM' }, 'subjectId'],
        [{ subjectId: communityId, reason: 'SPAM' }, 'subjectId'],
        [{ subjectId: postId, reason: 'SPAM', details: 'x'.repeat(1001) }, 'details'],
        [{ subjectId: postId, reason: 'HELD_LINK' }, 'reason'],
        [{ subjectId: author.id, reason: 'HARASSMENT' }, 'communityId'],
        [{ subjectId: reporter.id, communityId, reason: 'OTHER' }, 'subjectId'],
      ];

      for (const [input, path] of cases) {
        const result = await attempt(server, 'reportContent', input, reporter.token);
        expect(result.__typename, JSON.stringify(input).slice(0, 80)).toBe('ValidationError');
        expect(result.issues.map((issue: Json) => issue.path[0])).toContain(path);
      }
      expect(await reportCount()).toBe(before);
    });

    test('rejects reports past the hourly limit', async () => {
      const flooder = await signUpUser(server, { displayName: 'Flo Flooder' });
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        flooder.token,
      );
      const postId = await reply('Reported once too often');
      // The limit's window is full, as after REPORT_RATE_LIMIT.limit reports within the hour.
      await db()
        .insert(rateLimits)
        .values({
          key: `report:account:${rowIdOf(flooder.id)}`,
          hits: REPORT_RATE_LIMIT.limit,
          windowEndsAt: new Date(Date.now() + 600_000).toISOString(),
        });
      const before = await reportCount();

      const result = await server.graphql(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) {
          __typename ... on RateLimitedError { retryAfterSeconds } } }`,
        { input: { subjectId: postId, reason: 'SPAM' } },
        { token: flooder.token },
      );

      expect(result.body.data.reportContent.__typename).toBe('RateLimitedError');
      expect(result.body.data.reportContent.retryAfterSeconds).toBeGreaterThan(500);
      expect(await reportCount()).toBe(before);
    });

    test('reports a person in a community', async () => {
      const made = await attempt(
        server,
        'reportContent',
        { subjectId: author.id, communityId, reason: 'HARASSMENT' },
        reporter.token,
        'id subjectKind subjectUser { id }',
      );

      expect(made.__typename).toBe('MutationReportContentSuccess');
      expect(made.data.subjectKind).toBe('PERSON');
      expect(made.data.subjectUser.id).toBe(author.id);
    });
  });

  describe('review queue access', () => {
    test('hides the queue from members', async () => {
      const postId = await reply('Hidden queue');
      const made = await report(postId);

      const queue = await queueAs(server, communityId, reporter.token);
      const resolved = await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'REMOVE' },
        author.token,
      );
      const [row] = await db()
        .select()
        .from(posts)
        .where(eq(posts.id, rowIdOf(postId)));

      expect(queue.reports).toBeNull();
      expect(queue.openReportCount).toBeNull();
      expect(queue.viewerCanReviewReports).toBe(false);
      expect(resolved.__typename).toBe('ForbiddenError');
      expect(row?.removedAt).toBeNull();
    });

    test('rejects removal by a member', async () => {
      const postId = await reply('Member cannot remove');

      const removed = await attempt(
        server,
        'removePost',
        { postId, reason: 'Mine to decide' },
        reporter.token,
      );

      expect(removed.__typename).toBe('ForbiddenError');
      expect(await postIdsAs(server, threadId, reporter.token)).toContain(postId);
    });
  });

  describe('resolveReport', () => {
    test('removal reaches a live subscriber', async () => {
      const postId = await reply('Offensive words here');
      const first = await report(postId);
      await report(postId, secondReporter);
      const subscription = server.subscribe(
        THREAD_ACTIVITY,
        { id: threadId },
        { token: reporter.token },
      );
      await subscription.settle();

      const resolved = await attempt(
        server,
        'resolveReport',
        { reportId: first.data.id, action: 'REMOVE', note: 'Harassment is not allowed' },
        facilitator.token,
        'status action resolutionNote',
      );
      const event = await subscription.next();
      await subscription.close();

      expect(resolved.data).toEqual({
        status: 'RESOLVED',
        action: 'REMOVED',
        resolutionNote: 'Harassment is not allowed',
      });
      expect(event.data.threadActivity.type).toBe('POST_REMOVED');
      expect(event.data.threadActivity.postId).toBe(postId);
      expect(await postIdsAs(server, threadId, reporter.token)).not.toContain(postId);
      const [row] = await db()
        .select()
        .from(posts)
        .where(eq(posts.id, rowIdOf(postId)));
      expect(row?.removedById).toBe(rowIdOf(facilitator.id));
      expect(row?.removalReason).toBe('Harassment is not allowed');
    });

    test('resolves every report on the subject', async () => {
      const postId = await reply('Reported by two');
      const first = await report(postId);
      await report(postId, secondReporter);

      await attempt(
        server,
        'resolveReport',
        { reportId: first.data.id, action: 'REMOVE', note: 'Spam' },
        facilitator.token,
      );
      const rows = await db()
        .select()
        .from(reports)
        .where(eq(reports.postId, rowIdOf(postId)));
      const resolvedNotices = await notificationsOf(secondReporter, 'report_resolved');
      const authorNotices = await notificationsOf(author, 'moderation');

      expect(rows.map((row) => [row.status, row.action])).toEqual([
        ['resolved', 'removed'],
        ['resolved', 'removed'],
      ]);
      expect(resolvedNotices[0]?.subject).toMatchObject({
        postId: rowIdOf(postId),
        action: 'removed',
      });
      expect(authorNotices[0]?.subject).toMatchObject({
        postId: rowIdOf(postId),
        action: 'removed',
      });
      const actions = await auditActions();
      expect(actions).toContain('community.report_resolved');
      expect(actions).toContain('community.post_removed');
    });

    test('dismiss changes nothing', async () => {
      const postId = await reply('Harmless after all');
      const made = await report(postId);
      const notificationsBefore = (await notificationsOf(author, 'moderation')).length;

      const resolved = await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'DISMISS' },
        facilitator.token,
        'status action',
      );

      expect(resolved.data).toEqual({ status: 'RESOLVED', action: 'DISMISSED' });
      expect(await postIdsAs(server, threadId, reporter.token)).toContain(postId);
      expect(await notificationsOf(author, 'moderation')).toHaveLength(notificationsBefore);
      expect((await notificationsOf(reporter, 'report_resolved'))[0]?.subject).toMatchObject({
        reportId: rowIdOf(made.data.id),
        action: 'dismissed',
      });
    });

    test('rejects resolving twice', async () => {
      const postId = await reply('Resolved once');
      const made = await report(postId);
      await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'DISMISS' },
        facilitator.token,
      );

      const again = await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'REMOVE' },
        facilitator.token,
      );

      expect(again.__typename).toBe('ConflictError');
      expect(await postIdsAs(server, threadId, reporter.token)).toContain(postId);
    });

    test('warn notifies the person', async () => {
      const postId = await reply('Borderline remark');
      const made = await report(postId);

      await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'WARN', note: 'Please keep it civil' },
        facilitator.token,
      );
      const [notice] = await notificationsOf(author, 'moderation');

      expect(notice?.subject).toMatchObject({ action: 'warned', reportId: rowIdOf(made.data.id) });
      expect(await postIdsAs(server, threadId, reporter.token)).toContain(postId);
      expect(await auditActions()).toContain('community.member_warned');
    });

    test('warn note reaches author and reporter', async () => {
      const postId = await reply('Off-topic remark');
      const made = await report(postId);

      await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'WARN', note: 'Please keep replies on topic.' },
        facilitator.token,
      );
      const query = `{ notifications(first: 5) { nodes { kind message thread { id } } } }`;
      const authorView = await server.graphql(query, {}, { token: author.token });
      const reporterView = await server.graphql(query, {}, { token: reporter.token });
      const warning = authorView.body.data.notifications.nodes.find(
        (node: Json) => node.kind === 'MODERATION',
      );
      const outcome = reporterView.body.data.notifications.nodes.find(
        (node: Json) => node.kind === 'REPORT_RESOLVED',
      );

      expect(authorView.body.errors).toBeUndefined();
      expect(warning.message).toContain('Please keep replies on topic.');
      expect(warning.thread?.id).toBe(threadId);
      expect(outcome.message).toMatch(/^Your report about a reply in “/);
      expect(outcome.message).toContain('Please keep replies on topic.');
      expect(outcome.thread?.id).toBe(threadId);
    });

    test('rejects bad decisions and changes nothing', async () => {
      const postId = await reply('Bad decisions');
      const made = await report(postId);
      const cases: [Record<string, unknown>, string][] = [
        [{ reportId: made.data.id, action: 'MUTE' }, 'muteMinutes'],
        [{ reportId: made.data.id, action: 'MUTE', muteMinutes: 0 }, 'muteMinutes'],
        [{ reportId: made.data.id, action: 'WARN', muteMinutes: 10 }, 'muteMinutes'],
        [{ reportId: made.data.id, action: 'APPROVE' }, ''],
        [{ reportId: made.data.id, action: 'DISMISS', note: 'n'.repeat(1001) }, 'note'],
        [{ reportId: 'bogus', action: 'DISMISS' }, 'reportId'],
      ];

      for (const [input, path] of cases) {
        const result = await attempt(server, 'resolveReport', input, facilitator.token);
        if (path === '') {
          expect(result.__typename).toBe('ConflictError');
        } else {
          expect(result.__typename, JSON.stringify(input).slice(0, 80)).toBe('ValidationError');
          expect(result.issues.map((issue: Json) => issue.path[0])).toContain(path);
        }
      }
      const [row] = await db()
        .select()
        .from(reports)
        .where(eq(reports.id, rowIdOf(made.data.id)));
      expect(row?.status).toBe('open');
    });

    test('mute blocks posting until its end', async () => {
      const muted = await signUpUser(server, { displayName: 'Mo Muted' });
      await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', muted.token);
      const postId = await reply('Loud post', muted);
      const made = await report(postId);

      await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'MUTE', muteMinutes: 30, note: 'Cool down' },
        facilitator.token,
      );
      const [membership] = await db()
        .select({ mutedUntil: memberships.mutedUntil })
        .from(memberships)
        .where(eq(memberships.userId, rowIdOf(muted.id)));
      const until = new Date(Date.parse(membership?.mutedUntil ?? '')).toISOString();
      const replyAttempt = await attempt(
        server,
        'createPost',
        { threadId, body: 'Still talking' },
        muted.token,
      );
      const threadAttempt = await attempt(
        server,
        'createThread',
        { communityId, title: 'New topic', body: 'x' },
        muted.token,
      );
      const editAttempt = await attempt(
        server,
        'editPost',
        { postId, body: 'Edited' },
        muted.token,
      );

      const MUTED_UNTIL = `query($id: ID!) { node(id: $id) { ... on Community {
        members(first: 100) { nodes { mutedUntil user { id } } } } } }`;
      const mutedUntilAs = async (token: string) => {
        const result = await server.graphql(MUTED_UNTIL, { id: communityId }, { token });
        const node = result.body.data.node.members.nodes.find(
          (member: Json) => member.user.id === muted.id,
        );
        return node?.mutedUntil;
      };

      expect(Date.parse(until) - Date.now()).toBeGreaterThan(29 * 60_000);
      expect(await mutedUntilAs(facilitator.token)).toBe(until);
      expect(await mutedUntilAs(muted.token)).toBe(until);
      expect(await mutedUntilAs(reporter.token)).toBeNull();
      expect(replyAttempt.__typename).toBe('ForbiddenError');
      expect(replyAttempt.message).toContain(until);
      expect(threadAttempt.__typename).toBe('ForbiddenError');
      expect(editAttempt.__typename).toBe('ForbiddenError');
      expect((await notificationsOf(muted, 'moderation'))[0]?.subject).toMatchObject({
        action: 'muted',
        until: expect.any(String),
      });
      expect(await auditActions()).toContain('community.member_muted');

      await db()
        .update(memberships)
        .set({ mutedUntil: new Date(Date.now() - 1000).toISOString() })
        .where(eq(memberships.userId, rowIdOf(muted.id)));
      const afterMute = await attempt(
        server,
        'createPost',
        { threadId, body: 'Back again' },
        muted.token,
      );
      expect(afterMute.__typename).toBe('MutationCreatePostSuccess');
    });

    test('ban removes access', async () => {
      const banned = await signUpUser(server, { displayName: 'Bea Banned' });
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        banned.token,
      );
      await reply('Troll post', banned);
      const made = await attempt(
        server,
        'reportContent',
        { subjectId: banned.id, communityId, reason: 'HARASSMENT' },
        reporter.token,
      );

      const resolved = await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'BAN', note: 'Repeated harassment' },
        facilitator.token,
        'action',
      );
      const [membership] = await db()
        .select({ status: memberships.status })
        .from(memberships)
        .where(eq(memberships.userId, rowIdOf(banned.id)));
      const replyAttempt = await attempt(
        server,
        'createPost',
        { threadId, body: 'Let me in' },
        banned.token,
      );

      expect(resolved.data.action).toBe('BANNED');
      expect(membership?.status).toBe('banned');
      expect(replyAttempt.__typename).toBe('ForbiddenError');
      expect(await auditActions()).toContain('community.member_banned');
    });

    test('rejects banning an owner', async () => {
      const made = await attempt(
        server,
        'reportContent',
        { subjectId: owner.id, communityId, reason: 'OTHER' },
        reporter.token,
      );

      const resolved = await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'BAN' },
        facilitator.token,
      );
      const [membership] = await db()
        .select({ status: memberships.status })
        .from(memberships)
        .where(eq(memberships.userId, rowIdOf(owner.id)));

      expect(resolved.__typename).toBe('ForbiddenError');
      expect(membership?.status).toBe('active');
    });

    test('approve releases held content', async () => {
      const postId = await reply('See https://links.example for more');
      const held = await db().transaction((tx) =>
        holdForReview(tx, {
          communityId: rowIdOf(communityId),
          postId: rowIdOf(postId),
          authorId: rowIdOf(author.id),
        }),
      );
      const queue = await queueAs(server, communityId, facilitator.token);
      const entry = queue.reports.nodes.find(
        (node: Json) => node.subjectId === postId && node.reason === 'HELD_LINK',
      );
      const subscription = server.subscribe(
        THREAD_ACTIVITY,
        { id: threadId },
        { token: reporter.token },
      );
      await subscription.settle();

      const approved = await attempt(
        server,
        'resolveReport',
        { reportId: entry.id, action: 'APPROVE' },
        facilitator.token,
        'action',
      );
      const event = await subscription.next();
      await subscription.close();
      const [row] = await db()
        .select()
        .from(posts)
        .where(eq(posts.id, rowIdOf(postId)));

      expect(held.reason).toBe('held_link');
      expect(entry.reporter).toBeNull();
      expect(entry.subject.held).toBe(true);
      expect(approved.data.action).toBe('APPROVED');
      expect(row?.heldAt).toBeNull();
      expect(event.data.threadActivity.type).toBe('POST_RESTORED');
      expect(event.data.threadActivity.postId).toBe(postId);
      expect((await notificationsOf(author, 'moderation'))[0]?.subject).toMatchObject({
        action: 'approved',
      });
    });
    test('dismiss releases held content', async () => {
      const postId = await reply('Notes at https://held.example are fine');
      await db().transaction((tx) =>
        holdForReview(tx, {
          communityId: rowIdOf(communityId),
          postId: rowIdOf(postId),
          authorId: rowIdOf(author.id),
        }),
      );
      const queue = await queueAs(server, communityId, facilitator.token);
      const entry = queue.reports.nodes.find(
        (node: Json) => node.subjectId === postId && node.reason === 'HELD_LINK',
      );

      const dismissed = await attempt(
        server,
        'resolveReport',
        { reportId: entry.id, action: 'DISMISS' },
        facilitator.token,
        'action',
      );
      const [row] = await db()
        .select()
        .from(posts)
        .where(eq(posts.id, rowIdOf(postId)));

      expect(dismissed.data.action).toBe('DISMISSED');
      expect(row?.heldAt).toBeNull();
    });
  });

  describe('chat messages', () => {
    async function startSession(): Promise<string> {
      const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
      const session = await mutate(
        server,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId,
          title: 'Office hours',
          startsAt: inHours(1),
          endsAt: inHours(2),
          timeZone: 'America/Denver',
        },
        'id',
        facilitator.token,
      );
      await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: session.id },
        'id',
        facilitator.token,
      );
      return session.id;
    }

    async function say(liveSessionId: string, body: string, person: Person): Promise<Json> {
      const result = await server.graphql(
        `mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) {
          __typename ... on Error { message }
          ... on MutationSendChatMessageSuccess { data { id } } } }`,
        { input: { liveSessionId, body } },
        { token: person.token },
      );
      return result.body.data.sendChatMessage;
    }

    test('remove deletes a reported message', async () => {
      const liveSessionId = await startSession();
      const sent = await say(liveSessionId, 'Rude chat message', author);
      const made = await report(sent.data.id);

      await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'REMOVE', note: 'Keep the chat kind' },
        facilitator.token,
      );
      const [row] = await db()
        .select({ deletedAt: chatMessages.deletedAt, body: chatMessages.body })
        .from(chatMessages)
        .where(eq(chatMessages.id, rowIdOf(sent.data.id)));
      const resolved = await queueAs(server, communityId, facilitator.token, 'RESOLVED');
      const entry = resolved.reports.nodes.find((node: Json) => node.id === made.data.id);

      expect(row?.deletedAt).not.toBeNull();
      expect(row?.body).toBe('');
      expect(entry.subject.body).toBe('Rude chat message');
      expect(entry.subject.removed).toBe(true);
      expect(await auditActions()).toContain('live_session.message_removed');
    });

    test('community mute blocks chat', async () => {
      const liveSessionId = await startSession();
      const chatty = await signUpUser(server, { displayName: 'Cal Chatty' });
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        chatty.token,
      );
      const sent = await say(liveSessionId, 'Spam spam spam', chatty);
      const made = await report(sent.data.id);
      await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'MUTE', muteMinutes: 10 },
        facilitator.token,
      );

      const again = await say(liveSessionId, 'More spam', chatty);
      const edited = await server.graphql(
        `mutation($input: EditChatMessageInput!) { editChatMessage(input: $input) {
          __typename ... on Error { message } } }`,
        { input: { chatMessageId: sent.data.id, body: 'Edited spam' } },
        { token: chatty.token },
      );

      expect(again.__typename).toBe('ForbiddenError');
      expect(again.message).toMatch(/muted you in this community until \d{4}-/);
      expect(edited.body.data.editChatMessage.__typename).toBe('ForbiddenError');
      expect(edited.body.data.editChatMessage.message).toMatch(/muted you in this community/);
    });
  });

  describe('removePost and removeThread', () => {
    test('removes and restores a post', async () => {
      const postId = await reply('Off topic advert');
      const made = await report(postId);
      const subscription = server.subscribe(
        COMMUNITY_ACTIVITY,
        { id: communityId },
        { token: outsider.token },
      );
      await subscription.settle();

      const removed = await attempt(
        server,
        'removePost',
        { postId, reason: 'Advertising' },
        facilitator.token,
      );
      const removedEvent = await subscription.next();
      const [reportRow] = await db()
        .select()
        .from(reports)
        .where(eq(reports.id, rowIdOf(made.data.id)));
      const hiddenFor = await postIdsAs(server, threadId, outsider.token);
      const restored = await attempt(server, 'restorePost', { postId }, facilitator.token);
      const restoredEvent = await subscription.next();
      await subscription.close();

      expect(removed.__typename).toBe('MutationRemovePostSuccess');
      expect(removedEvent.data.communityActivity).toMatchObject({
        type: 'POST_REMOVED',
        postId,
        threadId,
      });
      expect(reportRow?.action).toBe('removed');
      expect(hiddenFor).not.toContain(postId);
      expect(restored.__typename).toBe('MutationRestorePostSuccess');
      expect(restoredEvent.data.communityActivity.type).toBe('POST_RESTORED');
      expect(await postIdsAs(server, threadId, outsider.token)).toContain(postId);
      const actions = await auditActions();
      expect(actions).toContain('community.post_restored');
    });

    test('removes a thread for every subscriber', async () => {
      const thread = await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId, title: 'Spam thread', body: 'Buy now' },
        'id',
        author.token,
      );
      const threadSubscription = server.subscribe(
        THREAD_ACTIVITY,
        { id: thread.id },
        { token: reporter.token },
      );
      const communitySubscription = server.subscribe(
        COMMUNITY_ACTIVITY,
        { id: communityId },
        { token: reporter.token },
      );
      await threadSubscription.settle();
      await communitySubscription.settle();

      const removed = await attempt(
        server,
        'removeThread',
        { threadId: thread.id, reason: 'Spam' },
        owner.token,
      );
      const threadEvent = await threadSubscription.next();
      const communityEvent = await communitySubscription.next();
      await threadSubscription.close();
      await communitySubscription.close();

      expect(removed.__typename).toBe('MutationRemoveThreadSuccess');
      expect(threadEvent.data.threadActivity).toMatchObject({
        type: 'THREAD_REMOVED',
        threadId: thread.id,
      });
      expect(communityEvent.data.communityActivity).toMatchObject({
        type: 'THREAD_REMOVED',
        threadId: thread.id,
      });
      expect(await auditActions()).toContain('community.thread_removed');
    });

    test('rejects an empty reason', async () => {
      const postId = await reply('Needs a reason');

      const removed = await attempt(
        server,
        'removePost',
        { postId, reason: '  ' },
        facilitator.token,
      );

      expect(removed.__typename).toBe('ValidationError');
      expect(await postIdsAs(server, threadId, reporter.token)).toContain(postId);
    });
  });
});

describe.each(await databaseKinds())(
  'moderation of private and district communities on %s',
  (kind) => {
    let database: TestDatabase;
    let server: TestServer;
    let owner: Person;
    let member: Person;
    let outsider: Person;
    let districtAdmin: Person;
    let communityId: string;
    let threadId: string;

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      server = await startTestServer({ database });
      const db = server.database.db;
      owner = await signUpUser(server, { displayName: 'Pat Owner' });
      member = await signUpUser(server, { displayName: 'Mia Member' });
      outsider = await signUpUser(server, { displayName: 'Oz Outsider' });
      districtAdmin = await signUpUser(server, { displayName: 'Dina Admin' });
      const [district] = await db
        .insert(districts)
        .values({ slug: 'moderation-district', name: 'Moderation District' })
        .returning({ id: districts.id });
      const districtId = district?.id as number;
      // The admin is also staff of the district, so its district communities show to them.
      for (const person of [owner, member, districtAdmin]) {
        await db
          .update(users)
          .set({ districtId })
          .where(eq(users.id, rowIdOf(person.id)));
      }
      await db.insert(districtAdmins).values({ districtId, userId: rowIdOf(districtAdmin.id) });
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'District Circle', focus: 'OTHER', visibility: 'DISTRICT' },
        'id',
        owner.token,
      );
      communityId = community.id;
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        member.token,
      );
      const thread = await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId, title: 'District thread', body: 'Hello' },
        'id',
        owner.token,
      );
      threadId = thread.id;
    });

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    test('district admin resolves a report', async () => {
      const post = await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId, body: 'Rude reply' },
        'id',
        member.token,
      );
      const made = await attempt(
        server,
        'reportContent',
        { subjectId: post.id, reason: 'INAPPROPRIATE' },
        owner.token,
      );

      const queue = await queueAs(server, communityId, districtAdmin.token);
      const resolved = await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'REMOVE', note: 'District policy' },
        districtAdmin.token,
        'action resolvedBy { id }',
      );

      expect(queue.reports.nodes.map((node: Json) => node.id)).toContain(made.data.id);
      expect(resolved.data.action).toBe('REMOVED');
      expect(resolved.data.resolvedBy.id).toBe(districtAdmin.id);
    });

    test('outsider cannot report or subscribe', async () => {
      const post = await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId, body: 'Visible to district staff' },
        'id',
        member.token,
      );

      const made = await attempt(
        server,
        'reportContent',
        { subjectId: post.id, reason: 'SPAM' },
        outsider.token,
      );
      const subscription = server.subscribe(
        THREAD_ACTIVITY,
        { id: threadId },
        { token: outsider.token },
      );
      const first = await subscription.next(5000).catch(() => null);
      await subscription.close();
      const queue = await server.graphql(
        QUEUE,
        { id: communityId, status: 'OPEN' },
        {
          token: outsider.token,
        },
      );

      expect(made.__typename).toBe('NotFoundError');
      expect(JSON.stringify(first?.errors ?? subscription.failure)).toMatch(/not found/);
      expect(queue.body.data.node).toBeNull();
    });

    test('outsider cannot resolve a report', async () => {
      const post = await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId, body: 'Another reply' },
        'id',
        member.token,
      );
      const made = await attempt(
        server,
        'reportContent',
        { subjectId: post.id, reason: 'SPAM' },
        owner.token,
      );

      const resolved = await attempt(
        server,
        'resolveReport',
        { reportId: made.data.id, action: 'REMOVE' },
        outsider.token,
      );

      expect(resolved.__typename).toBe('NotFoundError');
    });
  },
);
