import type { Ed25519MultikeyExport } from '@digitalbazaar/ed25519-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

/** An Ed25519 key in Multikey form, with `secretKeyMultibase` only in an issuer's own copy. */
export type MultikeyDocument = Ed25519MultikeyExport;

/** Returns the verification method id of an issuer's key: the issuer URL with a fragment. */
export function verificationMethodId(issuerId: string, keyName = 'key-1'): string {
  const url = new URL(issuerId);
  if (url.hash !== '') {
    throw new TypeError(`Issuer id ${issuerId} must not contain a fragment`);
  }
  return `${issuerId}#${keyName}`;
}

/**
 * Generates an Ed25519 key pair for an issuer and exports it as a Multikey document with both the
 * public and the secret key, from `seed` when given. Store the result as a secret, and publish only
 * `publicMultikey(key)`.
 */
export async function generateIssuerKey(
  issuerId: string,
  keyName = 'key-1',
  seed?: Uint8Array,
): Promise<MultikeyDocument> {
  const keyPair = await Ed25519Multikey.generate({
    id: verificationMethodId(issuerId, keyName),
    controller: issuerId,
    ...(seed && { seed }),
  });
  return keyPair.export({ publicKey: true, secretKey: true, includeContext: true });
}

/** Returns a copy of a Multikey document without its secret key. */
export function publicMultikey(key: MultikeyDocument): MultikeyDocument {
  const { secretKeyMultibase: _secret, ...publicKey } = key;
  return publicKey;
}

/** Imports an exported Multikey document, with or without its secret key. */
export function importMultikey(key: MultikeyDocument): Promise<Ed25519Multikey.Ed25519KeyPair> {
  return Ed25519Multikey.from(key);
}
