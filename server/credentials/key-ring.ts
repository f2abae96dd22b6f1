import { createHash, createHmac } from 'node:crypto';
import { asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Executor, Transaction } from '../../drizzle/db.ts';
import { credentialKeys } from '../../drizzle/tables/index.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import type { Logger } from '../log.ts';
import { generateIssuerKey, type MultikeyDocument } from './keys.ts';

/*
 * One platform key ring signs for every issuer profile. Each community issuer publishes the
 * platform's keys under its own address, as `<issuer>/keys/<key id>` with itself as controller,
 * so the key's controller is the credential's issuer, as verifyCredential requires, without a key
 * pair per community.
 */

/** Address of a key as published by an issuer: `<issuer id>/keys/<key id>`. */
export function issuerKeyUrl(issuerId: string, keyId: string): string {
  return `${issuerId}/keys/${keyId}`;
}

function secretContext(keyId: string): string {
  return `credential_keys:${keyId}`;
}

/**
 * Makes sure that an active signing key exists: the configured one (CREDENTIAL_SIGNING_KEY) when
 * given, else any active key, creating one when none does. The unique index on
 * active keys makes the insert of a second process a no-op, so only one key is created.
 */
export async function ensureCredentialKey(
  db: Database,
  secretBox: SecretBox,
  log: Logger,
  configuredSeed?: Uint8Array,
): Promise<void> {
  if (configuredSeed) {
    await useConfiguredKey(db, secretBox, log, configuredSeed);
    return;
  }
  const [active] = await db
    .select({ id: credentialKeys.id })
    .from(credentialKeys)
    .where(isNull(credentialKeys.retiredAt));
  if (active) {
    return;
  }
  const [latest] = await db.select({ count: sql<number>`count(*)::int` }).from(credentialKeys);
  const keyId = `key-${(latest?.count ?? 0) + 1}`;
  const generated = await generateIssuerKey('urn:staffroom:credential-key', keyId);
  if (!generated.secretKeyMultibase) {
    throw new Error('The generated credential key has no secret key');
  }
  const inserted = await db
    .insert(credentialKeys)
    .values({
      keyId,
      publicKey: { type: 'Multikey', publicKeyMultibase: generated.publicKeyMultibase },
      encryptedSecret: secretBox.encrypt(generated.secretKeyMultibase, secretContext(keyId)),
    })
    .onConflictDoNothing()
    .returning({ keyId: credentialKeys.keyId });
  if (inserted.length > 0) {
    log.info({ keyId }, 'Created a credential signing key');
  }
}

/**
 * Makes the key of `seed` the active signing key. When another key is active, it is retired and
 * stays published, so that credentials it signed still verify. Runs under the rotation lock.
 */
async function useConfiguredKey(
  db: Database,
  secretBox: SecretBox,
  log: Logger,
  seed: Uint8Array,
): Promise<void> {
  const derived = await generateIssuerKey('urn:staffroom:credential-key', 'key-0', seed);
  if (!derived.secretKeyMultibase) {
    throw new Error('The configured credential key has no secret key');
  }
  const secretKeyMultibase = derived.secretKeyMultibase;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${KEY_ROTATION_LOCK_KEY})`);
    const [known] = await tx
      .select({ keyId: credentialKeys.keyId, retiredAt: credentialKeys.retiredAt })
      .from(credentialKeys)
      .where(
        sql`${credentialKeys.publicKey}->>'publicKeyMultibase' = ${derived.publicKeyMultibase}`,
      );
    if (known && known.retiredAt === null) {
      return;
    }
    const retired = await tx
      .update(credentialKeys)
      .set({ retiredAt: sql`now()` })
      .where(isNull(credentialKeys.retiredAt))
      .returning({ keyId: credentialKeys.keyId });
    let keyId: string;
    if (known) {
      keyId = known.keyId;
      await tx
        .update(credentialKeys)
        .set({ retiredAt: null })
        .where(eq(credentialKeys.keyId, keyId));
    } else {
      keyId = await nextKeyId(tx);
      await tx.insert(credentialKeys).values({
        keyId,
        publicKey: { type: 'Multikey', publicKeyMultibase: derived.publicKeyMultibase },
        encryptedSecret: secretBox.encrypt(secretKeyMultibase, secretContext(keyId)),
      });
    }
    log.info(
      { keyId, retiredKeyId: retired[0]?.keyId ?? null },
      'Signing credentials with the configured key CREDENTIAL_SIGNING_KEY',
    );
  });
}

/** Returns the id for a new key: one more than the highest key number so far. */
async function nextKeyId(tx: Transaction): Promise<string> {
  const [latest] = await tx
    .select({
      number: sql<number>`coalesce(max(substring(${credentialKeys.keyId} from 5)::int), 0)::int`,
    })
    .from(credentialKeys);
  return `key-${(latest?.number ?? 0) + 1}`;
}

/** Retires a key: it signs nothing more but stays published. Returns false when it is unknown. */
export async function retireCredentialKey(db: Database, keyId: string): Promise<boolean> {
  const rows = await db
    .update(credentialKeys)
    .set({ retiredAt: sql`now()` })
    .where(eq(credentialKeys.keyId, keyId))
    .returning({ id: credentialKeys.id });
  return rows.length > 0;
}

// Key of the transaction-scoped advisory lock that makes concurrent rotations run one at a time.
const KEY_ROTATION_LOCK_KEY = 7_406_313;

/**
 * Retires the active key and adds its successor inside `tx`, so from the commit on every process
 * signs with the new key, while the retired one stays published and keeps verifying what it
 * signed. Rotations run one at a time under an advisory lock. Returns both key ids; retiredKeyId
 * is null when no key was active.
 */
export async function rotateCredentialKey(
  tx: Transaction,
  secretBox: SecretBox,
): Promise<{ retiredKeyId: string | null; activeKeyId: string }> {
  await tx.execute(sql`select pg_advisory_xact_lock(${KEY_ROTATION_LOCK_KEY})`);
  const retired = await tx
    .update(credentialKeys)
    .set({ retiredAt: sql`now()` })
    .where(isNull(credentialKeys.retiredAt))
    .returning({ keyId: credentialKeys.keyId });
  const keyId = await nextKeyId(tx);
  const generated = await generateIssuerKey('urn:staffroom:credential-key', keyId);
  if (!generated.secretKeyMultibase) {
    throw new Error('The generated credential key has no secret key');
  }
  await tx.insert(credentialKeys).values({
    keyId,
    publicKey: { type: 'Multikey', publicKeyMultibase: generated.publicKeyMultibase },
    encryptedSecret: secretBox.encrypt(generated.secretKeyMultibase, secretContext(keyId)),
  });
  return { retiredKeyId: retired[0]?.keyId ?? null, activeKeyId: keyId };
}

/** Loads the active key as a secret Multikey published by `issuerId`, or null when there is none. */
export async function activeSigningKey(
  db: Executor,
  secretBox: SecretBox,
  issuerId: string,
): Promise<MultikeyDocument | null> {
  const [row] = await db
    .select()
    .from(credentialKeys)
    .where(isNull(credentialKeys.retiredAt))
    .limit(1);
  if (!row) {
    return null;
  }
  return {
    type: 'Multikey',
    id: issuerKeyUrl(issuerId, row.keyId),
    controller: issuerId,
    publicKeyMultibase: row.publicKey.publicKeyMultibase,
    secretKeyMultibase: secretBox.decrypt(row.encryptedSecret, secretContext(row.keyId)),
  };
}

/** Loads a published key (active or retired) as `issuerId` publishes it, or null when unknown. */
export async function publishedKey(
  db: Database,
  issuerId: string,
  keyId: string,
): Promise<MultikeyDocument | null> {
  const [row] = await db
    .select({ keyId: credentialKeys.keyId, publicKey: credentialKeys.publicKey })
    .from(credentialKeys)
    .where(eq(credentialKeys.keyId, keyId));
  if (!row) {
    return null;
  }
  return {
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey',
    id: issuerKeyUrl(issuerId, row.keyId),
    controller: issuerId,
    publicKeyMultibase: row.publicKey.publicKeyMultibase,
  };
}

/** Lists every published key id, oldest first. */
export async function publishedKeyIds(db: Database): Promise<string[]> {
  const rows = await db
    .select({ keyId: credentialKeys.keyId })
    .from(credentialKeys)
    .orderBy(asc(credentialKeys.id));
  return rows.map((row) => row.keyId);
}

/**
 * Derives the salt of an award's recipient identity hash instead of storing it. It is an HMAC of
 * the award id keyed by the oldest signing key's secret, which every process can decrypt and which
 * stays in the key ring. So an award's salt is the same on every export, and nobody without that
 * secret can compute it.
 */
export async function recipientSalt(
  db: Database,
  secretBox: SecretBox,
  awardId: number,
): Promise<string> {
  const [oldest] = await db.select().from(credentialKeys).orderBy(asc(credentialKeys.id)).limit(1);
  if (!oldest) {
    throw new Error('No credential signing key exists yet');
  }
  const secret = secretBox.decrypt(oldest.encryptedSecret, secretContext(oldest.keyId));
  const hmacKey = createHash('sha256').update(`recipient salt ${secret}`).digest();
  return createHmac('sha256', hmacKey).update(`badge award ${awardId}`).digest('hex').slice(0, 32);
}
