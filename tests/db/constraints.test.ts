import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DatabaseHandle, migrateDatabase, openDatabase } from '../../drizzle/db.ts';
import * as tables from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';

/** Runs an insert and returns the PostgreSQL message it failed with, or null when it succeeded. */
async function failure(work: Promise<unknown>): Promise<string | null> {
  try {
    await work;
    return null;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message ?? (error as Error).message;
  }
}

describe.each(await databaseKinds())('database constraints on %s', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let userId: number;
  let otherUserId: number;
  let communityId: number;
  let threadId: number;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const options = { url: database.url, dataDir: database.dataDir };
    handle = openDatabase(options);
    await migrateDatabase(options, handle);
    const db = handle.db;
    const [user, other] = await db
      .insert(tables.users)
      .values([
        { email: 'a@example.org', passwordHash: 'x', displayName: 'A' },
        { email: 'b@example.org', passwordHash: 'x', displayName: 'B' },
      ])
      .returning();
    userId = user!.id;
    otherUserId = other!.id;
    const [community] = await db
      .insert(tables.communities)
      .values({ slug: 'base', name: 'Base', focus: 'stem', visibility: 'public' })
      .returning();
    communityId = community!.id;
    const [thread] = await db
      .insert(tables.threads)
      .values({ communityId, title: 'T', body: 'B' })
      .returning();
    threadId = thread!.id;
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  test('applies nothing on a second migration', async () => {
    const result = await migrateDatabase({ url: database.url, dataDir: database.dataDir }, handle);

    expect(result.applied).toBe(0);
  });

  test('rejects a duplicate community slug', async () => {
    const message = await failure(
      handle.db
        .insert(tables.communities)
        .values({ slug: 'base', name: 'Again', focus: 'stem', visibility: 'public' }),
    );

    expect(message).toMatch(/communities_slug_unique|duplicate key/);
  });

  test('rejects a malformed slug', async () => {
    const message = await failure(
      handle.db
        .insert(tables.communities)
        .values({ slug: 'Bad Slug', name: 'x', focus: 'stem', visibility: 'public' }),
    );

    expect(message).toMatch(/communities_slug_format/);
  });

  test('rejects a district community without a district', async () => {
    const message = await failure(
      handle.db
        .insert(tables.communities)
        .values({ slug: 'no-district', name: 'x', focus: 'stem', visibility: 'district' }),
    );

    expect(message).toMatch(/communities_district_required/);
  });

  test('rejects an over-long thread title', async () => {
    const message = await failure(
      handle.db.insert(tables.threads).values({ communityId, title: 'x'.repeat(201), body: '' }),
    );

    expect(message).toMatch(/threads_title_length/);
  });

  test('rejects an unknown membership role', async () => {
    const message = await failure(
      handle.db.execute(
        sql`insert into memberships (community_id, user_id, role) values (${communityId}, ${userId}, 'admin')`,
      ),
    );

    expect(message).toMatch(/memberships_role/);
  });

  test('rejects a reply to a reply of a reply', async () => {
    const [top] = await handle.db
      .insert(tables.posts)
      .values({ threadId, body: 'top' })
      .returning();
    const [nested] = await handle.db
      .insert(tables.posts)
      .values({ threadId, body: 'nested', parentId: top!.id, depth: 1 })
      .returning();

    const deeper = await failure(
      handle.db
        .insert(tables.posts)
        .values({ threadId, body: 'deeper', parentId: nested!.id, depth: 1 }),
    );
    const wrongDepth = await failure(
      handle.db
        .insert(tables.posts)
        .values({ threadId, body: 'lying', parentId: top!.id, depth: 0 }),
    );

    expect(deeper).toMatch(/posts_parent_fk/);
    expect(wrongDepth).toMatch(/posts_depth/);
  });

  test('rejects a parent from another thread', async () => {
    const [otherThread] = await handle.db
      .insert(tables.threads)
      .values({ communityId, title: 'Other', body: '' })
      .returning();
    const [foreign] = await handle.db
      .insert(tables.posts)
      .values({ threadId: otherThread!.id, body: 'elsewhere' })
      .returning();

    const message = await failure(
      handle.db
        .insert(tables.posts)
        .values({ threadId, body: 'cross', parentId: foreign!.id, depth: 1 }),
    );

    expect(message).toMatch(/posts_parent_fk/);
  });

  test('allows one RSVP per person and live session', async () => {
    const [liveSession] = await handle.db
      .insert(tables.liveSessions)
      .values({
        communityId,
        title: 'S',
        startsAt: '2099-01-01T10:00:00Z',
        endsAt: '2099-01-01T11:00:00Z',
        timeZone: 'UTC',
      })
      .returning();
    await handle.db
      .insert(tables.rsvps)
      .values({ liveSessionId: liveSession!.id, userId, status: 'going' });

    const message = await failure(
      handle.db
        .insert(tables.rsvps)
        .values({ liveSessionId: liveSession!.id, userId, status: 'maybe' }),
    );

    expect(message).toMatch(/rsvps_live_session_user_unique/);
  });

  test('rejects a live session that ends before it starts', async () => {
    const message = await failure(
      handle.db.insert(tables.liveSessions).values({
        communityId,
        title: 'S',
        startsAt: '2099-01-01T10:00:00Z',
        endsAt: '2099-01-01T10:00:00Z',
        timeZone: 'UTC',
      }),
    );

    expect(message).toMatch(/live_sessions_ends_after_starts/);
  });

  test('allows one active award, not blocked by revoked or expired ones', async () => {
    const [badge] = await handle.db
      .insert(tables.badges)
      .values({
        communityId,
        name: 'B',
        description: 'd',
        criteria: 'c',
        isteStandards: ['learner'],
      })
      .returning();
    const award = { badgeId: badge!.id, recipientId: otherUserId };
    await handle.db.insert(tables.badgeAwards).values({ ...award, status: 'revoked' });
    await handle.db.insert(tables.badgeAwards).values({ ...award, status: 'expired' });

    const firstActive = await failure(handle.db.insert(tables.badgeAwards).values(award));
    const secondActive = await failure(handle.db.insert(tables.badgeAwards).values(award));

    expect(firstActive).toBeNull();
    expect(secondActive).toMatch(/badge_awards_one_active/);
  });

  test('rejects unknown or missing ISTE standards', async () => {
    const unknown = await failure(
      handle.db.execute(
        sql`insert into badges (community_id, name, description, criteria, iste_standards) values (${communityId}, 'U', 'd', 'c', array['wizard'])`,
      ),
    );
    const empty = await failure(
      handle.db.execute(
        sql`insert into badges (community_id, name, description, criteria, iste_standards) values (${communityId}, 'E', 'd', 'c', array[]::text[])`,
      ),
    );

    expect(unknown).toMatch(/badges_iste_standards/);
    expect(empty).toMatch(/badges_iste_standards/);
  });

  test('rejects a post with a missing thread', async () => {
    const message = await failure(
      handle.db.insert(tables.posts).values({ threadId: 987654, body: 'orphan' }),
    );

    expect(message).toMatch(/posts_thread_id_threads_id_fkey|foreign key/);
  });
});
