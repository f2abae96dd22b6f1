import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';

/**
 * Encrypts small secrets (SSO client secrets) for storage with AES-256-GCM. A stored value reads
 * `v1.<key id>.<base64url of nonce, tag and ciphertext>`. The key id is the start of the key's
 * SHA-256, so a value encrypted under another key is reported as such instead of as corrupt.
 */
export interface SecretBox {
  /** Short fingerprint of the key, shown in errors and logs; it reveals nothing usable. */
  readonly keyId: string;
  /** Encrypts `plaintext`; `context` (such as the row it belongs to) must match at decryption. */
  encrypt(plaintext: string, context: string): string;
  /** Decrypts a value from `encrypt`; throws SecretBoxError when it cannot. */
  decrypt(stored: string, context: string): string;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_FILE = 'secret.key';

// Key of the process for memory:// data folders, which keep nothing across restarts anyway.
let memoryKey: Buffer | null = null;

/**
 * Creates the secret box of this deployment. Its key comes from SECRET_KEY (any string, stretched
 * to 32 bytes with HKDF-SHA256), or else from `secret.key` in DATA_DIR, which is created with
 * mode 0600 on first use. Losing that file makes every stored secret unreadable.
 */
export function createSecretBox(config: Pick<Config, 'secretKey' | 'dataDir'>): SecretBox {
  return secretBoxFromKey(loadKey(config));
}

/**
 * Derives a 32-byte key for another purpose (such as signing mute links) from the same secret as
 * the secret box: SECRET_KEY, or else `secret.key` in DATA_DIR. `purpose` separates the keys.
 */
export function deriveKey(config: Pick<Config, 'secretKey' | 'dataDir'>, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', loadKey(config), 'staffroom', purpose, KEY_BYTES));
}

export function secretBoxFromKey(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) {
    throw new SecretBoxError(`A secret box key must be ${KEY_BYTES} bytes; got ${key.length}.`);
  }
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);

  return {
    keyId,
    encrypt(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const payload = Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]);
      return `${VERSION}.${keyId}.${payload.toString('base64url')}`;
    },
    decrypt(stored, context) {
      const [version, storedKeyId, encoded, ...rest] = stored.split('.');
      if (version !== VERSION || !storedKeyId || encoded === undefined || rest.length > 0) {
        throw new SecretBoxError(
          `The stored secret is not in the ${VERSION} format; it may be plaintext or damaged, so store it again.`,
        );
      }
      if (storedKeyId !== keyId) {
        throw new SecretBoxError(
          `The stored secret was encrypted with key ${storedKeyId.slice(0, 8)}, but this server's key is ${keyId}; set SECRET_KEY (or DATA_DIR/${KEY_FILE}) to the key used then, or store the secret again.`,
        );
      }
      const payload = Buffer.from(encoded, 'base64url');
      if (payload.length < NONCE_BYTES + TAG_BYTES) {
        throw new SecretBoxError('The stored secret is truncated; store it again.');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, payload.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(payload.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      try {
        const plaintext = Buffer.concat([
          decipher.update(payload.subarray(NONCE_BYTES + TAG_BYTES)),
          decipher.final(),
        ]);
        return plaintext.toString('utf8');
      } catch (error) {
        throw new SecretBoxError(
          `The stored secret failed authentication with key ${keyId}: it was altered or copied from another row; store it again.`,
          { cause: error },
        );
      }
    },
  };
}

function loadKey(config: Pick<Config, 'secretKey' | 'dataDir'>): Buffer {
  if (config.secretKey) {
    return Buffer.from(
      hkdfSync('sha256', config.secretKey, 'staffroom', 'staffroom secret box v1', KEY_BYTES),
    );
  }
  if (config.dataDir.startsWith('memory://')) {
    memoryKey ??= randomBytes(KEY_BYTES);
    return memoryKey;
  }
  return loadOrCreateKeyFile(join(config.dataDir, KEY_FILE));
}

function loadOrCreateKeyFile(path: string): Buffer {
  const existing = readKeyFile(path);
  if (existing) {
    return existing;
  }
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails when another process created the file first; that process's key then wins.
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  }
  const created = readKeyFile(path);
  if (!created) {
    throw new SecretBoxError(`The key file ${path} could not be read back after it was created.`);
  }
  return created;
}

function readKeyFile(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretBoxError(
      `The key file ${path} does not hold ${KEY_BYTES} base64 bytes; restore it from a backup, or set SECRET_KEY.`,
    );
  }
  return key;
}
