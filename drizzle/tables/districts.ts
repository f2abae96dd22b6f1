import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { users } from './users.ts';

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

/**
 * An email domain a district claims. People with a verified address at a verified domain are the
 * district's staff. District admins add domains; a platform admin verifies them.
 */
export const districtDomains = pgTable(
  'district_domains',
  {
    id: idColumn(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    domain: text('domain').notNull(),
    verifiedAt: instant('verified_at'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('district_domains_domain_unique').on(sql`lower(${table.domain})`),
    index('district_domains_district_idx').on(table.districtId),
    check(
      'district_domains_domain_format',
      sql`${table.domain} ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$' and char_length(${table.domain}) <= 253`,
    ),
  ],
);

/** People who manage a district's schools, domains, single sign-on and staff. */
export const districtAdmins = pgTable(
  'district_admins',
  {
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.districtId, table.userId] }),
    index('district_admins_user_idx').on(table.userId),
  ],
);

/** A district's OpenID Connect provider (Google Workspace, Entra ID, Clever, ClassLink…). */
export const oidcProviders = pgTable(
  'oidc_providers',
  {
    id: idColumn(),
    districtId: integer('district_id')
      .notNull()
      .unique()
      .references(() => districts.id, { onDelete: 'cascade' }),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    /** Encrypted with the server's secret key; see server/auth/secret-box.ts. */
    clientSecret: text('client_secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (table) => [
    check('oidc_providers_issuer_length', sql`char_length(${table.issuer}) between 8 and 500`),
    check('oidc_providers_client_id_length', sql`char_length(${table.clientId}) between 1 and 500`),
  ],
);

/** A sign-in through a district's provider that has started and not yet come back. */
export const oidcLoginStates = pgTable(
  'oidc_login_states',
  {
    id: idColumn(),
    stateHash: text('state_hash').notNull().unique(),
    providerId: integer('provider_id')
      .notNull()
      .references(() => oidcProviders.id, { onDelete: 'cascade' }),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    returnTo: text('return_to').notNull().default('/'),
    expiresAt: instant('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('oidc_login_states_expires_idx').on(table.expiresAt)],
);

/** Links an account to its subject identifier at a district's provider. */
export const userIdentities = pgTable(
  'user_identities',
  {
    id: idColumn(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    providerId: integer('provider_id')
      .notNull()
      .references(() => oidcProviders.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    unique('user_identities_provider_subject_unique').on(table.providerId, table.subject),
    index('user_identities_user_idx').on(table.userId),
  ],
);
