import { readdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type DatabaseHandle,
  MIGRATIONS_FOLDER,
  migrateDatabase,
  openDatabase,
} from '../../drizzle/db.ts';
import * as tables from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';

const MIGRATION_COUNT = readdirSync(MIGRATIONS_FOLDER, { withFileTypes: true }).filter((entry) =>
  entry.isDirectory(),
).length;

const kinds = await databaseKinds();

/**
 * Awaits a statement and returns the PostgreSQL message it failed with, or null when it
 * succeeded. Drizzle wraps the driver's error, so the message naming the constraint is the cause's.
 */
async function rejection(statement: PromiseLike<unknown>): Promise<string | null> {
  try {
    await statement;
    return null;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message ?? (error as Error).message;
  }
}

/** Names a settled promise's outcome, with the driver's message when it was rejected. */
function describeOutcome(outcome: PromiseSettledResult<unknown>): string {
  if (outcome.status === 'fulfilled') {
    return 'fulfilled';
  }
  const reason = outcome.reason as { message?: string; cause?: { message?: string } };
  return `rejected: ${reason.cause?.message ?? reason.message}`;
}

async function countRecordedMigrations(url: string): Promise<number> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await client`select count(*)::int as count from drizzle.__drizzle_migrations`;
    return Number(row?.count);
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Returns the id of the row that an `insert … returning()` statement produced. */
async function insertedId(insert: PromiseLike<{ id: number }[]>): Promise<number> {
  const [row] = await insert;
  if (!row) {
    throw new Error('The insert returned no row.');
  }
  return row.id;
}

function liveSessionRow(communityId: number, startsAt: string, endsAt: string) {
  return { communityId, title: 'Office hours', startsAt, endsAt, timeZone: 'America/Chicago' };
}

describe.each(kinds)('database constraints on %s', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let firstMigration: { applied: number };
  let userId: number;
  let otherUserId: number;
  let communityId: number;
  let threadId: number;
  let badgeCount = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const options = { url: database.url, dataDir: database.dataDir };
    handle = openDatabase(options);
    firstMigration = await migrateDatabase(options, handle);
    userId = await insertedId(
      handle.db
        .insert(tables.users)
        .values({ email: 'ada@example.org', passwordHash: 'x', displayName: 'Ada' })
        .returning(),
    );
    otherUserId = await insertedId(
      handle.db
        .insert(tables.users)
        .values({ email: 'ben@example.org', passwordHash: 'x', displayName: 'Ben' })
        .returning(),
    );
    communityId = await insertedId(
      handle.db
        .insert(tables.communities)
        .values({ slug: 'makerspace', name: 'Makerspace', focus: 'stem', visibility: 'public' })
        .returning(),
    );
    threadId = await insertedId(
      handle.db
        .insert(tables.threads)
        .values({ communityId, title: 'Design journals', body: 'How do you grade them?' })
        .returning(),
    );
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  async function createBadge(): Promise<number> {
    badgeCount += 1;
    return insertedId(
      handle.db
        .insert(tables.badges)
        .values({
          communityId,
          name: `Badge ${badgeCount}`,
          description: 'Shares a lesson',
          criteria: 'Posts a lesson plan',
          isteStandards: ['learner'],
        })
        .returning(),
    );
  }

  function insertBadgeWithStandards(standards: ReturnType<typeof sql>) {
    badgeCount += 1;
    return handle.db.execute(
      sql`insert into badges (community_id, name, description, criteria, iste_standards)
        values (${communityId}, ${`Badge ${badgeCount}`}, 'd', 'c', ${standards})`,
    );
  }

  describe('migrations', () => {
    test('applies every migration on first run', () => {
      expect(firstMigration.applied).toBe(MIGRATION_COUNT);
    });

    test('applies nothing on a second run', async () => {
      const result = await migrateDatabase(
        { url: database.url, dataDir: database.dataDir },
        handle,
      );

      expect(result.applied).toBe(0);
    });
  });

  describe('communities', () => {
    test('rejects a duplicate community slug', async () => {
      const message = await rejection(
        handle.db
          .insert(tables.communities)
          .values({ slug: 'makerspace', name: 'Again', focus: 'stem', visibility: 'public' }),
      );

      expect(message).toMatch(/communities_slug_key/);
    });

    test.for([
      { problem: 'upper case', slug: 'Upper-Case' },
      { problem: 'a space', slug: 'with space' },
      { problem: 'a leading dash', slug: '-leading' },
      { problem: 'a trailing dash', slug: 'trailing-' },
      { problem: 'a double dash', slug: 'double--dash' },
      { problem: '65 characters', slug: 'x'.repeat(65) },
    ])('rejects a slug with $problem', async ({ slug }) => {
      const message = await rejection(
        handle.db
          .insert(tables.communities)
          .values({ slug, name: 'Invalid', focus: 'stem', visibility: 'public' }),
      );

      expect(message).toMatch(/communities_slug_format/);
    });

    test('accepts a 64-character slug', async () => {
      const message = await rejection(
        handle.db
          .insert(tables.communities)
          .values({ slug: 'x'.repeat(64), name: 'Long', focus: 'stem', visibility: 'public' }),
      );

      expect(message).toBeNull();
    });

    test('rejects a district community without district', async () => {
      const message = await rejection(
        handle.db
          .insert(tables.communities)
          .values({ slug: 'no-district', name: 'x', focus: 'stem', visibility: 'district' }),
      );

      expect(message).toMatch(/communities_district_required/);
    });

    test('accepts a district community with district', async () => {
      const districtId = await insertedId(
        handle.db
          .insert(tables.districts)
          .values({ slug: 'riverside', name: 'Riverside Unified' })
          .returning(),
      );

      const message = await rejection(
        handle.db.insert(tables.communities).values({
          slug: 'riverside-stem',
          name: 'Riverside STEM',
          focus: 'stem',
          visibility: 'district',
          districtId,
        }),
      );

      expect(message).toBeNull();
    });

    test('rejects an unknown membership role', async () => {
      const message = await rejection(
        handle.db.execute(
          sql`insert into memberships (community_id, user_id, role) values (${communityId}, ${userId}, 'admin')`,
        ),
      );

      expect(message).toMatch(/memberships_role/);
    });
  });

  describe('threads and posts', () => {
    test('rejects a thread title over 200 characters', async () => {
      const tooLong = await rejection(
        handle.db.insert(tables.threads).values({ communityId, title: 'x'.repeat(201), body: '' }),
      );
      const atLimit = await rejection(
        handle.db.insert(tables.threads).values({ communityId, title: 'x'.repeat(200), body: '' }),
      );

      expect(tooLong).toMatch(/threads_title_length/);
      expect(atLimit).toBeNull();
    });

    test('rejects a reply to a reply', async () => {
      const topId = await insertedId(
        handle.db.insert(tables.posts).values({ threadId, body: 'top' }).returning(),
      );
      const replyId = await insertedId(
        handle.db
          .insert(tables.posts)
          .values({ threadId, body: 'reply', parentId: topId, depth: 1 })
          .returning(),
      );

      const message = await rejection(
        handle.db
          .insert(tables.posts)
          .values({ threadId, body: 'reply to a reply', parentId: replyId, depth: 1 }),
      );

      expect(message).toMatch(/posts_parent_fk/);
    });

    test('rejects a depth that contradicts the parent', async () => {
      const topId = await insertedId(
        handle.db.insert(tables.posts).values({ threadId, body: 'top' }).returning(),
      );

      const replyAtTop = await rejection(
        handle.db.insert(tables.posts).values({ threadId, body: 'a', parentId: topId, depth: 0 }),
      );
      const replyTooDeep = await rejection(
        handle.db.insert(tables.posts).values({ threadId, body: 'b', parentId: topId, depth: 2 }),
      );
      const topIndented = await rejection(
        handle.db.insert(tables.posts).values({ threadId, body: 'c', depth: 1 }),
      );

      expect(replyAtTop).toMatch(/posts_depth/);
      expect(replyTooDeep).toMatch(/posts_depth/);
      expect(topIndented).toMatch(/posts_depth/);
    });

    test('rejects a parent from another thread', async () => {
      const otherThreadId = await insertedId(
        handle.db
          .insert(tables.threads)
          .values({ communityId, title: 'Other thread', body: '' })
          .returning(),
      );
      const foreignId = await insertedId(
        handle.db
          .insert(tables.posts)
          .values({ threadId: otherThreadId, body: 'elsewhere' })
          .returning(),
      );

      const message = await rejection(
        handle.db
          .insert(tables.posts)
          .values({ threadId, body: 'cross', parentId: foreignId, depth: 1 }),
      );

      expect(message).toMatch(/posts_parent_fk/);
    });

    test('rejects a post in a missing thread', async () => {
      const message = await rejection(
        handle.db.insert(tables.posts).values({ threadId: 987_654, body: 'orphan' }),
      );

      expect(message).toMatch(/posts_thread_id_threads_id_fkey/);
    });
  });

  describe('live sessions', () => {
    test('rejects a second RSVP by one person', async () => {
      const liveSessionId = await insertedId(
        handle.db
          .insert(tables.liveSessions)
          .values(liveSessionRow(communityId, '2099-01-01T10:00:00Z', '2099-01-01T11:00:00Z'))
          .returning(),
      );
      await handle.db
        .insert(tables.rsvps)
        .values({ liveSessionId, userId, status: 'going', seat: 'confirmed' });

      const again = await rejection(
        handle.db.insert(tables.rsvps).values({ liveSessionId, userId, status: 'maybe' }),
      );
      const otherPerson = await rejection(
        handle.db.insert(tables.rsvps).values({
          liveSessionId,
          userId: otherUserId,
          status: 'going',
          seat: 'waitlisted',
          waitlistedAt: '2099-01-01T09:00:00Z',
        }),
      );
      const otherSessionId = await insertedId(
        handle.db
          .insert(tables.liveSessions)
          .values(liveSessionRow(communityId, '2099-01-02T10:00:00Z', '2099-01-02T11:00:00Z'))
          .returning(),
      );
      const seatless = await rejection(
        handle.db
          .insert(tables.rsvps)
          .values({ liveSessionId: otherSessionId, userId, status: 'going' }),
      );

      expect(again).toMatch(/rsvps_live_session_user_unique/);
      expect(otherPerson).toBeNull();
      expect(seatless).toMatch(/rsvps_seat/);
    });

    test('rejects an end at or before start', async () => {
      const endsAtStart = await rejection(
        handle.db
          .insert(tables.liveSessions)
          .values(liveSessionRow(communityId, '2099-01-01T10:00:00Z', '2099-01-01T10:00:00Z')),
      );
      const endsBeforeStart = await rejection(
        handle.db
          .insert(tables.liveSessions)
          .values(liveSessionRow(communityId, '2099-01-01T10:00:00Z', '2099-01-01T09:59:59Z')),
      );

      expect(endsAtStart).toMatch(/live_sessions_ends_after_starts/);
      expect(endsBeforeStart).toMatch(/live_sessions_ends_after_starts/);
    });
  });

  describe('badges', () => {
    test('rejects a second active award', async () => {
      const badgeId = await createBadge();
      await handle.db.insert(tables.badgeAwards).values({ badgeId, recipientId: otherUserId });

      const message = await rejection(
        handle.db.insert(tables.badgeAwards).values({ badgeId, recipientId: otherUserId }),
      );

      expect(message).toMatch(/badge_awards_one_active/);
    });

    test('allows an award after revoked and expired ones', async () => {
      const badgeId = await createBadge();
      const award = { badgeId, recipientId: otherUserId };
      await handle.db.insert(tables.badgeAwards).values({ ...award, status: 'revoked' });
      await handle.db.insert(tables.badgeAwards).values({ ...award, status: 'expired' });

      const message = await rejection(handle.db.insert(tables.badgeAwards).values(award));

      expect(message).toBeNull();
    });

    test('rejects an unknown ISTE standard', async () => {
      const message = await rejection(
        insertBadgeWithStandards(sql`array['learner', 'wizard']::text[]`),
      );

      expect(message).toMatch(/badges_iste_standards/);
    });

    test('rejects an empty ISTE standards array', async () => {
      const message = await rejection(insertBadgeWithStandards(sql`array[]::text[]`));

      expect(message).toMatch(/badges_iste_standards/);
    });
  });
});

describe.skipIf(!kinds.includes('postgres'))('concurrent migrations on postgres', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await database?.drop();
  });

  test('two concurrent migrations both succeed', async () => {
    const options = { url: database.url, dataDir: database.dataDir };
    const handles = [openDatabase(options), openDatabase(options)];

    const outcomes = await Promise.allSettled(
      handles.map((handle) => migrateDatabase(options, handle)),
    );
    await Promise.all(handles.map((handle) => handle.close()));
    const recorded = await countRecordedMigrations(database.url as string);

    expect(outcomes.map(describeOutcome)).toEqual(['fulfilled', 'fulfilled']);
    const applied = outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? outcome.value.applied : -1,
    );
    expect(applied.sort((a, b) => a - b)).toEqual([0, MIGRATION_COUNT]);
    expect(recorded).toBe(MIGRATION_COUNT);
  });
});
