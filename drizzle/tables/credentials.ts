import { sql } from 'drizzle-orm';
import { check, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, instant } from './columns.ts';

/** The public half of a signing key: an Ed25519 Multikey without its id and controller. */
export interface StoredPublicKey {
  type: 'Multikey';
  publicKeyMultibase: string;
}

/**
 * The platform's key ring for signing Open Badges credentials. Every process signs with the one
 * active key (retired_at null); retired keys stay so that credentials they signed still verify.
 */
export const credentialKeys = pgTable(
  'credential_keys',
  {
    id: idColumn(),
    /** Name of the key in verification method addresses, such as `key-1`. */
    keyId: text('key_id').notNull(),
    publicKey: jsonb('public_key').$type<StoredPublicKey>().notNull(),
    /** The secretKeyMultibase, encrypted with the secret box. */
    encryptedSecret: text('encrypted_secret').notNull(),
    createdAt: createdAt(),
    retiredAt: instant('retired_at'),
  },
  (table) => [
    uniqueIndex('credential_keys_key_id_unique').on(table.keyId),
    // At most one active key: two processes starting at once cannot both add one.
    uniqueIndex('credential_keys_one_active')
      .on(sql`(true)`)
      .where(sql`${table.retiredAt} is null`),
    check('credential_keys_key_id', sql`${table.keyId} ~ '^key-[0-9]{1,9}$'`),
  ],
);
