import { integer, timestamp } from 'drizzle-orm/pg-core';

/**
 * Timestamps travel as strings so that a connection cursor keeps PostgreSQL's microseconds;
 * a `Date` would round them to milliseconds and make paging skip rows.
 */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const createdAt = () => instant('created_at').notNull().defaultNow();

export const idColumn = () => integer('id').primaryKey().generatedAlwaysAsIdentity();
