import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text, time } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { users } from './users.ts';

export const LIVE_SERIES_FREQUENCIES = ['weekly', 'monthly'] as const;
/**
 * The rules a monthly series picks its day by: the same day of the month as the first occurrence,
 * the same nth weekday (such as the second Tuesday), or the last such weekday of the month.
 */
export const LIVE_SERIES_MONTHLY_KINDS = ['day_of_month', 'nth_weekday', 'last_weekday'] as const;
export const MAX_WEEKLY_INTERVAL = 4;
export const MAX_MONTHLY_INTERVAL = 12;
export const MAX_SERIES_OCCURRENCES = 52;

/**
 * A recurring live session, such as weekly office hours. Its occurrences are ordinary rows of
 * `live_sessions` that point back here. This row keeps the rule and the fields they were made
 * from. Every occurrence starts at `start_time` on its day in `time_zone`, so the UTC instant moves
 * by an hour across a daylight-saving change.
 */
export const liveSeries = pgTable(
  'live_series',
  {
    id: idColumn(),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    hostId: integer('host_id').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    joinUrl: text('join_url'),
    /** Seats per occurrence for confirmed attendees, or null for no limit. */
    capacity: integer('capacity'),
    timeZone: text('time_zone').notNull(),
    frequency: text('frequency', { enum: LIVE_SERIES_FREQUENCIES }).notNull(),
    /** Weeks or months between two occurrences. */
    interval: integer('interval').notNull(),
    /** Null for weekly series. */
    monthlyKind: text('monthly_kind', { enum: LIVE_SERIES_MONTHLY_KINDS }),
    /** The local date of the first occurrence in `time_zone`. */
    startDate: date('start_date', { mode: 'string' }).notNull(),
    /** The local wall-clock time every occurrence starts at, in `time_zone`. */
    startTime: time('start_time').notNull(),
    /** The length of each occurrence, as elapsed time from its start. */
    durationSeconds: integer('duration_seconds').notNull(),
    /** The last local date an occurrence may fall on, inclusive, or null when `count` is set. */
    until: date('until', { mode: 'string' }),
    /** The number of occurrences, or null when `until` is set. */
    count: integer('count'),
    cancelledAt: instant('cancelled_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('live_series_community_idx').on(table.communityId, table.id),
    check('live_series_title_length', sql`char_length(${table.title}) between 1 and 200`),
    check('live_series_description_length', sql`char_length(${table.description}) <= 5000`),
    check('live_series_frequency', sql`${table.frequency} in ('weekly', 'monthly')`),
    check(
      'live_series_interval',
      sql`(${table.frequency} = 'weekly' and ${table.interval} between 1 and ${sql.raw(String(MAX_WEEKLY_INTERVAL))} and ${table.monthlyKind} is null)
        or (${table.frequency} = 'monthly' and ${table.interval} between 1 and ${sql.raw(String(MAX_MONTHLY_INTERVAL))} and ${table.monthlyKind} in ('day_of_month', 'nth_weekday', 'last_weekday'))`,
    ),
    check(
      'live_series_end',
      sql`(${table.until} is null) <> (${table.count} is null) and (${table.count} is null or ${table.count} between 1 and ${sql.raw(String(MAX_SERIES_OCCURRENCES))})`,
    ),
    check('live_series_duration', sql`${table.durationSeconds} between 1 and 43200`),
  ],
);
