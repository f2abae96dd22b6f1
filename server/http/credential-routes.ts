import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecretBox } from '../auth/secret-box.ts';
import { extractBakedCredential } from '../credentials/baking.ts';
import { awardCredential } from '../services/credential.ts';
import { type IssuerKind, issuerKey, issuerProfile } from '../services/credential-issuer.ts';
import { registerCredentialSettings } from '../services/credential-keys.ts';
import { signedStatusList } from '../services/credential-status.ts';
import { checkCredential } from '../services/credential-verify.ts';
import { sendBakedCredential } from './baked-credentials.ts';
import { contextOrUnauthorized, type HttpRoute, type HttpRouteDeps, sendJson } from './route.ts';

const ISSUER_PATH = /^\/issuers\/(communities|districts)\/([a-z0-9-]{1,64})$/;
const KEY_PATH = /^\/issuers\/(communities|districts)\/([a-z0-9-]{1,64})\/keys\/(key-[0-9]{1,9})$/;
const STATUS_PATH =
  /^\/credentials\/status\/(communities|districts)\/([a-z0-9-]{1,64})\/(0|[1-9][0-9]{0,5})$/;
const CREDENTIAL_PATH = /^\/credentials\/awards\/([^/]{1,200})\.(json|png|svg)$/;
export const VERIFY_PATH = '/credentials/verify';
/** Largest credential, or baked PNG or SVG image, that POST /credentials/verify reads. */
export const MAX_VERIFY_BYTES = 256 * 1024;
/** Largest baked badge image POST /credentials/verify reads: a 512 KB image and its credential. */
export const MAX_VERIFY_IMAGE_BYTES = 1024 * 1024;
/**
 * How long a status list may be cached: a revocation reaches other verifiers within a minute,
 * while POST /credentials/verify reads the database and reports it at once.
 */
const STATUS_LIST_CACHE = 'public, max-age=60';

class BodyTooLargeError extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
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
  return Buffer.concat(chunks);
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

function kindOf(segment: string | undefined): IssuerKind {
  return segment === 'districts' ? 'district' : 'community';
}

/**
 * Reads the credential of a POST /credentials/verify body: JSON, or a PNG or SVG image with a
 * credential baked in. Returns the parsed value, or an error message for a 400 or 415 response.
 */
function parseVerifyBody(
  contentType: string,
  body: Buffer,
): { credential: unknown } | { status: 400 | 415; error: string } {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  let text: string;
  if (mediaType === 'image/png' || mediaType === 'image/svg+xml') {
    const baked = extractBakedCredential(new Uint8Array(body));
    if (baked === null) {
      return {
        status: 400,
        error: `The ${mediaType === 'image/png' ? 'PNG' : 'SVG'} image has no credential baked in, or it is damaged.`,
      };
    }
    text = baked;
  } else if (
    mediaType === '' ||
    mediaType === 'application/json' ||
    mediaType === 'application/ld+json' ||
    mediaType === 'application/vc+ld+json'
  ) {
    text = body.toString('utf8');
  } else {
    return {
      status: 415,
      error: `Send the credential as application/json, or a baked image as image/png or image/svg+xml, not ${mediaType}.`,
    };
  }
  try {
    return { credential: JSON.parse(text) };
  } catch {
    return { status: 400, error: 'The credential is not valid JSON.' };
  }
}

function isCredentialShaped(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.id === 'string' &&
    (typeof candidate.issuer === 'string' ||
      (typeof candidate.issuer === 'object' && candidate.issuer !== null)) &&
    typeof candidate.credentialSubject === 'object' &&
    candidate.credentialSubject !== null
  );
}

async function handleVerify(
  routeDeps: HttpRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST');
    sendJson(response, 405, { error: `Use POST with a credential for ${VERIFY_PATH}.` });
    return;
  }
  const image = /^\s*image\//i.test(request.headers['content-type'] ?? '');
  let body: Buffer;
  try {
    body = await readBody(request, image ? MAX_VERIFY_IMAGE_BYTES : MAX_VERIFY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(response, 413, {
        error: image
          ? 'The image is larger than 1 MB, the most a baked badge image may be.'
          : 'The credential is larger than 256 KB.',
      });
      return;
    }
    throw error;
  }
  const parsed = parseVerifyBody(request.headers['content-type'] ?? '', body);
  if ('error' in parsed) {
    sendJson(response, parsed.status, { error: parsed.error });
    return;
  }
  if (!isCredentialShaped(parsed.credential)) {
    sendJson(response, 400, {
      error: 'The body is not a credential: it needs an id, an issuer and a credentialSubject.',
    });
    return;
  }
  const { db } = routeDeps.deps;
  sendJson(response, 200, await checkCredential(db, routeDeps.config.publicUrl, parsed.credential));
}

/**
 * Open Badges 3.0 endpoints, open without sign-in: issuer profiles and public keys of districts
 * and public communities, their signed revocation status lists, the signed credential of an
 * award, and POST /credentials/verify, which checks a credential against this server only.
 */
export function createCredentialRoutes(routeDeps: HttpRouteDeps): HttpRoute {
  const { db } = routeDeps.deps;
  const publicUrl = routeDeps.config.publicUrl;
  const secretBox = createSecretBox(routeDeps.config);
  registerCredentialSettings(db, { secretBox, publicUrl });
  return async (request, response, url) => {
    if (url.pathname === VERIFY_PATH) {
      await handleVerify(routeDeps, request, response);
      return true;
    }
    const issuer = ISSUER_PATH.exec(url.pathname);
    const key = KEY_PATH.exec(url.pathname);
    const status = STATUS_PATH.exec(url.pathname);
    const credential = CREDENTIAL_PATH.exec(url.pathname);
    if (!issuer && !key && !status && !credential) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendJson(response, 405, {
        error: 'Use GET for issuer profiles, keys, status lists and credentials.',
      });
      return true;
    }
    if (issuer?.[2]) {
      const profile = await issuerProfile(db, publicUrl, kindOf(issuer[1]), issuer[2]);
      if (profile) {
        sendDocument(response, profile, 'public, max-age=300');
      } else {
        sendJson(response, 404, { error: 'Issuer not found.' });
      }
      return true;
    }
    if (key?.[2] && key[3]) {
      const document = await issuerKey(db, publicUrl, kindOf(key[1]), key[2], key[3]);
      if (document) {
        sendDocument(response, document, 'public, max-age=300');
      } else {
        sendJson(response, 404, { error: 'Key not found.' });
      }
      return true;
    }
    if (status?.[2] && status[3]) {
      const list = await signedStatusList(
        db,
        secretBox,
        publicUrl,
        kindOf(status[1]),
        status[2],
        Number(status[3]),
      );
      if (list) {
        sendDocument(response, list, STATUS_LIST_CACHE);
      } else {
        sendJson(response, 404, { error: 'Status list not found.' });
      }
      return true;
    }
    const context = await contextOrUnauthorized(routeDeps, request, response);
    if (!context) {
      return true;
    }
    const signed = await awardCredential(
      db,
      secretBox,
      publicUrl,
      context.viewer?.id ?? null,
      safeDecode(credential?.[1] ?? ''),
    );
    const format = credential?.[2];
    if (signed && (format === 'png' || format === 'svg')) {
      await sendBakedCredential(db, request, response, credential?.[1] ?? '', format, signed);
    } else if (signed) {
      sendDocument(response, signed, 'private, no-store');
    } else {
      sendJson(response, 404, { error: 'Credential not found, or you do not have access to it.' });
    }
    return true;
  };
}
