import { asc } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { credentialKeys } from '../../drizzle/tables/index.ts';
import { isPlatformAdmin } from '../auth/access.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import { rotateCredentialKey } from '../credentials/key-ring.ts';
import { ForbiddenError } from '../errors.ts';
import { recordAudit } from './audit.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';

/** Settings that signing needs beyond the database: the key ring's secret box and PUBLIC_URL. */
export interface CredentialSettings {
  secretBox: SecretBox;
  publicUrl: string;
}

const settingsByDatabase = new WeakMap<Database, CredentialSettings>();

/** Registers the settings of a database's server; the credential routes do so at start. */
export function registerCredentialSettings(db: Database, settings: CredentialSettings): void {
  settingsByDatabase.set(db, settings);
}

/** Returns the settings registered for a database, or throws when the server registered none. */
export function credentialSettingsFor(db: Database): CredentialSettings {
  const settings = settingsByDatabase.get(db);
  if (!settings) {
    throw new Error(
      'Credential settings were not registered for this database; the credential routes register them at server start.',
    );
  }
  return settings;
}

export type CredentialKeyRow = Pick<
  typeof credentialKeys.$inferSelect,
  'id' | 'keyId' | 'createdAt' | 'retiredAt'
>;

/** Lists the key ring, oldest first, without any secret; platform admins only (ForbiddenError). */
export async function listCredentialKeys(ctx: ServiceContext): Promise<CredentialKeyRow[]> {
  requirePlatformAdmin(ctx);
  return ctx.db
    .select({
      id: credentialKeys.id,
      keyId: credentialKeys.keyId,
      createdAt: credentialKeys.createdAt,
      retiredAt: credentialKeys.retiredAt,
    })
    .from(credentialKeys)
    .orderBy(asc(credentialKeys.id));
}

/**
 * Retires the active signing key and creates a new one; platform admins only (ForbiddenError).
 * Credentials signed before keep verifying, because retired keys stay published. The audit log
 * records the rotation. Returns the key ring afterwards, oldest first.
 */
export async function rotateCredentialKeys(ctx: ServiceContext): Promise<CredentialKeyRow[]> {
  const viewer = requirePlatformAdmin(ctx);
  const { secretBox } = credentialSettingsFor(ctx.db);

  const rotated = await runInTransaction(ctx, async (tx) => {
    const keys = await rotateCredentialKey(tx, secretBox);
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'platform.credential_key_rotated',
      details: keys,
    });
    return keys;
  });
  ctx.log.info({ ...rotated, actorId: viewer.id }, 'Rotated the credential signing key');
  return listCredentialKeys(ctx);
}

function requirePlatformAdmin(ctx: ServiceContext) {
  const viewer = requireViewer(ctx);
  if (!isPlatformAdmin(viewer)) {
    throw new ForbiddenError('Only platform admins manage the credential signing keys.');
  }
  return viewer;
}
