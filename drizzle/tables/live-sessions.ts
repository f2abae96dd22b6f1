import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { users } from './users.ts';

export const LIVE_SESSION_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export const RSVP_STATUSES = ['going', 'maybe', 'not_going'] as const;
/** Seat states of a `going` RSVP when the session has a capacity. */
export const RSVP_SEATS = ['confirmed', 'waitlisted'] as const;
export const MAX_CAPACITY = 10_000;

export const liveSessions = pgTable(
  'live_sessions',
  {
    id: idColumn(),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    hostId: integer('host_id').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    startsAt: instant('starts_at').notNull(),
    endsAt: instant('ends_at').notNull(),
    timeZone: text('time_zone').notNull(),
    status: text('status', { enum: LIVE_SESSION_STATUSES }).notNull().default('scheduled'),
    joinUrl: text('join_url'),
    /** Seats for confirmed attendees; null means no limit. */
    capacity: integer('capacity'),
    /** Counts changes to the schedule and status, as the SEQUENCE of its calendar entry. */
    revision: integer('revision').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    index('live_sessions_community_starts_idx').on(table.communityId, table.startsAt, table.id),
    check('live_sessions_title_length', sql`char_length(${table.title}) between 1 and 200`),
    check('live_sessions_description_length', sql`char_length(${table.description}) <= 5000`),
    check('live_sessions_ends_after_starts', sql`${table.endsAt} > ${table.startsAt}`),
    check(
      'live_sessions_status',
      sql`${table.status} in ('scheduled', 'live', 'ended', 'cancelled')`,
    ),
    check(
      'live_sessions_capacity',
      sql`${table.capacity} is null or ${table.capacity} between 1 and ${sql.raw(String(MAX_CAPACITY))}`,
    ),
    check(
      'live_sessions_join_url',
      sql`${table.joinUrl} is null or ${table.joinUrl} ~ '^https?://'`,
    ),
  ],
);

export const rsvps = pgTable(
  'rsvps',
  {
    id: idColumn(),
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: RSVP_STATUSES }).notNull(),
    /** For `going`: confirmed, or waiting for a seat; null for the other statuses. */
    seat: text('seat', { enum: RSVP_SEATS }),
    /** When the person joined the waitlist, which orders it; null unless waitlisted. */
    waitlistedAt: instant('waitlisted_at'),
    createdAt: createdAt(),
  },
  (table) => [
    unique('rsvps_live_session_user_unique').on(table.liveSessionId, table.userId),
    index('rsvps_waitlist_idx').on(table.liveSessionId, table.waitlistedAt, table.id),
    check('rsvps_status', sql`${table.status} in ('going', 'maybe', 'not_going')`),
    check(
      'rsvps_seat',
      sql`(${table.status} = 'going') = (${table.seat} is not null) and (${table.seat} is null or ${table.seat} in ('confirmed', 'waitlisted')) and ((${table.seat} = 'waitlisted') = (${table.waitlistedAt} is not null))`,
    ),
  ],
);

export const chatMessages = pgTable(
  'chat_messages',
  {
    id: idColumn(),
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('chat_messages_live_session_idx').on(table.liveSessionId, table.id),
    check('chat_messages_body_length', sql`char_length(${table.body}) between 1 and 2000`),
  ],
);

/**
 * A person's private calendar feed: its address carries a random token, stored here only as a
 * hash. Making a new one replaces the old, whose address stops working.
 */
export const calendarFeeds = pgTable('calendar_feeds', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: createdAt(),
});

/**
 * The "starting soon" reminders sent, one row per session and person. Its key makes each
 * reminder go out once, whichever server process gets there first, and across restarts.
 */
export const liveSessionReminders = pgTable(
  'live_session_reminders',
  {
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sentAt: instant('sent_at').notNull().default(sql`now()`),
  },
  (table) => [primaryKey({ columns: [table.liveSessionId, table.userId] })],
);
