import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { REVIEW_DECISIONS } from './badges.ts';
import { createdAt, idColumn, instant } from './columns.ts';
import { users } from './users.ts';

export const NOTIFICATION_KINDS = [
  'reply',
  'badge_awarded',
  'seat_confirmed',
  'starting_soon',
  'evidence_submitted',
  'review_result',
  'badge_revoked',
] as const;

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
  },
  (table) => [
    index('notifications_user_idx').on(table.userId, table.id.desc()),
    index('notifications_unread_idx').on(table.userId).where(sql`${table.readAt} is null`),
    check(
      'notifications_kind',
      sql`${table.kind} in ('reply', 'badge_awarded', 'seat_confirmed', 'starting_soon', 'evidence_submitted', 'review_result', 'badge_revoked')`,
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
