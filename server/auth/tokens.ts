import { createHash, randomBytes } from 'node:crypto';

/** Creates a random token of 256 bits, URL-safe. Only its hash is stored. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
