import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { districts, schools } from './districts.ts';

export const users = pgTable(
  'users',
  {
    id: idColumn(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    bio: text('bio').notNull().default(''),
    schoolId: integer('school_id').references(() => schools.id, { onDelete: 'set null' }),
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('users_email_unique').on(sql`lower(${table.email})`),
    check('users_email_length', sql`char_length(${table.email}) between 3 and 254`),
    check('users_display_name_length', sql`char_length(${table.displayName}) between 1 and 80`),
    check('users_bio_length', sql`char_length(${table.bio}) <= 2000`),
  ],
);

/** A signed-in browser (cookie) or API client (bearer token); only the token's hash is stored. */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: idColumn(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    kind: text('kind', { enum: ['cookie', 'bearer'] }).notNull(),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
    revokedAt: instant('revoked_at'),
  },
  (table) => [
    index('auth_sessions_user_idx').on(table.userId),
    check('auth_sessions_kind', sql`${table.kind} in ('cookie', 'bearer')`),
  ],
);
