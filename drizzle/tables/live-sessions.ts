import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  unique,
} from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { liveSeries } from './live-series.ts';
import { users } from './users.ts';

export const LIVE_SESSION_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export const RSVP_STATUSES = ['going', 'maybe', 'not_going'] as const;
/** Seat states of a `going` RSVP when the session has a capacity. */
export const RSVP_SEATS = ['confirmed', 'waitlisted'] as const;
export const MAX_CAPACITY = 10_000;
export const QUESTION_STATUSES = ['open', 'answered', 'dismissed'] as const;
/** Maximum slow mode interval a host can set, in seconds. */
export const MAX_SLOW_MODE_SECONDS = 600;

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
    /** Seconds a participant waits between two chat messages; 0 turns slow mode off. */
    slowModeSeconds: integer('slow_mode_seconds').notNull().default(0),
    /** The sequence number of the latest chat message; the next one takes this plus one. */
    chatSequence: integer('chat_sequence').notNull().default(0),
    /** When the host opened and closed the room, as opposed to the planned times. */
    startedAt: instant('started_at'),
    endedAt: instant('ended_at'),
    /** Once set, the attendance report is final: no more adjustments. */
    attendanceClosedAt: instant('attendance_closed_at'),
    attendanceClosedById: integer('attendance_closed_by_id').references(() => users.id, {
      onDelete: 'set null',
    }),
    createdAt: createdAt(),
    /** The series this session is an occurrence of; null for a one-off session. */
    seriesId: integer('series_id').references(() => liveSeries.id, { onDelete: 'set null' }),
    /** Position in the series, from 0 for the first occurrence. */
    occurrenceIndex: integer('occurrence_index'),
    /** Set once this occurrence was changed on its own, so that series edits leave it alone. */
    detachedFromSeries: boolean('detached_from_series').notNull().default(false),
  },
  (table) => [
    unique('live_sessions_series_occurrence_unique').on(table.seriesId, table.occurrenceIndex),
    index('live_sessions_status_ends_idx').on(table.status, table.endsAt),
    check(
      'live_sessions_slow_mode',
      sql`${table.slowModeSeconds} between 0 and ${sql.raw(String(MAX_SLOW_MODE_SECONDS))}`,
    ),
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
    /** Order within the session: 1, 2, 3 and so on, without gaps. */
    sequence: integer('sequence').notNull(),
    /** Empty once deleted; the row stays so that the sequence has no holes. */
    body: text('body').notNull(),
    editedAt: instant('edited_at'),
    deletedAt: instant('deleted_at'),
    deletedById: integer('deleted_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('chat_messages_live_session_idx').on(table.liveSessionId, table.id),
    index('chat_messages_author_idx').on(table.liveSessionId, table.authorId, table.createdAt),
    unique('chat_messages_sequence_unique').on(table.liveSessionId, table.sequence),
    check(
      'chat_messages_body_length',
      sql`(${table.deletedAt} is null and char_length(${table.body}) between 1 and 2000) or (${table.deletedAt} is not null and ${table.body} = '')`,
    ),
  ],
);

/** People a host or moderator muted in one live session's chat and Q&A. */
export const liveSessionMutes = pgTable(
  'live_session_mutes',
  {
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    mutedById: integer('muted_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.liveSessionId, table.userId] })],
);

export const liveQuestions = pgTable(
  'live_questions',
  {
    id: idColumn(),
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    status: text('status', { enum: QUESTION_STATUSES }).notNull().default('open'),
    voteCount: integer('vote_count').notNull().default(0),
    resolvedAt: instant('resolved_at'),
    resolvedById: integer('resolved_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('live_questions_session_idx').on(table.liveSessionId, table.id),
    check('live_questions_body_length', sql`char_length(${table.body}) between 1 and 500`),
    check('live_questions_status', sql`${table.status} in ('open', 'answered', 'dismissed')`),
    check('live_questions_vote_count', sql`${table.voteCount} >= 0`),
  ],
);

/** One upvote per person and question; its key refuses a second. */
export const liveQuestionVotes = pgTable(
  'live_question_votes',
  {
    questionId: integer('question_id')
      .notNull()
      .references(() => liveQuestions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.questionId, table.userId] })],
);

/** The raise-hand queue of a live session, oldest first. */
export const liveHands = pgTable(
  'live_hands',
  {
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    raisedAt: instant('raised_at').notNull().default(sql`clock_timestamp()`),
  },
  (table) => [
    primaryKey({ columns: [table.liveSessionId, table.userId] }),
    index('live_hands_queue_idx').on(table.liveSessionId, table.raisedAt),
  ],
);

/**
 * Presence in a live session's room: one row per person, kept fresh by heartbeats. A row whose
 * heartbeat is older than the timeout counts as gone, and the presence sweep removes it.
 */
export const livePresence = pgTable(
  'live_presence',
  {
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    joinedAt: instant('joined_at').notNull().default(sql`now()`),
    lastSeenAt: instant('last_seen_at').notNull().default(sql`now()`),
    /** Whether the room was open and visible on screen at the last heartbeat. */
    visible: boolean('visible').notNull().default(true),
  },
  (table) => [
    primaryKey({ columns: [table.liveSessionId, table.userId] }),
    index('live_presence_last_seen_idx').on(table.lastSeenAt),
  ],
);

/** Attendance that lasts: one row per person who was in a live session's room. */
export const liveAttendance = pgTable(
  'live_attendance',
  {
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    firstJoinedAt: instant('first_joined_at').notNull(),
    lastLeftAt: instant('last_left_at'),
    /** Seconds with the room open and visible, summed from heartbeats while the session was live. */
    secondsPresent: integer('seconds_present').notNull().default(0),
    /** Minutes the host set by hand; when present it replaces the measured time. */
    adjustedMinutes: integer('adjusted_minutes'),
  },
  (table) => [
    primaryKey({ columns: [table.liveSessionId, table.userId] }),
    index('live_attendance_user_idx').on(table.userId),
    check('live_attendance_seconds', sql`${table.secondsPresent} >= 0`),
    check(
      'live_attendance_adjusted',
      sql`${table.adjustedMinutes} is null or ${table.adjustedMinutes} between 0 and 720`,
    ),
  ],
);

/** Every change a host made to attendance, with who made it and why. */
export const liveAttendanceAdjustments = pgTable(
  'live_attendance_adjustments',
  {
    id: idColumn(),
    liveSessionId: integer('live_session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    adjustedById: integer('adjusted_by_id').references(() => users.id, { onDelete: 'set null' }),
    minutesBefore: integer('minutes_before').notNull(),
    minutesAfter: integer('minutes_after').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('live_attendance_adjustments_session_idx').on(table.liveSessionId, table.id),
    check(
      'live_attendance_adjustments_reason',
      sql`char_length(${table.reason}) between 1 and 500`,
    ),
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
