import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';
import { communities } from './communities.ts';
import { districts } from './districts.ts';
import { users } from './users.ts';

/**
 * A key that lets widgets in other sites' pages read chosen communities. The key string is
 * public (it sits in the snippet); browsers may use it only from its allowed origins. It belongs
 * to a community (managed by its owners) or to a district (managed by its admins): exactly one
 * of communityId and districtId is set.
 */
export const embedKeys = pgTable(
  'embed_keys',
  {
    id: idColumn(),
    publicKey: text('public_key').notNull().unique(),
    name: text('name').notNull(),
    communityId: integer('community_id').references(() => communities.id, {
      onDelete: 'cascade',
    }),
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'cascade' }),
    /** Normalized origins (`scheme://host[:port]`) whose pages may use the key. */
    allowedOrigins: text('allowed_origins').array().notNull(),
    /**
     * Set when a district admin accepted that anyone holding the snippet can read the key's
     * district communities; district keys only.
     */
    districtReadAcceptedAt: instant('district_read_accepted_at'),
    districtReadAcceptedBy: integer('district_read_accepted_by').references(() => users.id, {
      onDelete: 'set null',
    }),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    revokedAt: instant('revoked_at'),
    revokedBy: integer('revoked_by').references(() => users.id, { onDelete: 'set null' }),
    /** Requests, subscriptions and frame loads, all time; written in batches. */
    useCount: bigint('use_count', { mode: 'number' }).notNull().default(0),
    lastUsedAt: instant('last_used_at'),
  },
  (table) => [
    index('embed_keys_community_idx').on(table.communityId),
    index('embed_keys_district_idx').on(table.districtId),
    check(
      'embed_keys_one_owner',
      sql`(${table.communityId} is null) <> (${table.districtId} is null)`,
    ),
    check(
      'embed_keys_district_read_only_for_district_keys',
      sql`${table.districtReadAcceptedAt} is null or ${table.districtId} is not null`,
    ),
    check('embed_keys_name_length', sql`char_length(${table.name}) between 1 and 80`),
    check('embed_keys_origin_count', sql`cardinality(${table.allowedOrigins}) between 1 and 20`),
  ],
);

/** The communities an embed key may show. */
export const embedKeyCommunities = pgTable(
  'embed_key_communities',
  {
    embedKeyId: integer('embed_key_id')
      .notNull()
      .references(() => embedKeys.id, { onDelete: 'cascade' }),
    communityId: integer('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.embedKeyId, table.communityId] }),
    index('embed_key_communities_community_idx').on(table.communityId),
  ],
);

/** Use of an embed key per UTC day. */
export const embedKeyUsage = pgTable(
  'embed_key_usage',
  {
    embedKeyId: integer('embed_key_id')
      .notNull()
      .references(() => embedKeys.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    requests: integer('requests').notNull().default(0),
    subscriptions: integer('subscriptions').notNull().default(0),
    frames: integer('frames').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.embedKeyId, table.day] })],
);
