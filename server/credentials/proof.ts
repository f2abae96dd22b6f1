import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs, { type DocumentLoader } from 'jsonld-signatures';
import { MULTIKEY_CONTEXT_URL, staticDocumentLoader } from './document-loader.ts';
import { importMultikey, type MultikeyDocument, publicMultikey } from './keys.ts';
import type { JsonObject } from './open-badge.ts';

/**
 * Looks up the public Multikey for a verification method id, or null when it is unknown. It must
 * return only keys that their `controller` published, because verification trusts that binding.
 */
export type ResolveKey = (verificationMethodId: string) => Promise<MultikeyDocument | null>;

export interface CredentialVerification {
  verified: boolean;
  errors: string[];
}

/**
 * A verifiable credential as signed here: an OpenBadgeCredential, or a
 * BitstringStatusListCredential whose issuer is a plain URL.
 */
export interface SignableCredential extends JsonObject {
  '@context': string[];
  issuer: string | (JsonObject & { id: string });
  proof?: JsonObject | JsonObject[];
}

/** Returns the issuer id of a credential, whether `issuer` is a URL or a Profile object. */
export function issuerIdOf(credential: { issuer?: unknown }): string | undefined {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') {
    return issuer;
  }
  if (typeof issuer === 'object' && issuer !== null && 'id' in issuer) {
    return typeof issuer.id === 'string' ? issuer.id : undefined;
  }
  return undefined;
}

/**
 * Signs a credential with an embedded `DataIntegrityProof` using the `eddsa-rdfc-2022`
 * cryptosuite and the `assertionMethod` purpose. The key must be the issuer's: its controller must
 * equal the credential's issuer id. Returns a new object with any earlier proof replaced, and
 * leaves the input unchanged.
 */
export async function signCredential<T extends SignableCredential>(
  credential: T,
  key: MultikeyDocument,
): Promise<T> {
  if (!key.secretKeyMultibase) {
    throw new TypeError(
      `Signing failed: key ${key.id} has no secretKeyMultibase. Pass the issuer's secret Multikey, not its public copy.`,
    );
  }
  const issuerId = issuerIdOf(credential);
  if (key.controller !== issuerId) {
    throw new TypeError(
      `Key ${key.id} is controlled by ${key.controller}, not by the credential issuer ${issuerId}`,
    );
  }

  const keyPair = await importMultikey(key);
  const suite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
  const unsigned = structuredClone(credential);
  delete unsigned.proof;
  const signed = await jsigs.sign(unsigned, {
    suite,
    purpose: new jsigs.purposes.AssertionProofPurpose(),
    documentLoader: staticDocumentLoader,
  });
  // The Open Badges 3.0 JSON Schema requires `proof` to be an array, and a one-element array means
  // the same in JSON-LD as the single object that jsonld-signatures adds.
  return { ...signed, proof: [signed.proof ?? []].flat() };
}

/**
 * Verifies the embedded `eddsa-rdfc-2022` proof of a credential. The proof's verification method
 * is looked up through `resolveKey`, and its controller must be the credential's issuer. A
 * credential with more than one proof is rejected, because jsonld-signatures would accept it when
 * any single proof verifies.
 *
 * This checks the proof only: the validity period and the status list entry are left to the
 * caller, as `checkCredential` in server/services/credential-verify.ts does.
 */
export async function verifyCredential(
  credential: SignableCredential,
  resolveKey: ResolveKey,
): Promise<CredentialVerification> {
  const proofs = credential.proof === undefined ? [] : [credential.proof].flat();
  if (proofs.length !== 1) {
    return {
      verified: false,
      errors: [`The credential must have exactly one proof, found ${proofs.length}`],
    };
  }
  const methodId = proofs[0]?.verificationMethod;
  if (typeof methodId !== 'string') {
    return { verified: false, errors: ['The proof has no verificationMethod'] };
  }
  const issuerId = issuerIdOf(credential);
  const key = await resolveKey(methodId);
  if (!key) {
    return { verified: false, errors: [`Verification method ${methodId} not found`] };
  }
  if (key.id !== methodId) {
    return {
      verified: false,
      errors: [`resolveKey returned key ${key.id} for verification method ${methodId}`],
    };
  }
  if (key.controller !== issuerId) {
    return {
      verified: false,
      errors: [
        `Verification method ${methodId} is controlled by ${key.controller}, not by the issuer ${issuerId}`,
      ],
    };
  }

  const verificationMethod = { ...publicMultikey(key), '@context': MULTIKEY_CONTEXT_URL };
  const documentLoader: DocumentLoader = async (url) => {
    if (url === methodId) {
      return { contextUrl: null, documentUrl: url, document: verificationMethod };
    }
    return staticDocumentLoader(url);
  };
  // resolveKey is trusted to return only keys that their controller published, and the controller
  // is checked against the issuer above, so this controller document lists exactly this key.
  const purpose = new jsigs.purposes.AssertionProofPurpose({
    controller: { id: issuerId, assertionMethod: [methodId] },
  });
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  const result = await jsigs.verify(credential, { suite, purpose, documentLoader });
  return { verified: result.verified, errors: collectErrors(result) };
}

function collectErrors(result: Awaited<ReturnType<typeof jsigs.verify>>): string[] {
  if (result.verified) {
    return [];
  }
  const errors = result.error?.errors ?? (result.error ? [result.error] : []);
  const messages = errors.map((error) => error.message);
  for (const proofResult of result.results ?? []) {
    if (proofResult.error && !messages.includes(proofResult.error.message)) {
      messages.push(proofResult.error.message);
    }
  }
  return messages.length > 0 ? messages : ['Proof verification failed'];
}
