/**
 * Badge rules. Each kind awards at its threshold and not before, and past activity is awarded when
 * a rule is created. Pathways, and pathways of pathways, award when their badges are held. Only
 * eligible people with activity that counts are awarded. Two server processes on one PostgreSQL
 * database make one award out of simultaneous qualifying replies.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import {
  auditLog,
  badgeAwards,
  badgeRules,
  districts,
  liveAttendance,
  memberships,
  notifications,
  users,
} from '../../drizzle/tables/index.ts';
import { createAuthSession } from '../../server/services/account.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { collect, type Json, mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

interface Person {
  id: string;
  rowId: number;
  token: string;
}

const CREATE_RULE = `mutation($input: CreateBadgeRuleInput!) { createBadgeRule(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationCreateBadgeRuleSuccess { data { id kind threshold minMinutes summary awardedCount
    requiredBadges { name } badge { id } } } } }`;
const DELETE_RULE = `mutation($input: DeleteBadgeRuleInput!) { deleteBadgeRule(input: $input) {
  __typename ... on Error { message }
  ... on MutationDeleteBadgeRuleSuccess { data { id rules { id } } } } }`;
const BADGE_RULES = `query($id: ID!) { badge(id: $id) {
  rules { id kind summary }
  viewerProgress { count threshold met rule { id summary } }
  holders(first: 50) { nodes { source rule { id } recipient { id } } } } }`;

/** Reads the row id inside a Relay global id. */
function rowIdOf(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
}

/** A community and its owner, made for one test so that tests do not count each other's activity. */
interface Circle {
  communityId: string;
  facilitator: Person;
}

/** Helpers bound to one server. */
function badgeRuleTools(server: TestServer) {
  let counter = 0;
  const { db } = server.database;

  /**
   * Creates a person straight in the database, since sign-ups are rate limited per address, as an
   * active member of `circle` unless it is null.
   */
  async function person(
    displayName: string,
    circle: Circle | null,
    options: { districtId?: number } = {},
  ): Promise<Person> {
    counter += 1;
    const [user] = await db
      .insert(users)
      .values({
        email: `rules-${counter}-${Date.now()}@example.org`,
        displayName,
        districtId: options.districtId ?? null,
      })
      .returning();
    if (!user) {
      throw new Error('Inserting a user returned no row');
    }
    if (circle !== null) {
      await db.insert(memberships).values({
        communityId: rowIdOf(circle.communityId),
        userId: user.id,
        role: 'member',
        status: 'active',
      });
    }
    const { token } = await createAuthSession(db, user, 'bearer');
    return { id: encodeGlobalID('User', user.id), rowId: user.id, token };
  }

  /** Creates a public community whose owner is a new person. */
  async function circle(name: string, visibility = 'PUBLIC'): Promise<Circle> {
    const facilitator = await person(`${name} Owner`, null);
    const communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name, focus: 'STEM', visibility },
        'id',
        facilitator.token,
      )
    ).id as string;
    return { communityId, facilitator };
  }

  const createBadge = async (
    owner: Circle,
    name: string,
    issuer: Record<string, unknown> = { communityId: owner.communityId },
  ): Promise<string> =>
    (
      await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          ...issuer,
          name,
          description: `${name}, earned by a rule`,
          criteria: 'Take part.',
          isteStandards: ['COLLABORATOR'],
        },
        'id',
        owner.facilitator.token,
      )
    ).id;

  const createRule = async (input: Record<string, unknown>, token: string): Promise<Json> =>
    (await server.graphql(CREATE_RULE, { input }, { token })).body.data.createBadgeRule;

  const startThread = async (author: Person, where: Circle) =>
    (
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        {
          communityId: where.communityId,
          title: 'Lesson ideas',
          body: 'What worked this week?',
          kind: 'DISCUSSION',
        },
        'id',
        author.token,
      )
    ).id as string;

  const reply = async (author: Person, threadId: string, body = 'A reply') =>
    (await mutate(server, 'createPost', 'CreatePostInput', { threadId, body }, 'id', author.token))
      .id as string;

  const award = (owner: Circle, badgeId: string, recipient: Person) =>
    mutate(
      server,
      'awardBadge',
      'AwardBadgeInput',
      { badgeId, recipientId: recipient.id },
      'id',
      owner.facilitator.token,
    );

  const revoke = (owner: Circle, awardId: string) =>
    mutate(
      server,
      'revokeBadgeAward',
      'RevokeBadgeAwardInput',
      { awardId, reason: 'Given by mistake' },
      'id',
      owner.facilitator.token,
    );

  /** Moves a person's award of a badge into the past, so that it expired a day ago. */
  const expire = (badgeId: string, recipient: Person) =>
    db.execute(
      sql`update badge_awards set awarded_at = now() - interval '2 days', expires_at = now() - interval '1 day'
        where badge_id = ${rowIdOf(badgeId)} and recipient_id = ${recipient.rowId}`,
    );

  /** Returns the active, unexpired awards of a badge, with how they came about. */
  const activeAwards = (badgeId: string) =>
    db
      .select({
        recipientId: badgeAwards.recipientId,
        source: badgeAwards.source,
        ruleId: badgeAwards.ruleId,
      })
      .from(badgeAwards)
      .where(
        and(
          eq(badgeAwards.badgeId, rowIdOf(badgeId)),
          eq(badgeAwards.status, 'active'),
          sql`(${badgeAwards.expiresAt} is null or ${badgeAwards.expiresAt} > now())`,
        ),
      )
      .orderBy(badgeAwards.recipientId);

  const holderIds = async (badgeId: string) =>
    (await activeAwards(badgeId)).map((row) => row.recipientId);

  const ruleCount = async (badgeId: string) =>
    (
      await db
        .select()
        .from(badgeRules)
        .where(eq(badgeRules.badgeId, rowIdOf(badgeId)))
    ).length;

  return {
    person,
    circle,
    createBadge,
    createRule,
    startThread,
    reply,
    award,
    revoke,
    expire,
    activeAwards,
    holderIds,
    ruleCount,
  };
}

describe.each(await databaseKinds())('badge rules on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let tools: ReturnType<typeof badgeRuleTools>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // The reminder worker also ends overdue live sessions; it runs often so a test can wait for it.
    server = await startTestServer({ database, env: { REMINDER_INTERVAL_MS: '200' } });
    tools = badgeRuleTools(server);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('counting', () => {
    test('replies award at the threshold', async () => {
      const circle = await tools.circle('Reply Circle');
      const badgeId = await tools.createBadge(circle, 'Three replies');
      const rule = await tools.createRule(
        { badgeId, kind: 'REPLIES_POSTED', threshold: 3 },
        circle.facilitator.token,
      );
      const writer = await tools.person('Rita Replies', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);

      await tools.reply(writer, threadId);
      await tools.reply(writer, threadId);
      const beforeThird = await tools.holderIds(badgeId);
      await tools.reply(writer, threadId);
      const awards = await tools.activeAwards(badgeId);

      expect(rule.data.summary).toBe('Post 3 replies.');
      expect(rule.data.awardedCount).toBe(0);
      expect(beforeThird).toEqual([]);
      expect(awards).toEqual([
        { recipientId: writer.rowId, source: 'rule', ruleId: rowIdOf(rule.data.id) },
      ]);
    });

    test('deleted replies do not count', async () => {
      const circle = await tools.circle('Deleting Circle');
      const badgeId = await tools.createBadge(circle, 'Two kept replies');
      await tools.createRule(
        { badgeId, kind: 'REPLIES_POSTED', threshold: 2 },
        circle.facilitator.token,
      );
      const writer = await tools.person('Dora Deletes', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);

      const first = await tools.reply(writer, threadId);
      await mutate(server, 'deletePost', 'PostIdInput', { postId: first }, 'id', writer.token);
      await tools.reply(writer, threadId);
      const afterDeletion = await tools.holderIds(badgeId);
      await tools.reply(writer, threadId);

      expect(afterDeletion).toEqual([]);
      expect(await tools.holderIds(badgeId)).toEqual([writer.rowId]);
    });

    test('threads award at the threshold', async () => {
      const circle = await tools.circle('Thread Circle');
      const badgeId = await tools.createBadge(circle, 'Two threads');
      const rule = await tools.createRule(
        { badgeId, kind: 'THREADS_STARTED', threshold: 2 },
        circle.facilitator.token,
      );
      const starter = await tools.person('Theo Threads', circle);

      await tools.startThread(starter, circle);
      const afterOne = await tools.holderIds(badgeId);
      await tools.startThread(starter, circle);

      expect(rule.data.summary).toBe('Start 2 threads.');
      expect(afterOne).toEqual([]);
      expect(await tools.holderIds(badgeId)).toEqual([starter.rowId]);
    });

    test('reactions from others award at the threshold', async () => {
      const circle = await tools.circle('Reaction Circle');
      const badgeId = await tools.createBadge(circle, 'Two reactions');
      await tools.createRule(
        { badgeId, kind: 'REACTIONS_RECEIVED', threshold: 2 },
        circle.facilitator.token,
      );
      const author = await tools.person('Ava Author', circle);
      const fan = await tools.person('Fin Fan', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);
      const postId = await tools.reply(author, threadId);
      const react = (reactor: Person, reaction: string) =>
        mutate(
          server,
          'react',
          'ReactInput',
          { postId, kind: reaction, active: true },
          'id',
          reactor.token,
        );

      await react(author, 'LIKE');
      await react(fan, 'LIKE');
      const afterOwnAndOne = await tools.holderIds(badgeId);
      await react(circle.facilitator, 'THANKS');

      expect(afterOwnAndOne).toEqual([]);
      expect(await tools.holderIds(badgeId)).toEqual([author.rowId]);
    });

    test('sessions award when they end and when a host adjusts', async () => {
      const circle = await tools.circle('Session Circle');
      const badgeId = await tools.createBadge(circle, 'Two long sessions');
      const rule = await tools.createRule(
        { badgeId, kind: 'SESSIONS_ATTENDED', threshold: 2, minMinutes: 30 },
        circle.facilitator.token,
      );
      const steady = await tools.person('Stella Steady', circle);
      const brief = await tools.person('Bo Brief', circle);
      const host = circle.facilitator.token;
      const changeStatus = (action: 'start' | 'end', liveSessionId: string) =>
        mutate(server, `${action}LiveSession`, 'LiveSessionIdInput', { liveSessionId }, 'id', host);
      const startSession = async (title: string) => {
        const { id } = await mutate(
          server,
          'scheduleLiveSession',
          'ScheduleLiveSessionInput',
          {
            communityId: circle.communityId,
            title,
            startsAt: new Date(Date.now() + 60_000).toISOString(),
            endsAt: new Date(Date.now() + 3_660_000).toISOString(),
            timeZone: 'America/Chicago',
          },
          'id',
          host,
        );
        await changeStatus('start', id);
        return id as string;
      };
      // Measured time, as heartbeats would have added it.
      const attend = (liveSessionId: string, attendee: Person, minutes: number) =>
        server.database.db.insert(liveAttendance).values({
          liveSessionId: rowIdOf(liveSessionId),
          userId: attendee.rowId,
          firstJoinedAt: new Date().toISOString(),
          secondsPresent: minutes * 60,
        });

      const first = await startSession('First workshop');
      await attend(first, steady, 31);
      await attend(first, brief, 45);
      await changeStatus('end', first);
      const afterFirst = await tools.holderIds(badgeId);
      const second = await startSession('Second workshop');
      await attend(second, steady, 40);
      await attend(second, brief, 20);
      const whileLive = await tools.holderIds(badgeId);
      await changeStatus('end', second);
      const afterSecond = await tools.holderIds(badgeId);
      const adjusted = await server.graphql(
        'mutation($input: AdjustAttendanceInput!) { adjustAttendance(input: $input) { __typename } }',
        {
          input: {
            liveSessionId: second,
            userId: brief.id,
            minutes: 30,
            reason: 'Joined by phone',
          },
        },
        { token: host },
      );

      expect(rule.data.summary).toBe('Attend 2 live sessions for at least 30 minutes each.');
      expect(rule.data.minMinutes).toBe(30);
      expect(afterFirst).toEqual([]);
      expect(whileLive).toEqual([]);
      expect(afterSecond).toEqual([steady.rowId]);
      expect(adjusted.body.data.adjustAttendance.__typename).toBe(
        'MutationAdjustAttendanceSuccess',
      );
      expect(await tools.holderIds(badgeId)).toEqual([steady.rowId, brief.rowId]);
    });

    test('sessions ended by the server award', async () => {
      const circle = await tools.circle('Overdue Circle');
      const badgeId = await tools.createBadge(circle, 'Stayed late');
      await tools.createRule(
        { badgeId, kind: 'SESSIONS_ATTENDED', threshold: 1 },
        circle.facilitator.token,
      );
      const attendee = await tools.person('Ola Overtime', circle);
      const { id: liveSessionId } = await mutate(
        server,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId: circle.communityId,
          title: 'Overdue workshop',
          startsAt: new Date(Date.now() + 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_660_000).toISOString(),
          timeZone: 'America/Chicago',
        },
        'id',
        circle.facilitator.token,
      );
      await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId },
        'id',
        circle.facilitator.token,
      );
      const { db } = server.database;
      await db.insert(liveAttendance).values({
        liveSessionId: rowIdOf(liveSessionId),
        userId: attendee.rowId,
        firstJoinedAt: new Date().toISOString(),
        secondsPresent: 90,
      });

      await db.execute(
        sql`update live_sessions set starts_at = now() - interval '3 hours', ends_at = now() - interval '31 minutes'
          where id = ${rowIdOf(liveSessionId)}`,
      );
      let status = 'live';
      for (let attempt = 0; attempt < 50 && status === 'live'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const [row] = rowsOf(
          await db.execute(
            sql`select status from live_sessions where id = ${rowIdOf(liveSessionId)}`,
          ),
        );
        status = String(row?.status);
      }

      expect(status).toBe('ended');
      expect(await tools.holderIds(badgeId)).toEqual([attendee.rowId]);
    });

    test('reactions after leaving do not award', async () => {
      const circle = await tools.circle('Leaving Circle');
      const badgeId = await tools.createBadge(circle, 'One reaction');
      await tools.createRule(
        { badgeId, kind: 'REACTIONS_RECEIVED', threshold: 1 },
        circle.facilitator.token,
      );
      const leaver = await tools.person('Leo Leaver', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);
      const postId = await tools.reply(leaver, threadId);
      await mutate(
        server,
        'leaveCommunity',
        'CommunityIdInput',
        { communityId: circle.communityId },
        'community { id }',
        leaver.token,
      );

      await mutate(
        server,
        'react',
        'ReactInput',
        { postId, kind: 'CELEBRATE', active: true },
        'id',
        circle.facilitator.token,
      );

      expect(await tools.holderIds(badgeId)).toEqual([]);
    });
  });

  describe('past activity', () => {
    test('awards everyone who already meets a new rule', async () => {
      const circle = await tools.circle('Veteran Circle');
      const badgeId = await tools.createBadge(circle, 'Veteran');
      const veteran = await tools.person('Vic Veteran', circle);
      const newcomer = await tools.person('Nel Newcomer', circle);
      const former = await tools.person('Flo Former', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);
      for (const author of [veteran, veteran, newcomer, former, former]) {
        await tools.reply(author, threadId);
      }
      await mutate(
        server,
        'leaveCommunity',
        'CommunityIdInput',
        { communityId: circle.communityId },
        'community { id }',
        former.token,
      );

      const created = await tools.createRule(
        { badgeId, kind: 'REPLIES_POSTED', threshold: 2 },
        circle.facilitator.token,
      );
      const awards = await tools.activeAwards(badgeId);

      expect(created.__typename).toBe('MutationCreateBadgeRuleSuccess');
      expect(created.data.awardedCount).toBe(1);
      expect(awards).toEqual([
        { recipientId: veteran.rowId, source: 'rule', ruleId: rowIdOf(created.data.id) },
      ]);
    });

    test('awards a thousand members at once', async () => {
      const circle = await tools.circle('Crowd Circle');
      const badgeId = await tools.createBadge(circle, 'Crowd');
      const threadId = await tools.startThread(circle.facilitator, circle);
      const { db } = server.database;
      const crowd = 1100;
      // More than 1,024 events at once once overflowed the event bus and ended the process.
      await db.execute(
        sql`insert into users (email, display_name)
          select 'crowd-' || g || '@example.org', 'Crowd ' || g from generate_series(1, ${crowd}) g`,
      );
      await db.execute(
        sql`insert into memberships (community_id, user_id, role, status)
          select ${rowIdOf(circle.communityId)}, id, 'member', 'active' from users
          where email like 'crowd-%'`,
      );
      await db.execute(
        sql`insert into posts (thread_id, author_id, body)
          select ${rowIdOf(threadId)}, id, 'Me too' from users where email like 'crowd-%'`,
      );

      const created = await tools.createRule(
        { badgeId, kind: 'REPLIES_POSTED', threshold: 1 },
        circle.facilitator.token,
      );
      const afterwards = await server.graphql(
        'query($id: ID!) { badge(id: $id) { holderCount } }',
        {
          id: badgeId,
        },
      );
      const [notified] = rowsOf(
        await db.execute(
          sql`select count(*)::int as count from notifications
            where kind = 'badge_awarded' and (subject->>'badgeId')::int = ${rowIdOf(badgeId)}`,
        ),
      );

      expect(created.data.awardedCount).toBe(crowd);
      expect(afterwards.body.data.badge.holderCount).toBe(crowd);
      expect(notified?.count).toBe(crowd);
    });

    test('counts after an expired award, and not after a revoked one', async () => {
      const circle = await tools.circle('Renewal Circle');
      const badgeId = await tools.createBadge(circle, 'Renewed');
      const renewing = await tools.person('Ren Renewing', circle);
      const revoked = await tools.person('Rex Revoked', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);
      await tools.award(circle, badgeId, renewing);
      await tools.revoke(circle, (await tools.award(circle, badgeId, revoked)).id);
      await tools.expire(badgeId, renewing);
      // A reply from before the expired award does not count toward earning it again.
      await server.database.db.execute(
        sql`insert into posts (thread_id, author_id, body, created_at)
          values (${rowIdOf(threadId)}, ${renewing.rowId}, 'Old reply', now() - interval '3 days')`,
      );

      const created = await tools.createRule(
        { badgeId, kind: 'REPLIES_POSTED', threshold: 1 },
        circle.facilitator.token,
      );
      await tools.reply(revoked, threadId);
      const afterRevokedReply = await tools.holderIds(badgeId);
      await tools.reply(renewing, threadId);

      expect(created.data.awardedCount).toBe(0);
      expect(afterRevokedReply).toEqual([]);
      expect(await tools.holderIds(badgeId)).toEqual([renewing.rowId]);
    });
  });

  describe('pathways', () => {
    test('awards when its badges are earned, through a chain', async () => {
      const circle = await tools.circle('Pathway Circle');
      const token = circle.facilitator.token;
      const seminar = await tools.createBadge(circle, 'Seminar');
      const workshop = await tools.createBadge(circle, 'Workshop');
      const mentor = await tools.createBadge(circle, 'Mentor');
      const track = await tools.createBadge(circle, 'Track');
      const master = await tools.createBadge(circle, 'Master');
      const trackRule = await tools.createRule(
        { badgeId: track, kind: 'PATHWAY', requiredBadgeIds: [seminar, workshop] },
        token,
      );
      const masterRule = await tools.createRule(
        { badgeId: master, kind: 'PATHWAY', requiredBadgeIds: [track, mentor] },
        token,
      );
      const learner = await tools.person('Lee Learner', circle);

      await tools.award(circle, mentor, learner);
      await tools.award(circle, seminar, learner);
      const beforeWorkshop = [await tools.holderIds(track), await tools.holderIds(master)];
      await tools.award(circle, workshop, learner);

      expect(trackRule.data.threshold).toBe(2);
      expect(trackRule.data.summary).toBe('Earn all of these badges: “Seminar” and “Workshop”.');
      expect(masterRule.data.requiredBadges).toEqual([{ name: 'Mentor' }, { name: 'Track' }]);
      expect(beforeWorkshop).toEqual([[], []]);
      expect(await tools.activeAwards(track)).toEqual([
        { recipientId: learner.rowId, source: 'rule', ruleId: rowIdOf(trackRule.data.id) },
      ]);
      expect(await tools.activeAwards(master)).toEqual([
        { recipientId: learner.rowId, source: 'rule', ruleId: rowIdOf(masterRule.data.id) },
      ]);
    });

    test('awards from rule badges and past awards', async () => {
      const circle = await tools.circle('Either Circle');
      const token = circle.facilitator.token;
      const replier = await tools.createBadge(circle, 'Replier');
      const starter = await tools.createBadge(circle, 'Starter');
      const either = await tools.createBadge(circle, 'Either');
      const holder = await tools.person('Pat Pathway', circle);
      const writer = await tools.person('Oli Other', circle);
      await tools.award(circle, starter, holder);
      const threadId = await tools.startThread(holder, circle);

      const eitherRule = await tools.createRule(
        { badgeId: either, kind: 'PATHWAY', threshold: 1, requiredBadgeIds: [replier, starter] },
        token,
      );
      await tools.createRule({ badgeId: replier, kind: 'REPLIES_POSTED', threshold: 1 }, token);
      const beforeReply = await tools.holderIds(either);
      await tools.reply(writer, threadId);

      expect(eitherRule.data.summary).toBe('Earn 1 of these 2 badges: “Replier” and “Starter”.');
      expect(eitherRule.data.awardedCount).toBe(1);
      expect(beforeReply).toEqual([holder.rowId]);
      expect(await tools.holderIds(replier)).toEqual([writer.rowId]);
      expect(await tools.holderIds(either)).toEqual([holder.rowId, writer.rowId]);
    });

    test('ignores expired and revoked badges', async () => {
      const circle = await tools.circle('Lapsed Circle');
      const first = await tools.createBadge(circle, 'First step');
      const second = await tools.createBadge(circle, 'Second step');
      const pathway = await tools.createBadge(circle, 'Both steps');
      await tools.createRule(
        { badgeId: pathway, kind: 'PATHWAY', requiredBadgeIds: [first, second] },
        circle.facilitator.token,
      );
      const expired = await tools.person('Eve Expired', circle);
      const revoked = await tools.person('Ray Revoked', circle);

      await tools.award(circle, first, expired);
      await tools.expire(first, expired);
      await tools.award(circle, second, expired);
      await tools.revoke(circle, (await tools.award(circle, first, revoked)).id);
      await tools.award(circle, second, revoked);

      expect(await tools.holderIds(pathway)).toEqual([]);
    });
  });

  describe('access and input', () => {
    test('non-managers get FORBIDDEN or NOT_FOUND', async () => {
      const circle = await tools.circle('Guarded Circle');
      const hidden = await tools.circle('Hidden Circle', 'PRIVATE');
      const badgeId = await tools.createBadge(circle, 'Guarded');
      const privateBadge = await tools.createBadge(hidden, 'Hidden');
      const member = await tools.person('Mia Member', circle);
      const outsider = await tools.person('Oz Outsider', null);
      const existing = await tools.createRule(
        { badgeId, kind: 'THREADS_STARTED', threshold: 5 },
        circle.facilitator.token,
      );

      const byMember = await tools.createRule(
        { badgeId, kind: 'THREADS_STARTED', threshold: 1 },
        member.token,
      );
      const byOutsider = await tools.createRule(
        { badgeId: privateBadge, kind: 'THREADS_STARTED', threshold: 1 },
        outsider.token,
      );
      const deleteByMember = await server.graphql(
        DELETE_RULE,
        { input: { ruleId: existing.data.id } },
        { token: member.token },
      );
      const deleteByOtherOwner = await server.graphql(
        DELETE_RULE,
        { input: { ruleId: existing.data.id } },
        { token: hidden.facilitator.token },
      );
      const signedOut = await server.graphql(CREATE_RULE, {
        input: { badgeId, kind: 'THREADS_STARTED', threshold: 1 },
      });
      const hiddenRules = await server.graphql(
        'query($id: ID!) { badge(id: $id) { rules { id } } }',
        { id: privateBadge },
        { token: outsider.token },
      );

      expect(byMember.__typename).toBe('ForbiddenError');
      expect(byMember.message).toBe(
        "Only the community's owners and facilitators define its rules.",
      );
      expect(byOutsider.__typename).toBe('NotFoundError');
      expect(deleteByMember.body.data.deleteBadgeRule.__typename).toBe('ForbiddenError');
      expect(deleteByOtherOwner.body.data.deleteBadgeRule.__typename).toBe('ForbiddenError');
      expect(signedOut.body.data.createBadgeRule.__typename).toBe('UnauthenticatedError');
      expect(hiddenRules.body.data.badge).toBeNull();
      expect(await tools.ruleCount(badgeId)).toBe(1);
      expect(await tools.ruleCount(privateBadge)).toBe(0);
    });

    test('rejects bad input with no rule created', async () => {
      const circle = await tools.circle('Strict Circle');
      const elsewhere = await tools.circle('Elsewhere');
      const badgeId = await tools.createBadge(circle, 'Strict');
      const a = await tools.createBadge(circle, 'Part A');
      const b = await tools.createBadge(circle, 'Part B');
      const foreign = await tools.createBadge(elsewhere, 'Foreign');
      const range = 'must be a whole number from 1 to 10000';
      const cases: [Record<string, unknown>, string, string][] = [
        [{ kind: 'REPLIES_POSTED', threshold: 0 }, 'threshold', range],
        [{ kind: 'REPLIES_POSTED', threshold: 10_001 }, 'threshold', range],
        [
          { kind: 'REPLIES_POSTED' },
          'threshold',
          'is required: give a whole number from 1 to 10000',
        ],
        [
          { kind: 'REPLIES_POSTED', threshold: 2, minMinutes: 10 },
          'minMinutes',
          'applies only to SESSIONS_ATTENDED rules; leave it out',
        ],
        [
          { kind: 'SESSIONS_ATTENDED', threshold: 2, minMinutes: 721 },
          'minMinutes',
          'must be a whole number from 0 to 720',
        ],
        [
          { kind: 'REPLIES_POSTED', threshold: 2, requiredBadgeIds: [a, b] },
          'requiredBadgeIds',
          'applies only to PATHWAY rules; leave it out',
        ],
        [
          { kind: 'PATHWAY', requiredBadgeIds: [a] },
          'requiredBadgeIds',
          'must name 2 to 20 badges (got 1)',
        ],
        [
          { kind: 'PATHWAY', requiredBadgeIds: [a, a] },
          'requiredBadgeIds',
          'names the same badge more than once',
        ],
        [
          { kind: 'PATHWAY', requiredBadgeIds: [a, badgeId] },
          'requiredBadgeIds',
          'must not include the badge that the pathway awards',
        ],
        [
          { kind: 'PATHWAY', threshold: 3, requiredBadgeIds: [a, b] },
          'threshold',
          'must be at most the number of required badges (2)',
        ],
        [
          { kind: 'PATHWAY', requiredBadgeIds: [a, foreign] },
          'requiredBadgeIds',
          "names a badge that does not exist or belongs to another community; a pathway asks only for badges of its own badge's community",
        ],
        [
          { kind: 'PATHWAY', requiredBadgeIds: [a, 'not-an-id'] },
          'requiredBadgeIds',
          '"not-an-id" is not a valid Badge id',
        ],
      ];

      const results = [];
      for (const [input] of cases) {
        results.push(await tools.createRule({ badgeId, ...input }, circle.facilitator.token));
      }

      for (const [index, [input, path, message]] of cases.entries()) {
        const label = JSON.stringify(input);
        expect(results[index].__typename, label).toBe('ValidationError');
        expect(results[index].issues[0].path[0], label).toBe(path);
        expect(results[index].issues[0].message, label).toBe(message);
      }
      expect(await tools.ruleCount(badgeId)).toBe(0);
    });

    test('rejects a pathway cycle and a sixth rule', async () => {
      const circle = await tools.circle('Cycle Circle');
      const token = circle.facilitator.token;
      const a = await tools.createBadge(circle, 'Cycle A');
      const b = await tools.createBadge(circle, 'Cycle B');
      const c = await tools.createBadge(circle, 'Cycle C');
      const d = await tools.createBadge(circle, 'Cycle D');
      await tools.createRule({ badgeId: b, kind: 'PATHWAY', requiredBadgeIds: [a, c] }, token);
      await tools.createRule({ badgeId: d, kind: 'PATHWAY', requiredBadgeIds: [b, c] }, token);
      for (let threshold = 1; threshold <= 5; threshold++) {
        await tools.createRule({ badgeId: c, kind: 'REPLIES_POSTED', threshold }, token);
      }

      const cycle = await tools.createRule(
        { badgeId: a, kind: 'PATHWAY', requiredBadgeIds: [d, c] },
        token,
      );
      const sixth = await tools.createRule(
        { badgeId: c, kind: 'THREADS_STARTED', threshold: 1 },
        token,
      );

      expect(cycle.__typename).toBe('ValidationError');
      expect(cycle.issues[0].message).toBe(
        'would make a cycle: the pathway of "Cycle D" already asks for "Cycle A", directly or through other pathways',
      );
      expect(sixth.__typename).toBe('ValidationError');
      expect(sixth.issues[0]).toEqual({
        path: ['badgeId'],
        message:
          'the badge "Cycle C" already has 5 rules, the most a badge may have; delete one first',
      });
      expect(await tools.ruleCount(a)).toBe(0);
      expect(await tools.ruleCount(c)).toBe(5);
    });

    test('deletes a rule and keeps its awards', async () => {
      const circle = await tools.circle('Deleted Rule Circle');
      const badgeId = await tools.createBadge(circle, 'Short lived');
      const writer = await tools.person('Wes Writer', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);
      await tools.reply(writer, threadId);
      const created = await tools.createRule(
        { badgeId, kind: 'REPLIES_POSTED', threshold: 1 },
        circle.facilitator.token,
      );

      const remove = () =>
        server.graphql(
          DELETE_RULE,
          { input: { ruleId: created.data.id } },
          { token: circle.facilitator.token },
        );
      const deleted = await remove();
      const again = await remove();
      const audit = await server.database.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(sql`${auditLog.details}->>'ruleId' = ${String(rowIdOf(created.data.id))}`)
        .orderBy(auditLog.id);

      expect(created.data.awardedCount).toBe(1);
      expect(deleted.body.data.deleteBadgeRule.data).toEqual({ id: badgeId, rules: [] });
      expect(again.body.data.deleteBadgeRule.__typename).toBe('NotFoundError');
      expect(await tools.activeAwards(badgeId)).toEqual([
        { recipientId: writer.rowId, source: 'rule', ruleId: null },
      ]);
      expect(audit.map((row) => row.action)).toEqual([
        'community.badge_rule_created',
        'community.badge_rule_deleted',
      ]);
    });
  });

  describe('reading', () => {
    test('shows rules, progress and sources', async () => {
      const circle = await tools.circle('Progress Circle');
      const badgeId = await tools.createBadge(circle, 'Progressing');
      const created = await tools.createRule(
        { badgeId, kind: 'REPLIES_POSTED', threshold: 3 },
        circle.facilitator.token,
      );
      const writer = await tools.person('Paula Progress', circle);
      const threadId = await tools.startThread(circle.facilitator, circle);
      await tools.reply(writer, threadId);

      const asWriter = await server.graphql(BADGE_RULES, { id: badgeId }, { token: writer.token });
      const signedOut = await server.graphql(BADGE_RULES, { id: badgeId });
      await tools.reply(writer, threadId);
      await tools.reply(writer, threadId);
      const earned = await server.graphql(BADGE_RULES, { id: badgeId }, { token: writer.token });

      expect(asWriter.body.data.badge.rules).toEqual([
        { id: created.data.id, kind: 'REPLIES_POSTED', summary: 'Post 3 replies.' },
      ]);
      expect(asWriter.body.data.badge.viewerProgress).toEqual([
        {
          count: 1,
          threshold: 3,
          met: false,
          rule: { id: created.data.id, summary: 'Post 3 replies.' },
        },
      ]);
      expect(signedOut.body.data.badge.viewerProgress).toBeNull();
      expect(earned.body.data.badge.viewerProgress[0]).toMatchObject({ count: 3, met: true });
      expect(earned.body.data.badge.holders.nodes).toEqual([
        { source: 'RULE', rule: { id: created.data.id }, recipient: { id: writer.id } },
      ]);
    });
  });

  describe('notifications', () => {
    test('tells the earner and the community feed', async () => {
      const circle = await tools.circle('Announcing Circle');
      const badgeId = await tools.createBadge(circle, 'Announced');
      await tools.createRule(
        { badgeId, kind: 'THREADS_STARTED', threshold: 1 },
        circle.facilitator.token,
      );
      const earner = await tools.person('Ezra Earner', circle);
      const earnerNotifications = collect(
        server.socket({ token: earner.token }),
        'subscription { viewerNotifications { notification { kind message badge { name } } } }',
      );
      const activity = collect(
        server.socket({ token: earner.token }),
        'subscription($id: ID!) { communityActivity(communityId: $id) { type badgeAward { source badge { name } recipient { id } } } }',
        { id: circle.communityId },
      );
      await earnerNotifications.settle();
      await activity.settle();

      await tools.startThread(earner, circle);
      const notification = (await earnerNotifications.next()).data.viewerNotifications;
      const first = (await activity.next()).data.communityActivity;
      const second = (await activity.next()).data.communityActivity;
      await earnerNotifications.close();
      await activity.close();

      expect(notification.notification).toEqual({
        kind: 'BADGE_AWARDED',
        message: 'You earned the badge “Announced”.',
        badge: { name: 'Announced' },
      });
      expect(first.type).toBe('THREAD_CREATED');
      expect(second).toEqual({
        type: 'BADGE_AWARDED',
        badgeAward: { source: 'RULE', badge: { name: 'Announced' }, recipient: { id: earner.id } },
      });
    });
  });

  describe('district badges', () => {
    test('count in every community of the district, for staff only', async () => {
      const { db } = server.database;
      const [district] = await db
        .insert(districts)
        .values({ slug: `maple-${kind}`, name: 'Maple District' })
        .returning();
      const districtId = district?.id ?? 0;
      const north = await tools.circle('Maple North');
      const south = await tools.circle('Maple South');
      for (const circle of [north, south]) {
        await db.execute(
          sql`update communities set district_id = ${districtId} where id = ${rowIdOf(circle.communityId)}`,
        );
      }
      const admin = await tools.person('Ada Admin', null);
      await db.update(users).set({ isPlatformAdmin: true }).where(eq(users.id, admin.rowId));
      const adminIssuer = { communityId: north.communityId, facilitator: admin };
      const badgeId = await tools.createBadge(adminIssuer, 'Maple voice', {
        districtId: encodeGlobalID('District', districtId),
      });
      const staff = await tools.person('Sol Staff', north, { districtId });
      const guest = await tools.person('Gus Guest', north);
      await db.insert(memberships).values([
        { communityId: rowIdOf(south.communityId), userId: staff.rowId, role: 'member' },
        { communityId: rowIdOf(south.communityId), userId: guest.rowId, role: 'member' },
      ]);

      const created = await tools.createRule(
        { badgeId, kind: 'THREADS_STARTED', threshold: 2 },
        admin.token,
      );
      const byFacilitator = await tools.createRule(
        { badgeId, kind: 'THREADS_STARTED', threshold: 1 },
        north.facilitator.token,
      );
      await tools.startThread(staff, north);
      await tools.startThread(guest, north);
      const afterOne = await tools.holderIds(badgeId);
      await tools.startThread(staff, south);
      await tools.startThread(guest, south);

      expect(created.__typename).toBe('MutationCreateBadgeRuleSuccess');
      expect(byFacilitator.__typename).toBe('NotFoundError');
      expect(afterOne).toEqual([]);
      expect(await tools.holderIds(badgeId)).toEqual([staff.rowId]);
    });
  });
});

const ready = await servicesAvailable('postgres');

describe.skipIf(!ready)('badge rules across two server processes', () => {
  let database: TestDatabase;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    first = await startTestServer({ database });
    second = await startTestServer({ database });
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await database?.drop();
  });

  test('simultaneous replies make one award', async () => {
    const tools = badgeRuleTools(first);
    const circle = await tools.circle('Busy Circle');
    const badgeId = await tools.createBadge(circle, 'Busy');
    await tools.createRule(
      { badgeId, kind: 'REPLIES_POSTED', threshold: 5 },
      circle.facilitator.token,
    );
    const writer = await tools.person('Quinn Quick', circle);
    const threadId = await tools.startThread(circle.facilitator, circle);

    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? first : second).graphql(
          'mutation($input: CreatePostInput!) { createPost(input: $input) { __typename } }',
          { input: { threadId, body: `Reply ${index}` } },
          { token: writer.token },
        ),
      ),
    );
    const awards = await first.database.db
      .select()
      .from(badgeAwards)
      .where(eq(badgeAwards.badgeId, rowIdOf(badgeId)));
    const earned = await first.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, writer.rowId), eq(notifications.kind, 'badge_awarded')));

    expect(replies.map((result) => result.body.data.createPost.__typename)).toEqual(
      Array(20).fill('MutationCreatePostSuccess'),
    );
    expect(awards).toHaveLength(1);
    expect(awards[0]?.recipientId).toBe(writer.rowId);
    expect(earned).toHaveLength(1);
  });
});
