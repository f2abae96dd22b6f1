import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { districts, schools } from './districts.ts';
import { embedKeys } from './embed.ts';

export const users = pgTable(
  'users',
  {
    id: idColumn(),
    email: text('email').notNull(),
    /** Null for an account that signs in only through its district's single sign-on. */
    passwordHash: text('password_hash'),
    /** When the person proved they read mail at `email`; district staff status needs it. */
    emailVerifiedAt: instant('email_verified_at'),
    displayName: text('display_name').notNull(),
    bio: text('bio').notNull().default(''),
    schoolId: integer('school_id').references(() => schools.id, { onDelete: 'set null' }),
    /** The district this person is staff of: set from a verified domain or the district's SSO. */
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'set null' }),
    isPlatformAdmin: boolean('is_platform_admin').notNull().default(false),
    badgesPublic: boolean('badges_public').notNull().default(true),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('users_email_unique').on(sql`lower(${table.email})`),
    check('users_email_length', sql`char_length(${table.email}) between 3 and 254`),
    check('users_display_name_length', sql`char_length(${table.displayName}) between 1 and 80`),
    check('users_bio_length', sql`char_length(${table.bio}) <= 2000`),
  ],
);

export const AUTH_SESSION_KINDS = ['cookie', 'bearer', 'api_token', 'widget'] as const;
export const API_SCOPES = ['read', 'write'] as const;

/**
 * A signed-in browser (cookie), a signed-in API client (bearer), a personal API token or an
 * embedded widget's sign-in (widget, bound to one embed key and one origin). Only the token's
 * hash is stored.
 */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: idColumn(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    kind: text('kind', { enum: AUTH_SESSION_KINDS }).notNull(),
    /** The owner's label for a personal API token. */
    name: text('name'),
    scopes: text('scopes', { enum: API_SCOPES }).array().notNull().default(sql`'{read,write}'`),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastUsedAt: instant('last_used_at'),
    expiresAt: instant('expires_at').notNull(),
    revokedAt: instant('revoked_at'),
    /** For a widget sign-in: the embed key and the page origin it works with, and only them. */
    embedKeyId: integer('embed_key_id').references(() => embedKeys.id, { onDelete: 'cascade' }),
    origin: text('origin'),
  },
  (table) => [
    index('auth_sessions_user_idx').on(table.userId),
    check('auth_sessions_kind', sql`${table.kind} in ('cookie', 'bearer', 'api_token', 'widget')`),
    check(
      'auth_sessions_widget_binding',
      sql`(${table.kind} = 'widget') = (${table.embedKeyId} is not null and ${table.origin} is not null)`,
    ),
    check('auth_sessions_scopes', sql`${table.scopes} <@ array['read', 'write']::text[]`),
    check('auth_sessions_name_length', sql`char_length(${table.name}) between 1 and 80`),
  ],
);

export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;

/** Single-use, expiring tokens sent by mail: email verification and password reset. */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: idColumn(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** The address the token was sent to; verification applies only while it is still the account's. */
    email: text('email').notNull(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('account_tokens_user_idx').on(table.userId, table.purpose),
    check('account_tokens_purpose', sql`${table.purpose} in ('verify_email', 'reset_password')`),
  ],
);

export const MAIL_STATUSES = ['pending', 'sent', 'failed'] as const;

/** Mail waiting to be sent or already sent; written in the transaction that caused it. */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: idColumn(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    status: text('status', { enum: MAIL_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: instant('next_attempt_at').notNull().defaultNow(),
    createdAt: createdAt(),
    sentAt: instant('sent_at'),
  },
  (table) => [
    index('mail_outbox_pending_idx').on(table.status, table.nextAttemptAt),
    // Counting the mails to one address in the last hour caps notification mail.
    index('mail_outbox_recipient_idx').on(table.recipient, table.createdAt),
    check('mail_outbox_status', sql`${table.status} in ('pending', 'sent', 'failed')`),
  ],
);

/** Fixed-window counters for rate limits, shared by every server process through the database. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  windowEndsAt: instant('window_ends_at').notNull(),
});
