import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { users } from './users.ts';

/** The seven ISTE Standards for Educators, stored by role name. */
export const ISTE_STANDARDS = [
  'learner',
  'leader',
  'citizen',
  'collaborator',
  'designer',
  'facilitator',
  'analyst',
] as const;
export const AWARD_STATUSES = ['active', 'revoked', 'expired'] as const;
/** A participation badge recognizes taking part; a microcredential certifies a skill. */
export const BADGE_KINDS = ['participation', 'microcredential'] as const;
/** Maximum validity a badge definition may give its awards, in days: ten years. */
export const MAX_VALID_FOR_DAYS = 3650;

export const badges = pgTable(
  'badges',
  {
    id: idColumn(),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull(),
    criteria: text('criteria').notNull(),
    isteStandards: text('iste_standards', { enum: ISTE_STANDARDS }).array().notNull(),
    kind: text('kind', { enum: BADGE_KINDS }).notNull().default('participation'),
    /** Days an award stays valid; null when awards expire only at a date the awarder sets. */
    validForDays: integer('valid_for_days'),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('badges_community_idx').on(table.communityId, table.id),
    uniqueIndex('badges_community_name_unique').on(table.communityId, sql`lower(${table.name})`),
    check('badges_name_length', sql`char_length(${table.name}) between 1 and 120`),
    check('badges_description_length', sql`char_length(${table.description}) between 1 and 2000`),
    check('badges_criteria_length', sql`char_length(${table.criteria}) between 1 and 5000`),
    check('badges_kind', sql`${table.kind} in ('participation', 'microcredential')`),
    check(
      'badges_valid_for_days',
      sql`${table.validForDays} is null or ${table.validForDays} between 1 and ${sql.raw(String(MAX_VALID_FOR_DAYS))}`,
    ),
    check(
      'badges_iste_standards',
      sql`cardinality(${table.isteStandards}) >= 1 and ${table.isteStandards} <@ array['learner', 'leader', 'citizen', 'collaborator', 'designer', 'facilitator', 'analyst']::text[]`,
    ),
  ],
);

/**
 * A badge given to a person. At most one award per person and badge is active at a time; a
 * revoked or expired award does not block a new one.
 */
export const badgeAwards = pgTable(
  'badge_awards',
  {
    id: idColumn(),
    badgeId: integer('badge_id')
      .notNull()
      .references(() => badges.id, { onDelete: 'cascade' }),
    recipientId: integer('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    awardedById: integer('awarded_by_id').references(() => users.id, { onDelete: 'set null' }),
    status: text('status', { enum: AWARD_STATUSES }).notNull().default('active'),
    note: text('note').notNull().default(''),
    awardedAt: instant('awarded_at').notNull().defaultNow(),
    expiresAt: instant('expires_at'),
    revokedAt: instant('revoked_at'),
    revokedById: integer('revoked_by_id').references(() => users.id, { onDelete: 'set null' }),
    /** Reason for the revocation, shown to the recipient; empty unless revoked. */
    revokeReason: text('revoke_reason').notNull().default(''),
  },
  (table) => [
    uniqueIndex('badge_awards_one_active')
      .on(table.badgeId, table.recipientId)
      .where(sql`${table.status} = 'active'`),
    index('badge_awards_badge_idx').on(table.badgeId, table.id),
    index('badge_awards_recipient_idx').on(table.recipientId, table.id),
    check('badge_awards_status', sql`${table.status} in ('active', 'revoked', 'expired')`),
    check('badge_awards_note_length', sql`char_length(${table.note}) <= 2000`),
    check('badge_awards_revoke_reason_length', sql`char_length(${table.revokeReason}) <= 500`),
    check(
      'badge_awards_expiry',
      sql`${table.expiresAt} is null or ${table.expiresAt} > ${table.awardedAt}`,
    ),
  ],
);
