import type { IncomingMessage, ServerResponse } from 'node:http';
import { MIMEType } from 'node:util';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { createSecretBox } from '../auth/secret-box.ts';
import { clientAddressOf } from '../context.ts';
import { extractBakedCredential } from '../credentials/baking.ts';
import { RateLimitedError } from '../errors.ts';
import { awardCredential } from '../services/credential.ts';
import { credentialLimitExceeded } from '../services/credential-input.ts';
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
/** Path prefixes that belong to these routes alone; the web client has no page under them. */
const OWN_PREFIXES = ['/issuers/', '/credentials/'];
/** Largest credential JSON that POST /credentials/verify reads. */
export const MAX_VERIFY_BYTES = 256 * 1024;
/** Largest baked badge image POST /credentials/verify reads: a 512 KB image and its credential. */
export const MAX_VERIFY_IMAGE_BYTES = 1024 * 1024;
/**
 * POST /credentials/verify requests per client address, counted in the database so that every
 * server process shares the count. Verifying a credential at the size limits of
 * credential-input.ts took about 0.3 s of CPU (500 alignments, one core of a two-core Xeon). The
 * limit bounds what one address can make the server spend, and a person checking a batch of
 * badges by hand stays under it.
 */
export const VERIFY_RATE_LIMIT: RateLimitRule = { limit: 60, windowSeconds: 10 * 60 };
const JSON_MEDIA_TYPES = ['application/json', 'application/ld+json', 'application/vc+ld+json'];
const IMAGE_MEDIA_TYPES = ['image/png', 'image/svg+xml'];
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

type VerifyRejection = { status: 400 | 415; error: string };

/**
 * Reads the media type of a POST /credentials/verify request: JSON or a PNG or SVG image, in
 * UTF-8 when a charset is given. Returns the media type, or the 415 to send for a missing,
 * unreadable or unsupported Content-Type.
 */
function verifyMediaType(header: string | undefined): { mediaType: string } | VerifyRejection {
  const supported =
    'Send the credential as application/json, or a badge image with the credential baked in as image/png or image/svg+xml';
  if (!header?.trim()) {
    return { status: 415, error: `The request has no Content-Type. ${supported}.` };
  }
  let type: MIMEType;
  try {
    type = new MIMEType(header);
  } catch {
    return {
      status: 415,
      error: `The Content-Type "${header.slice(0, 100)}" is not a media type. ${supported}.`,
    };
  }
  if (![...JSON_MEDIA_TYPES, ...IMAGE_MEDIA_TYPES].includes(type.essence)) {
    return { status: 415, error: `${supported}, not ${type.essence}.` };
  }
  const charset = type.params.get('charset');
  if (charset !== null && !['utf-8', 'utf8'].includes(charset.toLowerCase())) {
    return {
      status: 415,
      error: `The credential must be sent in UTF-8, not ${charset.slice(0, 40)}. Send charset=utf-8 or no charset.`,
    };
  }
  return { mediaType: type.essence };
}

/**
 * Reads the credential of a POST /credentials/verify body: JSON, or a PNG or SVG image with a
 * credential baked in. A byte order mark before the JSON is ignored. Returns the parsed value, or
 * the 400 to send for a body that contains no readable credential or one past the size limits of
 * credentialLimitExceeded.
 */
function parseVerifyBody(
  mediaType: string,
  body: Buffer,
): { credential: unknown } | VerifyRejection {
  let text: string | null;
  if (IMAGE_MEDIA_TYPES.includes(mediaType)) {
    text = extractBakedCredential(new Uint8Array(body));
    if (text === null) {
      return {
        status: 400,
        error: `The ${mediaType === 'image/png' ? 'PNG' : 'SVG'} image has no credential baked in, or it is damaged.`,
      };
    }
  } else {
    try {
      // TextDecoder drops a leading byte order mark.
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return { status: 400, error: 'The credential is not valid UTF-8 text.' };
    }
  }
  let credential: unknown;
  try {
    credential = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { status: 400, error: 'The credential is not valid JSON.' };
  }
  const limitExceeded = credentialLimitExceeded(credential);
  return limitExceeded ? { status: 400, error: limitExceeded } : { credential };
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

/**
 * Counts the request against VERIFY_RATE_LIMIT for its client address, and sends 429 with
 * Retry-After once the limit is spent. Returns whether the request may go on.
 */
async function withinVerifyRateLimit(
  routeDeps: HttpRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  const address = clientAddressOf(
    request.socket.remoteAddress,
    request.headers['x-forwarded-for'],
    routeDeps.config.trustProxy,
  );
  try {
    await consumeRateLimit(
      routeDeps.deps.db,
      `credential-verify:address:${address}`,
      VERIFY_RATE_LIMIT,
    );
    return true;
  } catch (error) {
    if (!(error instanceof RateLimitedError)) {
      throw error;
    }
    routeDeps.deps.log.warn({ address }, 'Credential verification rate limit hit');
    response.setHeader('Retry-After', String(error.retryAfterSeconds));
    sendJson(response, 429, {
      error: `Too many credentials checked from this address: at most ${VERIFY_RATE_LIMIT.limit} in ${VERIFY_RATE_LIMIT.windowSeconds / 60} minutes. Try again in ${error.retryAfterSeconds} seconds.`,
    });
    return false;
  }
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
  if (!(await withinVerifyRateLimit(routeDeps, request, response))) {
    return;
  }
  const type = verifyMediaType(request.headers['content-type']);
  if ('error' in type) {
    sendJson(response, type.status, { error: type.error });
    return;
  }

  const image = IMAGE_MEDIA_TYPES.includes(type.mediaType);
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
  const parsed = parseVerifyBody(type.mediaType, body);
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

  const { db, log } = routeDeps.deps;
  const check = await checkCredential(db, routeDeps.config.publicUrl, parsed.credential, {
    log: log.child({ route: 'credential-verify' }),
  });
  sendJson(response, 200, check);
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
      if (!OWN_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) {
        return false;
      }
      // Everything under these prefixes is this route's, so a wrong address gets a JSON 404
      // rather than the web client's page.
      sendJson(response, 404, {
        error: `Nothing is published at ${url.pathname.slice(0, 200)}. See the Open Badges addresses in the API documentation.`,
      });
      return true;
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
