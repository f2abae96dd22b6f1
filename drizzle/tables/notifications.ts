import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { REVIEW_DECISIONS } from './badges.ts';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { threads } from './threads.ts';
import { users } from './users.ts';

export const NOTIFICATION_KINDS = [
  'reply',
  'badge_awarded',
  'seat_confirmed',
  'starting_soon',
  'evidence_submitted',
  'review_result',
  'badge_revoked',
  'mention',
  'answer_accepted',
  /** A reply in a thread the person follows, other than to their own post. */
  'followed_reply',
  /** A new thread in a community the person follows. */
  'new_thread',
  /** A facilitator acted on the person or their content: warned, muted, banned, removed. */
  'moderation',
  /** A facilitator decided on a report the person made. */
  'report_resolved',
] as const;

/** Channels for notifications beyond the app itself. */
export const NOTIFICATION_DELIVERIES = [
  'in_app',
  'email',
  'daily_digest',
  'weekly_digest',
] as const;
export const FOLLOW_STATES = ['following', 'muted'] as const;

export const notifications = pgTable(
  'notifications',
  {
    id: idColumn(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    /** Ids of what the notification points at: thread, post, badge, award, community. */
    subject: jsonb('subject').$type<NotificationSubject>().notNull(),
    createdAt: createdAt(),
    readAt: instant('read_at'),
    /** Time it was mailed, alone or in a digest. Null until then. */
    mailedAt: instant('mailed_at'),
  },
  (table) => [
    index('notifications_user_idx').on(table.userId, table.id.desc()),
    index('notifications_unread_idx').on(table.userId).where(sql`${table.readAt} is null`),
    check(
      'notifications_kind',
      sql`${table.kind} in ('reply', 'badge_awarded', 'seat_confirmed', 'starting_soon', 'evidence_submitted', 'review_result', 'badge_revoked', 'mention', 'answer_accepted', 'followed_reply', 'new_thread', 'moderation', 'report_resolved')`,
    ),
  ],
);

export interface NotificationSubject {
  /** The community it happened in; absent for a district badge. */
  communityId?: number;
  districtId?: number;
  submissionId?: number;
  /** The decision a REVIEW_RESULT reports. */
  decision?: (typeof REVIEW_DECISIONS)[number];
  threadId?: number;
  postId?: number;
  badgeId?: number;
  awardId?: number;
  liveSessionId?: number;
  actorId?: number;
  chatMessageId?: number;
  reportId?: number;
  /** For MODERATION: what was done (warned, muted, banned, removed). */
  action?: string;
  /** For MODERATION: when a mute ends. */
  until?: string;
}

/**
 * One row per change that subscribers hear about, written in the same transaction as the change.
 * Ids grow in commit order (writers take a transaction-scoped advisory lock first), so a
 * subscriber resumes after the last id it saw without a gap.
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    topic: text('topic').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('events_topic_idx').on(table.topic, table.id)],
);

/** A person's choice of how notifications reach them, and when their last digest went out. */
export const notificationSettings = pgTable(
  'notification_settings',
  {
    userId: integer('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    delivery: text('delivery', { enum: NOTIFICATION_DELIVERIES }).notNull().default('in_app'),
    lastDigestAt: instant('last_digest_at'),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (table) => [
    check(
      'notification_settings_delivery',
      sql`${table.delivery} in ('in_app', 'email', 'daily_digest', 'weekly_digest')`,
    ),
  ],
);

/** Following or muting one thread or one community: exactly one of the two is set. */
export const follows = pgTable(
  'follows',
  {
    id: idColumn(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id').references(() => threads.id, { onDelete: 'cascade' }),
    communityId: integer('community_id').references(() => communities.id, {
      onDelete: 'cascade',
    }),
    state: text('state', { enum: FOLLOW_STATES }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('follows_user_thread_unique')
      .on(table.userId, table.threadId)
      .where(sql`${table.threadId} is not null`),
    uniqueIndex('follows_user_community_unique')
      .on(table.userId, table.communityId)
      .where(sql`${table.communityId} is not null`),
    index('follows_thread_idx').on(table.threadId),
    index('follows_community_idx').on(table.communityId),
    check('follows_one_target', sql`(${table.threadId} is null) <> (${table.communityId} is null)`),
    check('follows_state', sql`${table.state} in ('following', 'muted')`),
  ],
);

/** Read position of one person in one thread: the newest post they have read. */
export const threadReads = pgTable(
  'thread_reads',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    /** Id of the newest post read, or 0 when only the thread's opening was read. */
    lastReadPostId: integer('last_read_post_id').notNull().default(0),
    readAt: instant('read_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.threadId] })],
);
