import { eq, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { Database, Transaction } from './db.ts';
import { ensureIsteFramework } from './iste.ts';
import {
  DEMO_BADGES,
  DEMO_COMMUNITIES,
  DEMO_DISTRICT_ADMINS,
  DEMO_DISTRICTS,
  DEMO_EMBED_KEYS,
  DEMO_LIVE_SESSIONS,
  DEMO_PEOPLE,
  DEMO_PLATFORM_ADMIN,
  DEMO_THREADS,
  type DemoLiveSession,
  type DemoPost,
  type DemoReply,
  type DemoThread,
  type PersonKey,
} from './seed-content.ts';
import * as tables from './tables/index.ts';
import {
  badgeAwards,
  badgeRuleBadges,
  badgeRules,
  badges,
  chatMessages,
  communities,
  districtAdmins,
  districtDomains,
  districts,
  embedKeyCommunities,
  embedKeys,
  evidenceRevisions,
  evidenceSubmissions,
  liveSessions,
  memberships,
  notifications,
  posts,
  reactions,
  rsvps,
  schools,
  threads,
  users,
} from './tables/index.ts';

export const DEMO_PASSWORD = 'staffroom-demo';

/** Every demo sign-in, all with DEMO_PASSWORD. `role` is the educator's job title. */
export const DEMO_ACCOUNTS: { email: string; displayName: string; role: string }[] = [
  ...DEMO_PEOPLE.map((person) => ({
    email: person.email,
    displayName: person.name,
    role: person.role,
  })),
  {
    email: DEMO_PLATFORM_ADMIN.email,
    displayName: DEMO_PLATFORM_ADMIN.name,
    role: 'Platform admin',
  },
];

export interface SeedOptions {
  /** Function that hashes the demo password, passed in so that the server picks the algorithm. */
  hashPassword: (password: string) => Promise<string>;
  /** Reference time for every demo timestamp, so that upcoming live sessions start after it. */
  now?: Date;
}

export interface SeedSummary {
  districts: number;
  schools: number;
  users: number;
  communities: number;
  threads: number;
  posts: number;
  liveSessions: number;
  badges: number;
  awards: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Notifications younger than this are seeded unread, older ones as read. */
const UNREAD_WINDOW_MS = 2 * DAY_MS;
/** Reply notifications older than this are left out, so that each demo inbox stays short. */
const REPLY_NOTICE_WINDOW_MS = 4 * DAY_MS;

const STAFFROOM_TABLES = Object.values(tables).filter((value) => is(value, PgTable));

type NotificationRow = typeof notifications.$inferInsert;
type IdOf<Key> = (key: Key) => number;

/** Reports whether the database has no users yet. */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).limit(1);
  return rows.length === 0;
}

/**
 * Deletes every row of every Staffroom table, events included (not drizzle's migrations table),
 * then seeds, in one transaction. Identity sequences keep counting, so event ids never go back.
 */
export async function reseedDemoData(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const passwordHash = await options.hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    await tx.execute(sql`truncate table ${sql.join(STAFFROOM_TABLES, sql`, `)}`);
    const summary = await insertDemoData(tx, passwordHash, options.now ?? new Date());
    // The truncate emptied the reference frameworks too, so they are added back.
    await ensureIsteFramework(tx);
    return summary;
  });
}

/** Inserts the demo data in one transaction. */
export async function seedDemoData(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const passwordHash = await options.hashPassword(DEMO_PASSWORD);
  return db.transaction((tx) => insertDemoData(tx, passwordHash, options.now ?? new Date()));
}

async function insertDemoData(
  tx: Transaction,
  passwordHash: string,
  now: Date,
): Promise<SeedSummary> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();

  const districtRows = await tx
    .insert(districts)
    .values(DEMO_DISTRICTS.map(({ slug, name }) => ({ slug, name, createdAt: daysAgo(400) })))
    .returning({ id: districts.id, slug: districts.slug });
  const districtId = lookupIds(districtRows, (row) => row.slug);
  const schoolRows = await tx
    .insert(schools)
    .values(
      DEMO_DISTRICTS.flatMap((district) =>
        district.schools.map((name) => ({
          districtId: districtId(district.slug),
          name,
          createdAt: daysAgo(400),
        })),
      ),
    )
    .returning({ id: schools.id, districtId: schools.districtId, name: schools.name });
  const schoolOf = indexRows(schoolRows, (row) => row.name);

  const userRows = await tx
    .insert(users)
    .values(
      DEMO_PEOPLE.map((person, index) => ({
        email: person.email,
        displayName: person.name,
        bio: person.bio,
        passwordHash,
        emailVerifiedAt: daysAgo(120 - index),
        schoolId: schoolOf(person.school).id,
        districtId: schoolOf(person.school).districtId,
        createdAt: daysAgo(120 - index),
      })),
    )
    .returning({ id: users.id, email: users.email });
  const userIdByEmail = lookupIds(userRows, (row) => row.email);
  await tx.insert(users).values({
    email: DEMO_PLATFORM_ADMIN.email,
    displayName: DEMO_PLATFORM_ADMIN.name,
    passwordHash,
    isPlatformAdmin: true,
    emailVerifiedAt: daysAgo(400),
    createdAt: daysAgo(400),
  });
  await tx.insert(districtDomains).values(
    DEMO_DISTRICTS.map((district) => ({
      districtId: districtId(district.slug),
      domain: district.domain,
      verifiedAt: daysAgo(400),
      createdAt: daysAgo(400),
    })),
  );
  const userId: IdOf<PersonKey> = lookupIds(
    DEMO_PEOPLE.map((person) => ({ id: userIdByEmail(person.email), key: person.key })),
    (row) => row.key,
  );

  await tx
    .insert(districtAdmins)
    .values(
      Object.entries(DEMO_DISTRICT_ADMINS).flatMap(([slug, keys]) =>
        keys.map((key) => ({ districtId: districtId(slug), userId: userId(key) })),
      ),
    );

  const communityId = await insertCommunities(tx, userId, districtId, now);
  const discussion = await insertThreads(tx, userId, communityId, now);
  const liveSessionCount = await insertLiveSessions(tx, userId, communityId, now);
  const recognition = await insertBadges(tx, userId, communityId, districtId, now);
  await insertEmbedKeys(tx, userId, communityId, districtId);
  // Inboxes list notifications by id, so they go in oldest first.
  const notices = [...discussion.notifications, ...recognition.notifications].sort(
    (first, second) => Date.parse(first.createdAt ?? '') - Date.parse(second.createdAt ?? ''),
  );
  await tx.insert(notifications).values(notices.map((row) => markRead(row, now)));

  return {
    districts: districtRows.length,
    schools: schoolRows.length,
    users: userRows.length,
    communities: DEMO_COMMUNITIES.length,
    threads: discussion.threads,
    posts: discussion.posts,
    liveSessions: liveSessionCount,
    badges: recognition.badges,
    awards: recognition.awards,
  };
}

async function insertCommunities(
  tx: Transaction,
  userId: IdOf<PersonKey>,
  districtId: IdOf<string>,
  now: Date,
): Promise<IdOf<string>> {
  const founded = (index: number) => now.getTime() - (90 - index * 5) * DAY_MS;
  const rows = await tx
    .insert(communities)
    .values(
      DEMO_COMMUNITIES.map((community, index) => ({
        slug: community.slug,
        name: community.name,
        description: community.description,
        focus: community.focus,
        visibility: community.visibility,
        listed: community.listed ?? true,
        districtId: community.district === undefined ? null : districtId(community.district),
        createdById: userId(community.owner),
        createdAt: new Date(founded(index)).toISOString(),
      })),
    )
    .returning({ id: communities.id, slug: communities.slug });
  const communityId = lookupIds(rows, (row) => row.slug);

  await tx.insert(memberships).values(
    DEMO_COMMUNITIES.flatMap((community, index) => {
      const roles = [
        [community.owner, 'owner'] as const,
        ...community.facilitators.map((person) => [person, 'facilitator'] as const),
        ...community.members.map((person) => [person, 'member'] as const),
      ];
      return roles.map(([person, role], order) => ({
        communityId: communityId(community.slug),
        userId: userId(person),
        role,
        createdAt: new Date(founded(index) + order * 7 * HOUR_MS).toISOString(),
      }));
    }),
  );
  return communityId;
}

async function insertEmbedKeys(
  tx: Transaction,
  userId: IdOf<PersonKey>,
  communityId: IdOf<string>,
  districtId: IdOf<string>,
): Promise<void> {
  for (const key of DEMO_EMBED_KEYS) {
    const [row] = await tx
      .insert(embedKeys)
      .values({
        publicKey: key.publicKey,
        name: key.name,
        communityId: key.community === undefined ? null : communityId(key.community),
        districtId: key.district === undefined ? null : districtId(key.district),
        allowedOrigins: key.allowedOrigins,
        createdBy: userId(key.createdBy),
      })
      .returning({ id: embedKeys.id });
    if (!row) {
      throw new Error(`Inserting the demo embed key "${key.name}" returned no row`);
    }
    await tx
      .insert(embedKeyCommunities)
      .values(
        key.communities.map((slug) => ({ embedKeyId: row.id, communityId: communityId(slug) })),
      );
  }
}

interface PlannedPost {
  thread: DemoThread;
  post: DemoPost;
  /** The top-level reply that a nested reply responds to, or null for a top-level reply. */
  parent: DemoReply | null;
  createdAt: Date;
  reactedAt: Date;
}

interface PlannedThread {
  thread: DemoThread;
  createdAt: Date;
  posts: PlannedPost[];
}

/** Lays a thread's replies out in order, at most six hours apart and all before `now`. */
function planThread(thread: DemoThread, now: Date): PlannedThread {
  const start = now.getTime() - thread.daysAgo * DAY_MS;
  const sequence = thread.replies.flatMap((reply) => [
    { thread, post: reply, parent: null },
    ...(reply.replies ?? []).map((nested) => ({ thread, post: nested, parent: reply })),
  ]);
  const step = Math.min(6 * HOUR_MS, (now.getTime() - start) / (sequence.length + 1));
  return {
    thread,
    createdAt: new Date(start),
    posts: sequence.map((entry, index) => ({
      ...entry,
      createdAt: new Date(start + (index + 1) * step),
      reactedAt: new Date(start + (index + 1.5) * step),
    })),
  };
}

/**
 * Inserts threads, their replies and reactions, and marks accepted answers. Returns the reply
 * notifications that creating the recent posts through the API would have written.
 */
async function insertThreads(
  tx: Transaction,
  userId: IdOf<PersonKey>,
  communityId: IdOf<string>,
  now: Date,
): Promise<{ threads: number; posts: number; notifications: NotificationRow[] }> {
  const plans = DEMO_THREADS.map((thread) => planThread(thread, now));
  const threadId = await insertThreadRows(tx, plans, userId, communityId);
  const planned = plans.flatMap((plan) => plan.posts);
  const postId = await insertPosts(tx, planned, userId, threadId);

  await tx.insert(reactions).values(
    planned.flatMap((entry) =>
      (entry.post.reactions ?? []).map(([person, kind]) => ({
        postId: postId(entry.thread, entry.post),
        userId: userId(person),
        kind,
        createdAt: entry.reactedAt.toISOString(),
      })),
    ),
  );
  for (const thread of DEMO_THREADS) {
    const accepted = thread.replies.find((reply) => reply.accepted);
    if (accepted) {
      await tx
        .update(threads)
        .set({ acceptedPostId: postId(thread, accepted) })
        .where(eq(threads.id, threadId(thread)));
    }
  }

  const notices = planned.flatMap((entry): NotificationRow[] => {
    const recipient = entry.parent ? entry.parent.by : entry.thread.by;
    const age = now.getTime() - entry.createdAt.getTime();
    if (recipient === entry.post.by || age > REPLY_NOTICE_WINDOW_MS) {
      return [];
    }
    const subject = {
      communityId: communityId(entry.thread.community),
      threadId: threadId(entry.thread),
      postId: postId(entry.thread, entry.post),
      actorId: userId(entry.post.by),
    };
    const createdAt = entry.createdAt.toISOString();
    return [{ userId: userId(recipient), kind: 'reply', subject, createdAt }];
  });
  return { threads: plans.length, posts: planned.length, notifications: notices };
}

/** Inserts the threads with their final reply counts and returns a lookup of their ids. */
async function insertThreadRows(
  tx: Transaction,
  plans: PlannedThread[],
  userId: IdOf<PersonKey>,
  communityId: IdOf<string>,
): Promise<IdOf<DemoThread>> {
  const rows = await tx
    .insert(threads)
    .values(
      plans.map(({ thread, createdAt, posts: planned }) => ({
        communityId: communityId(thread.community),
        authorId: userId(thread.by),
        title: thread.title,
        body: thread.body,
        kind: thread.kind,
        pinned: thread.pinned ?? false,
        replyCount: planned.length,
        lastActivityAt: (planned.at(-1)?.createdAt ?? createdAt).toISOString(),
        createdAt: createdAt.toISOString(),
        updatedAt: createdAt.toISOString(),
      })),
    )
    .returning({ id: threads.id, communityId: threads.communityId, title: threads.title });
  const threadIdByKey = lookupIds(rows, (row) => `${row.communityId}/${row.title}`);
  return (thread) => threadIdByKey(`${communityId(thread.community)}/${thread.title}`);
}

/**
 * Inserts the top-level replies, then the nested ones that point at them. Posts are found again
 * by thread and body, which the demo content keeps unique within a thread.
 */
async function insertPosts(
  tx: Transaction,
  planned: PlannedPost[],
  userId: IdOf<PersonKey>,
  threadId: IdOf<DemoThread>,
): Promise<(thread: DemoThread, post: DemoPost) => number> {
  const keyOf = (thread: DemoThread, post: DemoPost) => `${threadId(thread)}/${post.body}`;
  const insertLevel = (level: PlannedPost[], parentId: (entry: PlannedPost) => number | null) =>
    tx
      .insert(posts)
      .values(
        level.map((entry) => ({
          threadId: threadId(entry.thread),
          authorId: userId(entry.post.by),
          parentId: parentId(entry),
          depth: entry.parent ? 1 : 0,
          body: entry.post.body,
          createdAt: entry.createdAt.toISOString(),
        })),
      )
      .returning({ id: posts.id, threadId: posts.threadId, body: posts.body });

  const topLevel = await insertLevel(
    planned.filter((entry) => entry.parent === null),
    () => null,
  );
  const topLevelId = lookupIds(topLevel, (row) => `${row.threadId}/${row.body}`);
  const nested = await insertLevel(
    planned.filter((entry) => entry.parent !== null),
    (entry) => (entry.parent ? topLevelId(keyOf(entry.thread, entry.parent)) : null),
  );
  const postId = lookupIds([...topLevel, ...nested], (row) => `${row.threadId}/${row.body}`);
  return (thread, post) => postId(keyOf(thread, post));
}

async function insertLiveSessions(
  tx: Transaction,
  userId: IdOf<PersonKey>,
  communityId: IdOf<string>,
  now: Date,
): Promise<number> {
  const plans = DEMO_LIVE_SESSIONS.map((liveSession) => {
    const { startsAt, endsAt } = liveSessionWindow(liveSession, now);
    const scheduledAt = Math.min(startsAt.getTime(), now.getTime()) - 14 * DAY_MS;
    return { liveSession, startsAt, endsAt, scheduledAt };
  });
  const rows = await tx
    .insert(liveSessions)
    .values(
      plans.map(({ liveSession, startsAt, endsAt, scheduledAt }) => ({
        communityId: communityId(liveSession.community),
        hostId: userId(liveSession.host),
        title: liveSession.title,
        description: liveSession.description,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        timeZone: liveSession.timeZone,
        status: liveSession.status,
        joinUrl: `https://meet.example.org/${liveSession.room}`,
        chatSequence: liveSession.chat.length,
        ...(liveSession.status !== 'scheduled' && { startedAt: startsAt.toISOString() }),
        ...(liveSession.status === 'ended' && { endedAt: endsAt.toISOString() }),
        createdAt: new Date(scheduledAt).toISOString(),
      })),
    )
    .returning({ id: liveSessions.id, title: liveSessions.title });
  const liveSessionId = lookupIds(rows, (row) => row.title);

  await tx.insert(rsvps).values(
    plans.flatMap(({ liveSession, scheduledAt }) =>
      liveSession.rsvps.map(([person, status], order) => ({
        liveSessionId: liveSessionId(liveSession.title),
        userId: userId(person),
        status,
        // The demo sessions have no capacity, so everyone going has a seat.
        seat: status === 'going' ? ('confirmed' as const) : null,
        createdAt: new Date(scheduledAt + (order + 1) * 5 * HOUR_MS).toISOString(),
      })),
    ),
  );
  await tx.insert(chatMessages).values(
    plans.flatMap(({ liveSession, startsAt }) =>
      liveSession.chat.map(([person, minutes, body], index) => ({
        liveSessionId: liveSessionId(liveSession.title),
        authorId: userId(person),
        sequence: index + 1,
        body,
        createdAt: new Date(startsAt.getTime() + minutes * MINUTE_MS).toISOString(),
      })),
    ),
  );
  return rows.length;
}

/**
 * Computes when a live session starts and ends. The live one runs from an hour before `now` to an
 * hour after, and the others keep their wall-clock times.
 */
function liveSessionWindow(liveSession: DemoLiveSession, now: Date) {
  if (liveSession.status === 'live') {
    return {
      startsAt: new Date(now.getTime() - HOUR_MS),
      endsAt: new Date(now.getTime() + HOUR_MS),
    };
  }
  const startsAt = atWallClock(now, liveSession.timeZone, liveSession.day, liveSession.start);
  return { startsAt, endsAt: new Date(startsAt.getTime() + liveSession.minutes * MINUTE_MS) };
}

async function insertBadges(
  tx: Transaction,
  userId: IdOf<PersonKey>,
  communityId: IdOf<string>,
  districtId: IdOf<string>,
  now: Date,
): Promise<{ badges: number; awards: number; notifications: NotificationRow[] }> {
  const issuerOf = (badge: (typeof DEMO_BADGES)[number]) =>
    badge.district
      ? { districtId: districtId(badge.district) }
      : { communityId: communityId(badge.community ?? '') };
  const badgeRows = await tx
    .insert(badges)
    .values(
      DEMO_BADGES.map((badge) => ({
        ...issuerOf(badge),
        name: badge.name,
        description: badge.description,
        criteria: badge.criteria,
        isteStandards: badge.isteStandards,
        kind: badge.kind ?? 'participation',
        validForDays: badge.validForDays ?? null,
        imageTemplate: badge.image ?? null,
        createdById: userId(badge.createdBy),
        createdAt: new Date(now.getTime() - 60 * DAY_MS).toISOString(),
      })),
    )
    .returning({ id: badges.id, name: badges.name });
  const badgeId = lookupIds(badgeRows, (row) => row.name);
  await insertBadgeRules(tx, userId, badgeId);

  const awards = DEMO_BADGES.flatMap((badge) =>
    badge.awards.map((award) => ({
      badge,
      award,
      awardedAt: new Date(now.getTime() - award.daysAgo * DAY_MS).toISOString(),
    })),
  );
  const awardRows = await tx
    .insert(badgeAwards)
    .values(
      awards.map(({ badge, award, awardedAt }) => ({
        badgeId: badgeId(badge.name),
        recipientId: userId(award.to),
        awardedById: userId(award.by),
        note: award.note,
        awardedAt,
        expiresAt: badge.validForDays
          ? new Date(Date.parse(awardedAt) + badge.validForDays * DAY_MS).toISOString()
          : null,
      })),
    )
    .returning({
      id: badgeAwards.id,
      badgeId: badgeAwards.badgeId,
      recipientId: badgeAwards.recipientId,
    });
  const awardId = lookupIds(awardRows, (row) => `${row.badgeId}/${row.recipientId}`);

  const awardNotices = awards.map(({ badge, award, awardedAt }): NotificationRow => {
    const subject = {
      ...issuerOf(badge),
      badgeId: badgeId(badge.name),
      awardId: awardId(`${badgeId(badge.name)}/${userId(award.to)}`),
      actorId: userId(award.by),
    };
    return { userId: userId(award.to), kind: 'badge_awarded', subject, createdAt: awardedAt };
  });
  const evidenceNotices = await insertPendingEvidence(tx, userId, badgeId, issuerOf, now);
  return {
    badges: badgeRows.length,
    awards: awardRows.length,
    notifications: [...awardNotices, ...evidenceNotices],
  };
}

/** Adds the demo badges' rules; their thresholds are above what the demo activity reaches. */
async function insertBadgeRules(
  tx: Transaction,
  userId: IdOf<PersonKey>,
  badgeId: IdOf<string>,
): Promise<void> {
  for (const badge of DEMO_BADGES) {
    const rule = badge.rule;
    if (!rule) {
      continue;
    }
    const [row] = await tx
      .insert(badgeRules)
      .values({
        badgeId: badgeId(badge.name),
        kind: rule.kind,
        threshold: rule.kind === 'pathway' ? rule.badges.length : rule.threshold,
        createdById: userId(badge.createdBy),
      })
      .returning({ id: badgeRules.id });
    if (row && rule.kind === 'pathway') {
      await tx
        .insert(badgeRuleBadges)
        .values(rule.badges.map((name) => ({ ruleId: row.id, badgeId: badgeId(name) })));
    }
  }
}

/** Adds evidence waiting for review and notifies the badge's creator. */
async function insertPendingEvidence(
  tx: Transaction,
  userId: IdOf<PersonKey>,
  badgeId: IdOf<string>,
  issuerOf: (badge: (typeof DEMO_BADGES)[number]) =>
    | { communityId: number }
    | {
        districtId: number;
      },
  now: Date,
): Promise<NotificationRow[]> {
  const notices: NotificationRow[] = [];
  for (const badge of DEMO_BADGES) {
    for (const evidence of badge.pendingEvidence ?? []) {
      const sentAt = new Date(now.getTime() - evidence.daysAgo * DAY_MS).toISOString();
      const [submission] = await tx
        .insert(evidenceSubmissions)
        .values({
          badgeId: badgeId(badge.name),
          userId: userId(evidence.from),
          createdAt: sentAt,
          updatedAt: sentAt,
        })
        .returning({ id: evidenceSubmissions.id });
      if (!submission) {
        continue;
      }
      await tx.insert(evidenceRevisions).values({
        submissionId: submission.id,
        number: 1,
        reflection: evidence.reflection,
        links: evidence.links,
        createdAt: sentAt,
      });
      notices.push({
        userId: userId(badge.createdBy),
        kind: 'evidence_submitted',
        subject: {
          ...issuerOf(badge),
          badgeId: badgeId(badge.name),
          submissionId: submission.id,
          actorId: userId(evidence.from),
        },
        createdAt: sentAt,
      });
    }
  }
  return notices;
}

function markRead(row: NotificationRow, now: Date): NotificationRow {
  const createdAt = Date.parse(row.createdAt ?? '');
  if (now.getTime() - createdAt < UNREAD_WINDOW_MS) {
    return row;
  }
  return { ...row, readAt: new Date(createdAt + 3 * HOUR_MS).toISOString() };
}

/**
 * Returns the instant at which the wall clock in `timeZone` shows `time` (HH:MM), `dayOffset`
 * calendar days after today's date there.
 */
function atWallClock(now: Date, timeZone: string, dayOffset: number, time: string): Date {
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  const today = wallClockParts(now, timeZone);
  const target = Date.UTC(today.year, today.month - 1, today.day + dayOffset, hour, minute);
  // The first guess uses the zone's offset at `target` read as UTC. The second pass corrects it
  // when a daylight-saving change falls between that guess and the real instant.
  const guess = target - zoneOffsetMs(new Date(target), timeZone);
  return new Date(target - zoneOffsetMs(new Date(guess), timeZone));
}

/** Milliseconds that the wall clock in `timeZone` runs ahead of UTC at `instant`. */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const local = wallClockParts(instant, timeZone);
  const localAsUtc = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
  );
  return localAsUtc - (instant.getTime() - instant.getUTCMilliseconds());
}

function wallClockParts(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((candidate) => candidate.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/**
 * Indexes inserted rows by a key taken from the demo content. The returned function throws on a
 * key that was not inserted, and indexing throws on a duplicate key, so that content mistakes
 * fail the seed instead of linking rows wrongly.
 */
function indexRows<Row>(rows: Row[], keyOf: (row: Row) => string): (key: string) => Row {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const key = keyOf(row);
    if (byKey.has(key)) {
      throw new Error(
        `Demo content has two rows keyed "${key}"; make names, titles and the reply bodies within a thread unique.`,
      );
    }
    byKey.set(key, row);
  }
  return (key) => {
    const row = byKey.get(key);
    if (row === undefined) {
      throw new Error(
        `Demo content refers to "${key}", which was not inserted; check seed-content.ts.`,
      );
    }
    return row;
  };
}

function lookupIds<Row extends { id: number }>(
  rows: Row[],
  keyOf: (row: Row) => string,
): IdOf<string> {
  const rowOf = indexRows(rows, keyOf);
  return (key) => rowOf(key).id;
}
