import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecretBox } from '../auth/secret-box.ts';
import type { OpenBadgeCredential } from '../credentials/open-badge.ts';
import {
  awardCredential,
  checkCredential,
  issuerKey,
  issuerProfile,
} from '../services/credential.ts';
import { contextOrUnauthorized, type HttpRoute, type HttpRouteDeps, sendJson } from './route.ts';

const ISSUER_PATH = /^\/issuers\/communities\/([a-z0-9-]{1,64})$/;
const KEY_PATH = /^\/issuers\/communities\/([a-z0-9-]{1,64})\/keys\/(key-[0-9]{1,9})$/;
const CREDENTIAL_PATH = /^\/credentials\/awards\/([^/]{1,200})\.json$/;
export const VERIFY_PATH = '/credentials/verify';
/** Largest credential POST /credentials/verify reads. */
export const MAX_VERIFY_BYTES = 256 * 1024;

class BodyTooLargeError extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new BodyTooLargeError();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      throw new BodyTooLargeError();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

function sendDocument(response: ServerResponse, body: unknown, cache: string): void {
  response
    .writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': cache })
    .end(JSON.stringify(body, null, 2));
}

function isCredential(value: unknown): value is OpenBadgeCredential {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.id === 'string' &&
    typeof candidate.issuer === 'object' &&
    candidate.issuer !== null &&
    typeof candidate.credentialSubject === 'object'
  );
}

/**
 * Open Badges 3.0 endpoints, open without sign-in: issuer profiles and their public keys of
 * public communities, the signed credential of an award, and POST /credentials/verify, which
 * checks a credential against this server's published keys only.
 */
export function createCredentialRoutes(routeDeps: HttpRouteDeps): HttpRoute {
  const { db } = routeDeps.deps;
  const publicUrl = routeDeps.config.publicUrl;
  const secretBox = createSecretBox(routeDeps.config);
  return async (request, response, url) => {
    const issuer = ISSUER_PATH.exec(url.pathname);
    const key = KEY_PATH.exec(url.pathname);
    const credential = CREDENTIAL_PATH.exec(url.pathname);
    if (url.pathname === VERIFY_PATH) {
      if (request.method !== 'POST') {
        response.setHeader('Allow', 'POST');
        sendJson(response, 405, { error: `Use POST with a credential for ${VERIFY_PATH}.` });
        return true;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readBody(request, MAX_VERIFY_BYTES));
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          sendJson(response, 413, { error: 'The credential is larger than 256 KB.' });
          return true;
        }
        sendJson(response, 400, { error: 'The body is not valid JSON.' });
        return true;
      }
      if (!isCredential(parsed)) {
        sendJson(response, 400, {
          error: 'The body is not a credential: it needs an id, an issuer and a credentialSubject.',
        });
        return true;
      }
      sendJson(response, 200, await checkCredential(db, publicUrl, parsed));
      return true;
    }
    if (!issuer && !key && !credential) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendJson(response, 405, { error: 'Use GET for issuer profiles, keys and credentials.' });
      return true;
    }
    if (issuer?.[1]) {
      const profile = await issuerProfile(db, publicUrl, issuer[1]);
      if (profile) {
        sendDocument(response, profile, 'public, max-age=300');
      } else {
        sendJson(response, 404, { error: 'Issuer not found.' });
      }
      return true;
    }
    if (key?.[1] && key[2]) {
      const document = await issuerKey(db, publicUrl, key[1], key[2]);
      if (document) {
        sendDocument(response, document, 'public, max-age=300');
      } else {
        sendJson(response, 404, { error: 'Key not found.' });
      }
      return true;
    }
    const context = await contextOrUnauthorized(routeDeps, request, response);
    if (!context) {
      return true;
    }
    const viewerId = context.viewer?.id ?? null;
    const signed = await awardCredential(
      db,
      secretBox,
      publicUrl,
      viewerId,
      safeDecode(credential?.[1] ?? ''),
    );
    if (signed) {
      sendDocument(response, signed, 'private, no-store');
    } else {
      sendJson(response, 404, { error: 'Credential not found, or you do not have access to it.' });
    }
    return true;
  };
}
