import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  unique,
} from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { users } from './users.ts';

export const THREAD_KINDS = ['discussion', 'question', 'announcement'] as const;
export const REACTION_KINDS = ['like', 'thanks', 'insightful', 'celebrate'] as const;

export const threads = pgTable(
  'threads',
  {
    id: idColumn(),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    kind: text('kind', { enum: THREAD_KINDS }).notNull().default('discussion'),
    pinned: boolean('pinned').notNull().default(false),
    locked: boolean('locked').notNull().default(false),
    acceptedPostId: integer('accepted_post_id').references((): AnyPgColumn => posts.id, {
      onDelete: 'set null',
    }),
    replyCount: integer('reply_count').notNull().default(0),
    lastActivityAt: instant('last_activity_at').notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
    /** Set when a facilitator removed the thread; only moderators see it from then on. */
    removedAt: instant('removed_at'),
    removedById: integer('removed_by_id').references(() => users.id, { onDelete: 'set null' }),
    removalReason: text('removal_reason'),
    /** Set while the thread waits for a facilitator's review (a new account's links). */
    heldAt: instant('held_at'),
  },
  (table) => [
    index('threads_community_activity_idx').on(
      table.communityId,
      table.pinned.desc(),
      table.lastActivityAt.desc(),
      table.id.desc(),
    ),
    index('threads_author_idx').on(table.authorId),
    check('threads_removal_reason_length', sql`char_length(${table.removalReason}) <= 500`),
    check('threads_title_length', sql`char_length(${table.title}) between 1 and 200`),
    check('threads_body_length', sql`char_length(${table.body}) <= 20000`),
    check('threads_kind', sql`${table.kind} in ('discussion', 'question', 'announcement')`),
    check(
      'threads_accepted_only_on_questions',
      sql`${table.acceptedPostId} is null or ${table.kind} = 'question'`,
    ),
  ],
);

/**
 * A reply to a thread (depth 0) or to a depth-0 reply (depth 1). The composite foreign key makes
 * the database itself reject a reply to a reply of a reply, and a parent from another thread.
 */
export const posts = pgTable(
  'posts',
  {
    id: idColumn(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    parentId: integer('parent_id'),
    depth: smallint('depth').notNull().default(0),
    parentDepth: smallint('parent_depth').generatedAlwaysAs(
      sql`case when parent_id is null then null else 0 end`,
    ),
    body: text('body').notNull(),
    createdAt: createdAt(),
    editedAt: instant('edited_at'),
    deletedAt: instant('deleted_at'),
    /** Set when a facilitator removed the post, as opposed to its author deleting it. */
    removedAt: instant('removed_at'),
    removedById: integer('removed_by_id').references(() => users.id, { onDelete: 'set null' }),
    removalReason: text('removal_reason'),
    /** Set while the post waits for a facilitator's review (a new account's links). */
    heldAt: instant('held_at'),
  },
  (table) => [
    unique('posts_id_thread_depth_unique').on(table.id, table.threadId, table.depth),
    foreignKey({
      name: 'posts_parent_fk',
      columns: [table.parentId, table.threadId, table.parentDepth],
      foreignColumns: [table.id, table.threadId, table.depth],
    }).onDelete('cascade'),
    index('posts_thread_idx').on(table.threadId, table.id),
    index('posts_parent_idx').on(table.parentId),
    // Counting one person's replies for badge rules starts from their posts.
    index('posts_author_idx').on(table.authorId),
    check('posts_removal_reason_length', sql`char_length(${table.removalReason}) <= 500`),
    check(
      'posts_depth',
      sql`${table.depth} = case when ${table.parentId} is null then 0 else 1 end`,
    ),
    check('posts_body_length', sql`char_length(${table.body}) between 1 and 20000`),
  ],
);

/** Earlier bodies of an edited post, newest last. */
export const postRevisions = pgTable(
  'post_revisions',
  {
    id: idColumn(),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('post_revisions_post_idx').on(table.postId, table.id)],
);

export const reactions = pgTable(
  'reactions',
  {
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: REACTION_KINDS }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.postId, table.userId, table.kind] }),
    check('reactions_kind', sql`${table.kind} in ('like', 'thanks', 'insightful', 'celebrate')`),
  ],
);
