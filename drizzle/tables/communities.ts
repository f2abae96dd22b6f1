import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from './columns.ts';
import { districts } from './districts.ts';
import { users } from './users.ts';

export const FOCUS_AREAS = [
  'stem',
  'literacy',
  'crisis_preparedness',
  'leadership',
  'other',
] as const;
export const VISIBILITIES = ['public', 'district', 'private'] as const;
export const MEMBERSHIP_ROLES = ['owner', 'facilitator', 'member'] as const;
export const MEMBERSHIP_STATUSES = ['active', 'invited', 'requested', 'removed'] as const;

export const communities = pgTable(
  'communities',
  {
    id: idColumn(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    focus: text('focus', { enum: FOCUS_AREAS }).notNull(),
    visibility: text('visibility', { enum: VISIBILITIES }).notNull(),
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'restrict' }),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('communities_focus_idx').on(table.focus, table.id),
    index('communities_district_idx').on(table.districtId),
    check(
      'communities_slug_format',
      sql`${table.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(${table.slug}) <= 64`,
    ),
    check('communities_name_length', sql`char_length(${table.name}) between 1 and 120`),
    check('communities_description_length', sql`char_length(${table.description}) <= 5000`),
    check(
      'communities_focus',
      sql`${table.focus} in ('stem', 'literacy', 'crisis_preparedness', 'leadership', 'other')`,
    ),
    check('communities_visibility', sql`${table.visibility} in ('public', 'district', 'private')`),
    check(
      'communities_district_required',
      sql`${table.visibility} <> 'district' or ${table.districtId} is not null`,
    ),
  ],
);

export const memberships = pgTable(
  'memberships',
  {
    id: idColumn(),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: MEMBERSHIP_ROLES }).notNull().default('member'),
    status: text('status', { enum: MEMBERSHIP_STATUSES }).notNull().default('active'),
    createdAt: createdAt(),
  },
  (table) => [
    unique('memberships_community_user_unique').on(table.communityId, table.userId),
    index('memberships_community_idx').on(table.communityId, table.status, table.id),
    index('memberships_user_idx').on(table.userId, table.status),
    check('memberships_role', sql`${table.role} in ('owner', 'facilitator', 'member')`),
    check(
      'memberships_status',
      sql`${table.status} in ('active', 'invited', 'requested', 'removed')`,
    ),
  ],
);
