import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { badges } from './badges.ts';
import { createdAt, idColumn } from './columns.ts';
import { districts } from './districts.ts';
import { users } from './users.ts';

/**
 * A set of standards that badges align to: the ISTE Standards for Educators for everyone (no
 * district), or a district's own framework, which its admins add.
 */
export const frameworks = pgTable(
  'frameworks',
  {
    id: idColumn(),
    /** The owning district; null for frameworks every community may use. */
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Address of the published framework, for the targetFramework of an Open Badges alignment. */
    url: text('url'),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('frameworks_district_name_unique').on(
      sql`coalesce(${table.districtId}, 0)`,
      sql`lower(${table.name})`,
    ),
    check('frameworks_name_length', sql`char_length(${table.name}) between 1 and 200`),
    check('frameworks_url', sql`${table.url} is null or ${table.url} ~ '^https?://'`),
  ],
);

/** One standard of a framework, such as "2.1 Learner", with a one-line summary. */
export const frameworkStandards = pgTable(
  'framework_standards',
  {
    id: idColumn(),
    frameworkId: integer('framework_id')
      .notNull()
      .references(() => frameworks.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    summary: text('summary').notNull(),
    /** Order within the framework. */
    position: integer('position').notNull(),
  },
  (table) => [
    unique('framework_standards_code_unique').on(table.frameworkId, table.code),
    index('framework_standards_order_idx').on(table.frameworkId, table.position),
    check('framework_standards_code_length', sql`char_length(${table.code}) between 1 and 20`),
    check('framework_standards_name_length', sql`char_length(${table.name}) between 1 and 120`),
    check(
      'framework_standards_summary_length',
      sql`char_length(${table.summary}) between 1 and 300`,
    ),
  ],
);

/** The standards a badge is aligned to. */
export const badgeAlignments = pgTable(
  'badge_alignments',
  {
    badgeId: integer('badge_id')
      .notNull()
      .references(() => badges.id, { onDelete: 'cascade' }),
    standardId: integer('standard_id')
      .notNull()
      .references(() => frameworkStandards.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.badgeId, table.standardId] }),
    index('badge_alignments_standard_idx').on(table.standardId),
  ],
);
