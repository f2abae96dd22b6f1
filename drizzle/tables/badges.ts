import { sql } from 'drizzle-orm';
import {
  bytea,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { districts } from './districts.ts';
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
export const AWARD_SOURCES = ['manual', 'rule', 'review'] as const;
/** A participation badge recognizes taking part; a microcredential certifies a skill. */
export const BADGE_KINDS = ['participation', 'microcredential'] as const;
/** Maximum validity a badge definition may give its awards, in days: ten years. */
export const MAX_VALID_FOR_DAYS = 3650;

/** Purposes of an upload: a badge's image, or a file of evidence for a microcredential. */
export const UPLOAD_PURPOSES = ['badge_image', 'evidence'] as const;

/**
 * A file stored in PostgreSQL: badge images and evidence files. Checked for size and type when
 * stored; served with its content type and headers that keep it from running as a page.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: idColumn(),
    ownerId: integer('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: UPLOAD_PURPOSES }).notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    byteSize: integer('byte_size').notNull(),
    /** Hex SHA-256 of the content, for the ETag and for spotting repeats. */
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('uploads_owner_idx').on(table.ownerId, table.id),
    check('uploads_purpose', sql`${table.purpose} in ('badge_image', 'evidence')`),
    check('uploads_file_name_length', sql`char_length(${table.fileName}) between 1 and 255`),
    check('uploads_byte_size', sql`${table.byteSize} between 1 and 26214400`),
  ],
);

/** A badge image generated from a template: a background colour and a symbol. */
export interface BadgeImageTemplate {
  /** `#rrggbb`. */
  color: string;
  /** A symbol name from the template's set. */
  symbol: string;
}

/**
 * A badge. Its issuer is either a community (defined by its owners and facilitators) or a
 * district (defined by its admins): exactly one of communityId and districtId is set.
 */
export const badges = pgTable(
  'badges',
  {
    id: idColumn(),
    communityId: integer('community_id').references(() => communities.id, {
      onDelete: 'cascade',
    }),
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull(),
    criteria: text('criteria').notNull(),
    isteStandards: text('iste_standards', { enum: ISTE_STANDARDS }).array().notNull(),
    kind: text('kind', { enum: BADGE_KINDS }).notNull().default('participation'),
    /** Days an award stays valid; null when awards expire only at a date the awarder sets. */
    validForDays: integer('valid_for_days'),
    /** An uploaded PNG or SVG; when null, the image is drawn from imageTemplate. */
    imageUploadId: integer('image_upload_id').references(() => uploads.id, {
      onDelete: 'set null',
    }),
    imageTemplate: jsonb('image_template').$type<BadgeImageTemplate>(),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('badges_community_idx').on(table.communityId, table.id),
    index('badges_district_idx').on(table.districtId, table.id),
    uniqueIndex('badges_community_name_unique').on(table.communityId, sql`lower(${table.name})`),
    uniqueIndex('badges_district_name_unique').on(table.districtId, sql`lower(${table.name})`),
    check(
      'badges_one_issuer',
      sql`(${table.communityId} is null) <> (${table.districtId} is null)`,
    ),
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
    /** The way it was earned: given by hand, by a rule, or by approving evidence. */
    source: text('source', { enum: AWARD_SOURCES }).notNull().default('manual'),
    /** The rule that awarded it, when source is rule. */
    ruleId: integer('rule_id').references(() => badgeRules.id, { onDelete: 'set null' }),
    /** The approved evidence behind it, when source is review. */
    submissionId: integer('submission_id').references(() => evidenceSubmissions.id, {
      onDelete: 'set null',
    }),
  },
  (table) => [
    uniqueIndex('badge_awards_one_active')
      .on(table.badgeId, table.recipientId)
      .where(sql`${table.status} = 'active'`),
    index('badge_awards_badge_idx').on(table.badgeId, table.id),
    index('badge_awards_recipient_idx').on(table.recipientId, table.id),
    check('badge_awards_status', sql`${table.status} in ('active', 'revoked', 'expired')`),
    check('badge_awards_source', sql`${table.source} in ('manual', 'rule', 'review')`),
    check('badge_awards_note_length', sql`char_length(${table.note}) <= 2000`),
    check('badge_awards_revoke_reason_length', sql`char_length(${table.revokeReason}) <= 500`),
    check(
      'badge_awards_expiry',
      sql`${table.expiresAt} is null or ${table.expiresAt} > ${table.awardedAt}`,
    ),
  ],
);

/**
 * Kinds of rule, by what they count: live sessions attended (with at least minMinutes of attendance each),
 * replies posted, threads started, reactions received on one's posts, or badges of a pathway
 * earned.
 */
export const RULE_KINDS = [
  'sessions_attended',
  'replies_posted',
  'threads_started',
  'reactions_received',
  'pathway',
] as const;

/**
 * A rule that awards its badge automatically once a person's activity reaches the threshold,
 * counted in the badge's community (or, for a district badge, in the district's communities).
 */
export const badgeRules = pgTable(
  'badge_rules',
  {
    id: idColumn(),
    badgeId: integer('badge_id')
      .notNull()
      .references(() => badges.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: RULE_KINDS }).notNull(),
    /** How many sessions, replies, threads or reactions; for a pathway, how many of its badges. */
    threshold: integer('threshold').notNull(),
    /** For sessions_attended: attended minutes a session needs to count. */
    minMinutes: integer('min_minutes').notNull().default(0),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('badge_rules_badge_idx').on(table.badgeId),
    index('badge_rules_kind_idx').on(table.kind),
    check(
      'badge_rules_kind',
      sql`${table.kind} in ('sessions_attended', 'replies_posted', 'threads_started', 'reactions_received', 'pathway')`,
    ),
    check('badge_rules_threshold', sql`${table.threshold} between 1 and 10000`),
    check('badge_rules_min_minutes', sql`${table.minMinutes} between 0 and 720`),
  ],
);

/** The badges a pathway rule requires. */
export const badgeRuleBadges = pgTable(
  'badge_rule_badges',
  {
    ruleId: integer('rule_id')
      .notNull()
      .references(() => badgeRules.id, { onDelete: 'cascade' }),
    badgeId: integer('badge_id')
      .notNull()
      .references(() => badges.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.ruleId, table.badgeId] }),
    index('badge_rule_badges_badge_idx').on(table.badgeId),
  ],
);

/**
 * pending: waiting for a reviewer; changes_requested: back with the educator; approved, declined
 * and withdrawn are final.
 */
export const SUBMISSION_STATUSES = [
  'pending',
  'changes_requested',
  'approved',
  'declined',
  'withdrawn',
] as const;

/**
 * An educator's evidence for a microcredential. Each version the educator sends is a revision;
 * each decision is a review; both are kept, so the full history stays readable.
 */
export const evidenceSubmissions = pgTable(
  'evidence_submissions',
  {
    id: idColumn(),
    badgeId: integer('badge_id')
      .notNull()
      .references(() => badges.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: SUBMISSION_STATUSES }).notNull().default('pending'),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (table) => [
    // One open submission per person and badge.
    uniqueIndex('evidence_submissions_one_open')
      .on(table.badgeId, table.userId)
      .where(sql`${table.status} in ('pending', 'changes_requested')`),
    index('evidence_submissions_queue_idx').on(table.badgeId, table.status, table.id),
    index('evidence_submissions_user_idx').on(table.userId, table.id),
    check(
      'evidence_submissions_status',
      sql`${table.status} in ('pending', 'changes_requested', 'approved', 'declined', 'withdrawn')`,
    ),
  ],
);

/** One version of a submission's evidence: a reflection and links; files in evidence_files. */
export const evidenceRevisions = pgTable(
  'evidence_revisions',
  {
    id: idColumn(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => evidenceSubmissions.id, { onDelete: 'cascade' }),
    /** 1 for the first version, then 2, 3 and so on. */
    number: integer('number').notNull(),
    reflection: text('reflection').notNull(),
    links: text('links').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('evidence_revisions_number_unique').on(table.submissionId, table.number),
    check(
      'evidence_revisions_reflection_length',
      sql`char_length(${table.reflection}) between 1 and 10000`,
    ),
    check('evidence_revisions_links', sql`cardinality(${table.links}) <= 10`),
  ],
);

/** The files attached to a revision. */
export const evidenceFiles = pgTable(
  'evidence_files',
  {
    revisionId: integer('revision_id')
      .notNull()
      .references(() => evidenceRevisions.id, { onDelete: 'cascade' }),
    uploadId: integer('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.revisionId, table.uploadId] }),
    index('evidence_files_upload_idx').on(table.uploadId),
  ],
);

export const REVIEW_DECISIONS = ['approved', 'changes_requested', 'declined'] as const;

/** A reviewer's decision on one revision, with feedback for the educator. */
export const evidenceReviews = pgTable(
  'evidence_reviews',
  {
    id: idColumn(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => evidenceSubmissions.id, { onDelete: 'cascade' }),
    revisionId: integer('revision_id')
      .notNull()
      .references(() => evidenceRevisions.id, { onDelete: 'cascade' }),
    reviewerId: integer('reviewer_id').references(() => users.id, { onDelete: 'set null' }),
    decision: text('decision', { enum: REVIEW_DECISIONS }).notNull(),
    feedback: text('feedback').notNull().default(''),
    createdAt: createdAt(),
  },
  (table) => [
    index('evidence_reviews_submission_idx').on(table.submissionId, table.id),
    check(
      'evidence_reviews_decision',
      sql`${table.decision} in ('approved', 'changes_requested', 'declined')`,
    ),
    check('evidence_reviews_feedback_length', sql`char_length(${table.feedback}) <= 5000`),
  ],
);
