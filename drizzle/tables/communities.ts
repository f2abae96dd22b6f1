import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
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
export const MEMBERSHIP_STATUSES = ['active', 'requested', 'banned'] as const;

export const communities = pgTable(
  'communities',
  {
    id: idColumn(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    focus: text('focus', { enum: FOCUS_AREAS }).notNull(),
    visibility: text('visibility', { enum: VISIBILITIES }).notNull(),
    /**
     * Whether a private community's name and description show to people who may not read it, so
     * that they can ask to join. An unlisted one is invisible to everyone but its members.
     */
    listed: boolean('listed').notNull().default(true),
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
    /** A facilitator's mute: until then the member reads but cannot post, start threads or chat. */
    mutedUntil: instant('muted_until'),
  },
  (table) => [
    unique('memberships_community_user_unique').on(table.communityId, table.userId),
    index('memberships_community_idx').on(table.communityId, table.status, table.id),
    index('memberships_user_idx').on(table.userId, table.status),
    check('memberships_role', sql`${table.role} in ('owner', 'facilitator', 'member')`),
    check('memberships_status', sql`${table.status} in ('active', 'requested', 'banned')`),
  ],
);

/** An invitation by email to join a community; the link carries a single-use token. */
export const communityInvitations = pgTable(
  'community_invitations',
  {
    id: idColumn(),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedById: integer('invited_by_id').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: instant('expires_at').notNull(),
    acceptedAt: instant('accepted_at'),
    revokedAt: instant('revoked_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('community_invitations_community_idx').on(table.communityId, table.id),
    check('community_invitations_email_length', sql`char_length(${table.email}) between 3 and 254`),
  ],
);

/**
 * Record of the actions of admins and facilitators on people and settings: role changes,
 * removals, bans, approvals, invitations, district and sign-on changes. Rows are never updated.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: idColumn(),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    communityId: integer('community_id').references(() => communities.id, {
      onDelete: 'cascade',
    }),
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'cascade' }),
    subjectUserId: integer('subject_user_id').references(() => users.id, {
      onDelete: 'set null',
    }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    index('audit_log_community_idx').on(table.communityId, table.id),
    index('audit_log_district_idx').on(table.districtId, table.id),
    check('audit_log_action_length', sql`char_length(${table.action}) between 1 and 64`),
  ],
);
