import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeGlobalID } from '@pothos/plugin-relay';
import {
  BADGE_IMAGE_SYMBOLS,
  loadBadgeImage,
  renderBadgeTemplate,
} from '../services/badge-image.ts';
import { loadReadableUpload } from '../services/upload-access.ts';
import { contextOrUnauthorized, type HttpRoute, type HttpRouteDeps } from './route.ts';

const UPLOAD_PATH = /^\/uploads\/([^/]{1,200})\/([^/]{1,1000})$/;
const BADGE_IMAGE_PATH = /^\/badges\/([^/]{1,200})\/image$/;
/** Draws a template image from its query, for the badge form's live preview. */
export const BADGE_PREVIEW_PATH = '/badges/preview.svg';

/**
 * Headers that keep a served file from acting as a page of this site. The browser may not guess
 * another type. A file opened directly runs no script, loads nothing from elsewhere and gets an
 * opaque origin.
 */
export const SAFE_FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
} as const;

/** Decodes a path segment holding a Relay global id of `typename` to its row id, or null. */
export function rowIdFromPath(segment: string, typename: string): number | null {
  try {
    const decoded = decodeGlobalID(decodeURIComponent(segment));
    if (decoded.typename !== typename || !/^[1-9]\d{0,9}$/.test(decoded.id)) {
      return null;
    }
    const id = Number(decoded.id);
    return id <= 2_147_483_647 ? id : null;
  } catch {
    return null;
  }
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Adds a charset to text types, which are stored as UTF-8. */
function servedContentType(contentType: string): string {
  return contentType.startsWith('text/') || contentType === 'image/svg+xml'
    ? `${contentType}; charset=utf-8`
    : contentType;
}

/** Builds a Content-Disposition value with an ASCII fallback name and the UTF-8 name (RFC 6266). */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export interface ServedFile {
  contentType: string;
  content: Uint8Array;
  sha256: string;
  headers: Record<string, string>;
}

/**
 * Sends a stored file with the safe headers and an ETag from its SHA-256. Sends 304 when the
 * request's If-None-Match already names it, and no body to HEAD.
 */
export function sendFile(request: IncomingMessage, response: ServerResponse, file: ServedFile) {
  const etag = `"${file.sha256}"`;
  const headers = {
    ...SAFE_FILE_HEADERS,
    ...file.headers,
    ETag: etag,
  };
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    response.writeHead(304, headers).end();
    return;
  }
  response.writeHead(200, {
    ...headers,
    'Content-Type': servedContentType(file.contentType),
    'Content-Length': String(file.content.length),
  });
  response.end(request.method === 'HEAD' ? undefined : file.content);
}

/** Sends the one 404 used for a missing file and for a file the viewer may not read. */
export function sendFileNotFound(response: ServerResponse): void {
  response
    .writeHead(404, {
      ...SAFE_FILE_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    })
    .end('Not found, or you do not have access to it.');
}

/**
 * Sends the template image that `color` (#rrggbb) and `symbol` (a BadgeImageSymbol value, in
 * either case) of the query describe, or 400 when either is invalid. It reads no stored data.
 */
function sendTemplatePreview(request: IncomingMessage, response: ServerResponse, url: URL): void {
  const color = url.searchParams.get('color') ?? '';
  const symbol = (url.searchParams.get('symbol') ?? '').toLowerCase();
  if (
    !/^#[0-9a-fA-F]{6}$/.test(color) ||
    !(BADGE_IMAGE_SYMBOLS as readonly string[]).includes(symbol)
  ) {
    response
      .writeHead(400, { ...SAFE_FILE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
      .end(`Give color as #rrggbb and symbol as one of ${BADGE_IMAGE_SYMBOLS.join(', ')}.`);
    return;
  }
  const content = new TextEncoder().encode(renderBadgeTemplate({ color, symbol }));
  sendFile(request, response, {
    contentType: 'image/svg+xml',
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
    headers: {
      'Content-Disposition': contentDisposition('inline', 'badge.svg'),
      'Cache-Control': 'public, max-age=86400',
    },
  });
}

/**
 * Serves uploads at GET /uploads/<Upload global id>/<file name> to those who may read them, and
 * badge images at GET /badges/<Badge global id>/image to those who may read the badge (anyone,
 * for badges of public communities). A missing file and a file without access both get 404.
 */
export function createUploadRoutes(routeDeps: HttpRouteDeps): HttpRoute {
  return async (request, response, url) => {
    const upload = UPLOAD_PATH.exec(url.pathname);
    const badgeImage = BADGE_IMAGE_PATH.exec(url.pathname);
    const isPreview = url.pathname === BADGE_PREVIEW_PATH;
    if (!upload && !badgeImage && !isPreview) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      response
        .writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Use GET for files.');
      return true;
    }
    if (isPreview) {
      sendTemplatePreview(request, response, url);
      return true;
    }
    const context = await contextOrUnauthorized(routeDeps, request, response);
    if (!context) {
      return true;
    }

    if (upload) {
      const uploadId = rowIdFromPath(upload[1] ?? '', 'Upload');
      const stored = uploadId === null ? null : await loadReadableUpload(context, uploadId);
      if (!stored || safeDecode(upload[2] ?? '') !== stored.fileName) {
        sendFileNotFound(response);
        return true;
      }
      const isEvidence = stored.purpose === 'evidence';
      sendFile(request, response, {
        contentType: stored.contentType,
        content: stored.content,
        sha256: stored.sha256,
        headers: {
          'Content-Disposition': contentDisposition(
            isEvidence ? 'attachment' : 'inline',
            stored.fileName,
          ),
          // Access can be taken away, so the browser checks the ETag again on each use.
          'Cache-Control': 'private, no-cache',
          ...(isEvidence ? { 'Cross-Origin-Resource-Policy': 'same-origin' } : {}),
        },
      });
      return true;
    }

    const badgeId = rowIdFromPath(badgeImage?.[1] ?? '', 'Badge');
    const image =
      badgeId !== null && (await context.access.canReadBadge(badgeId))
        ? await loadBadgeImage(context.db, badgeId)
        : null;
    if (!image) {
      sendFileNotFound(response);
      return true;
    }
    sendFile(request, response, {
      contentType: image.contentType,
      content: image.content,
      sha256: image.sha256,
      headers: {
        'Content-Disposition': contentDisposition(
          'inline',
          image.contentType === 'image/png' ? 'badge.png' : 'badge.svg',
        ),
        'Cache-Control': image.isPublic ? 'public, no-cache' : 'private, no-cache',
      },
    });
    return true;
  };
}
