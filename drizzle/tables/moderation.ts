import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { chatMessages } from './live-sessions.ts';
import { posts, threads } from './threads.ts';
import { users } from './users.ts';

export const REPORT_SUBJECTS = ['thread', 'post', 'chat_message', 'person'] as const;
export const REPORT_REASONS = [
  'spam',
  'harassment',
  'inappropriate',
  'off_topic',
  'privacy',
  'other',
  /** Written by the server, not a person: a new account's post with links, held for review. */
  'held_link',
] as const;
export const REPORT_STATUSES = ['open', 'resolved'] as const;
/** Decisions a facilitator can take on a report. */
export const REPORT_ACTIONS = [
  'dismissed',
  'approved',
  'removed',
  'warned',
  'muted',
  'banned',
] as const;

/**
 * A report of a thread, post, chat message or person to a community's facilitators, or a post
 * the server held for review. Only the subject's own id column is set, and none for a person.
 * `subjectUserId` is the reported person, or the author of the reported content.
 */
export const reports = pgTable(
  'reports',
  {
    id: idColumn(),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    subjectKind: text('subject_kind', { enum: REPORT_SUBJECTS }).notNull(),
    threadId: integer('thread_id').references(() => threads.id, { onDelete: 'cascade' }),
    postId: integer('post_id').references(() => posts.id, { onDelete: 'cascade' }),
    chatMessageId: integer('chat_message_id').references(() => chatMessages.id, {
      onDelete: 'cascade',
    }),
    subjectUserId: integer('subject_user_id').references(() => users.id, {
      onDelete: 'set null',
    }),
    /** Null for a report the server wrote itself. */
    reporterId: integer('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    reason: text('reason', { enum: REPORT_REASONS }).notNull(),
    details: text('details').notNull().default(''),
    status: text('status', { enum: REPORT_STATUSES }).notNull().default('open'),
    action: text('action', { enum: REPORT_ACTIONS }),
    /** The facilitator's note on the decision, shown to the person it concerns. */
    resolutionNote: text('resolution_note'),
    /** For a mute: when it ends. */
    mutedUntil: instant('muted_until'),
    resolvedById: integer('resolved_by_id').references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: instant('resolved_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('reports_community_status_idx').on(table.communityId, table.status, table.id),
    index('reports_reporter_idx').on(table.reporterId, table.id),
    index('reports_subject_user_idx').on(table.subjectUserId),
    check(
      'reports_subject_kind',
      sql`${table.subjectKind} in ('thread', 'post', 'chat_message', 'person')`,
    ),
    check(
      'reports_subject_ids',
      sql`(${table.subjectKind} = 'thread') = (${table.threadId} is not null and ${table.postId} is null and ${table.chatMessageId} is null) and (${table.subjectKind} = 'post') = (${table.postId} is not null) and (${table.subjectKind} = 'chat_message') = (${table.chatMessageId} is not null) and (${table.subjectKind} <> 'person' or (${table.subjectUserId} is not null and ${table.threadId} is null and ${table.postId} is null and ${table.chatMessageId} is null))`,
    ),
    check(
      'reports_reason',
      sql`${table.reason} in ('spam', 'harassment', 'inappropriate', 'off_topic', 'privacy', 'other', 'held_link')`,
    ),
    check('reports_details_length', sql`char_length(${table.details}) <= 1000`),
    check('reports_status', sql`${table.status} in ('open', 'resolved')`),
    check(
      'reports_action',
      sql`(${table.status} = 'open') = (${table.action} is null) and (${table.action} is null or ${table.action} in ('dismissed', 'approved', 'removed', 'warned', 'muted', 'banned'))`,
    ),
    check('reports_resolution_note_length', sql`char_length(${table.resolutionNote}) <= 1000`),
  ],
);

/** A block between two people: the posts, threads and chat messages of each are hidden from the other. */
export const userBlocks = pgTable(
  'user_blocks',
  {
    blockerId: integer('blocker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    blockedId: integer('blocked_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.blockerId, table.blockedId] }),
    index('user_blocks_blocked_idx').on(table.blockedId),
    check('user_blocks_not_self', sql`${table.blockerId} <> ${table.blockedId}`),
  ],
);
