import { sql } from 'drizzle-orm';
import type { Database } from './db.ts';
import {
  DEMO_BADGES,
  DEMO_COMMUNITIES,
  DEMO_DISTRICTS,
  DEMO_LIVE_SESSIONS,
  DEMO_PEOPLE,
  type PersonKey,
} from './seed-content.ts';
import {
  badgeAwards,
  badges,
  chatMessages,
  communities,
  districts,
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

export const DEMO_ACCOUNTS = DEMO_PEOPLE.slice(0, 2).map((person) => ({
  email: person.email,
  displayName: person.name,
}));

export interface SeedOptions {
  /** Hashes the demo password; drizzle/ leaves the algorithm to the server. */
  hashPassword: (password: string) => Promise<string>;
  /** The moment the demo is built around; upcoming sessions start after it. */
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

const HOUR_MS = 60 * 60 * 1000;

/** Reports whether the database has no users yet. */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const [row] = await db
    .select({ present: sql<boolean>`exists (select 1 from users)` })
    .from(sql`(select 1) as one`);
  return !row?.present;
}

/** Deletes every Staffroom row, events included, then seeds, all in one transaction. */
export async function reseedDemoData(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const passwordHash = await options.hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    await tx.execute(sql`truncate table
      events, notifications, badge_awards, badges, chat_messages, rsvps, live_sessions,
      reactions, post_revisions, threads, posts, memberships, communities, auth_sessions,
      users, schools, districts restart identity cascade`);
    return insertDemo(tx as unknown as Database, passwordHash, options.now ?? new Date());
  });
}

/** Inserts the demo data in one transaction. */
export async function seedDemoData(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const passwordHash = await options.hashPassword(DEMO_PASSWORD);
  return db.transaction((tx) =>
    insertDemo(tx as unknown as Database, passwordHash, options.now ?? new Date()),
  );
}

async function insertDemo(db: Database, passwordHash: string, now: Date): Promise<SeedSummary> {
  const at = (hoursFromNow: number) =>
    new Date(now.getTime() + hoursFromNow * HOUR_MS).toISOString();

  const districtRows = await db
    .insert(districts)
    .values(DEMO_DISTRICTS.map(({ slug, name }) => ({ slug, name })))
    .returning();
  const schoolRows = await db
    .insert(schools)
    .values(
      DEMO_DISTRICTS.flatMap((district, index) =>
        district.schools.map((name) => ({ districtId: districtRows[index]!.id, name })),
      ),
    )
    .returning();
  const schoolId = (district: number, school: number) =>
    schoolRows.filter((row) => row.districtId === districtRows[district]!.id)[school]!.id;

  const userRows = await db
    .insert(users)
    .values(
      DEMO_PEOPLE.map((person) => ({
        email: person.email,
        displayName: person.name,
        bio: person.bio,
        passwordHash,
        districtId: districtRows[person.district]!.id,
        schoolId: schoolId(person.district, person.school),
        createdAt: at(-24 * 90),
      })),
    )
    .returning({ id: users.id, email: users.email });
  const userId = (key: PersonKey) => {
    const email = DEMO_PEOPLE.find((person) => person.key === key)!.email;
    return userRows.find((row) => row.email === email)!.id;
  };

  const communityRows = await db
    .insert(communities)
    .values(
      DEMO_COMMUNITIES.map((community) => ({
        slug: community.slug,
        name: community.name,
        description: community.description,
        focus: community.focus,
        visibility: community.visibility,
        districtId: community.district === undefined ? null : districtRows[community.district]!.id,
        createdById: userId(community.members[0]![0]),
        createdAt: at(-24 * 80),
      })),
    )
    .returning({ id: communities.id, slug: communities.slug });
  const communityId = (slug: string) => communityRows.find((row) => row.slug === slug)!.id;

  await db.insert(memberships).values(
    DEMO_COMMUNITIES.flatMap((community) =>
      community.members.map(([person, role], index) => ({
        communityId: communityId(community.slug),
        userId: userId(person),
        role,
        createdAt: at(-24 * 80 + index),
      })),
    ),
  );

  const content = await insertThreads(db, now, userId, communityId);
  const sessionCount = await insertLiveSessions(db, at, userId, communityId);
  const awardCount = await insertBadges(db, at, userId, communityId);
  await insertNotifications(db, at, userId, communityId, content.demoReplyNotice);

  return {
    districts: districtRows.length,
    schools: schoolRows.length,
    users: userRows.length,
    communities: communityRows.length,
    threads: content.threads,
    posts: content.posts,
    liveSessions: sessionCount,
    badges: DEMO_BADGES.length,
    awards: awardCount,
  };
}

async function insertThreads(
  db: Database,
  now: Date,
  userId: (key: PersonKey) => number,
  communityId: (slug: string) => number,
) {
  let threadCount = 0;
  let postCount = 0;
  let demoReplyNotice: {
    threadId: number;
    postId: number;
    actorId: number;
    communityId: number;
  } | null = null;
  // Threads start days apart, oldest first, and each reply comes a few hours after the last.
  let clock = now.getTime() - 30 * 24 * HOUR_MS;
  const tick = (hours: number) => {
    clock += hours * HOUR_MS;
    return new Date(clock).toISOString();
  };

  for (const community of DEMO_COMMUNITIES) {
    for (const demoThread of community.threads) {
      const createdAt = tick(20);
      const [thread] = await db
        .insert(threads)
        .values({
          communityId: communityId(community.slug),
          authorId: userId(demoThread.by),
          title: demoThread.title,
          body: demoThread.body,
          kind: demoThread.kind,
          pinned: demoThread.pinned ?? false,
          createdAt,
          updatedAt: createdAt,
          lastActivityAt: createdAt,
        })
        .returning({ id: threads.id });
      threadCount += 1;
      let replies = 0;
      let acceptedPostId: number | null = null;

      for (const reply of demoThread.replies) {
        const [post] = await db
          .insert(posts)
          .values({
            threadId: thread!.id,
            authorId: userId(reply.by),
            body: reply.body,
            createdAt: tick(3),
          })
          .returning({ id: posts.id });
        replies += 1;
        if (reply.accepted) {
          acceptedPostId = post!.id;
        }
        if (reply.reactions?.length) {
          await db.insert(reactions).values(
            reply.reactions.map((reaction) => ({
              postId: post!.id,
              userId: userId(reaction.by),
              kind: reaction.kind,
            })),
          );
        }
        if (demoThread.by === 'demo' && reply.by !== 'demo' && !demoReplyNotice) {
          demoReplyNotice = {
            threadId: thread!.id,
            postId: post!.id,
            actorId: userId(reply.by),
            communityId: communityId(community.slug),
          };
        }
        for (const nested of reply.replies ?? []) {
          await db.insert(posts).values({
            threadId: thread!.id,
            authorId: userId(nested.by),
            parentId: post!.id,
            depth: 1,
            body: nested.body,
            createdAt: tick(2),
          });
          replies += 1;
        }
      }

      postCount += replies;
      await db
        .update(threads)
        .set({ replyCount: replies, lastActivityAt: new Date(clock).toISOString(), acceptedPostId })
        .where(sql`${threads.id} = ${thread!.id}`);
    }
  }
  return { threads: threadCount, posts: postCount, demoReplyNotice };
}

async function insertLiveSessions(
  db: Database,
  at: (hours: number) => string,
  userId: (key: PersonKey) => number,
  communityId: (slug: string) => number,
): Promise<number> {
  for (const session of DEMO_LIVE_SESSIONS) {
    const [row] = await db
      .insert(liveSessions)
      .values({
        communityId: communityId(session.community),
        hostId: userId(session.host),
        title: session.title,
        description: session.description,
        startsAt: at(session.startsInHours),
        endsAt: at(session.startsInHours + session.durationMinutes / 60),
        timeZone: session.timeZone,
        status: session.status,
        joinUrl: `https://meet.example.org/staffroom-${session.community.slice(0, 24)}-${Math.abs(session.startsInHours)}`,
        createdAt: at(Math.min(session.startsInHours, 0) - 24 * 7),
      })
      .returning({ id: liveSessions.id });
    if (session.rsvps.length > 0) {
      await db.insert(rsvps).values(
        session.rsvps.map((person) => ({
          liveSessionId: row!.id,
          userId: userId(person),
          status: 'going' as const,
        })),
      );
    }
    if (session.chat.length > 0) {
      await db.insert(chatMessages).values(
        session.chat.map(([person, body], index) => ({
          liveSessionId: row!.id,
          authorId: userId(person),
          body,
          createdAt: at(session.startsInHours + (index + 1) / 60),
        })),
      );
    }
  }
  return DEMO_LIVE_SESSIONS.length;
}

async function insertBadges(
  db: Database,
  at: (hours: number) => string,
  userId: (key: PersonKey) => number,
  communityId: (slug: string) => number,
): Promise<number> {
  let awards = 0;
  for (const badge of DEMO_BADGES) {
    const [row] = await db
      .insert(badges)
      .values({
        communityId: communityId(badge.community),
        name: badge.name,
        description: badge.description,
        criteria: badge.criteria,
        isteStandards: badge.isteStandards,
        createdById: userId(badge.awardedBy),
        createdAt: at(-24 * 60),
      })
      .returning({ id: badges.id });
    await db.insert(badgeAwards).values(
      badge.awardedTo.map((person, index) => ({
        badgeId: row!.id,
        recipientId: userId(person),
        awardedById: userId(badge.awardedBy),
        note: 'Thank you for sharing your work with the community.',
        awardedAt: at(-24 * (20 - index * 3)),
      })),
    );
    awards += badge.awardedTo.length;
  }
  return awards;
}

async function insertNotifications(
  db: Database,
  at: (hours: number) => string,
  userId: (key: PersonKey) => number,
  communityId: (slug: string) => number,
  reply: { threadId: number; postId: number; actorId: number; communityId: number } | null,
): Promise<void> {
  const demoId = userId('demo');
  const [designBadge] = await db
    .select({ id: badges.id })
    .from(badges)
    .where(sql`${badges.name} = 'Design Challenge Architect'`);
  const [award] = await db
    .select({ id: badgeAwards.id })
    .from(badgeAwards)
    .where(
      sql`${badgeAwards.badgeId} = ${designBadge!.id} and ${badgeAwards.recipientId} = ${demoId}`,
    );
  const values: (typeof notifications.$inferInsert)[] = [
    {
      userId: demoId,
      kind: 'badge_awarded',
      subject: {
        communityId: communityId('elementary-makerspace-network'),
        badgeId: designBadge!.id,
        awardId: award!.id,
        actorId: userId('facilitator'),
      },
      createdAt: at(-24 * 20),
      readAt: at(-24 * 19),
    },
  ];
  if (reply) {
    values.push({ userId: demoId, kind: 'reply', subject: reply, createdAt: at(-3) });
  }
  await db.insert(notifications).values(values);
}
