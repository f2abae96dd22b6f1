import { integer, timestamp } from 'drizzle-orm/pg-core';

/**
 * Timestamps travel as strings so that a connection cursor keeps PostgreSQL's microseconds;
 * a `Date` would round them to milliseconds and make paging skip rows.
 */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const createdAt = () => instant('created_at').notNull().defaultNow();

export const idColumn = () => integer('id').primaryKey().generatedAlwaysAsIdentity();

/**
 * The text search configuration of the `search` columns. Those columns (stored, generated
 * `tsvector`s on threads, posts, live sessions, badges and communities, each with a GIN index)
 * are created by a hand-written migration and are left out of the table definitions here, so
 * that ordinary selects never carry them.
 */
export const SEARCH_CONFIG = 'english';
