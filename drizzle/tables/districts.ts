import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from './columns.ts';

export const districts = pgTable(
  'districts',
  {
    id: idColumn(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    check('districts_slug_format', sql`${table.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
    check('districts_name_length', sql`char_length(${table.name}) between 1 and 200`),
  ],
);

export const schools = pgTable(
  'schools',
  {
    id: idColumn(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('schools_district_idx').on(table.districtId, table.id),
    check('schools_name_length', sql`char_length(${table.name}) between 1 and 200`),
  ],
);
