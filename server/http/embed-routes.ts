import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { checkEmbedKey } from '../embed/embed-access.ts';
import { parseEmbedOrigin } from '../services/embed-key.ts';
import type { EmbedUsageCounter } from '../services/embed-usage.ts';
import type { HttpRoute, HttpRouteDeps } from './route.ts';

/** Widgets of the iframe variant, by the last part of /embed/frame/<widget>. */
export const FRAME_WIDGETS = ['feed', 'sessions', 'chat', 'badges', 'community'] as const;

/** Query parameters that become attributes of the framed widget's element. */
const FRAME_ATTRIBUTES = ['community', 'session', 'person', 'items', 'theme', 'locale'] as const;

const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

function sendText(response: ServerResponse, status: number, text: string, headers = {}): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    })
    .end(text);
}

/**
 * Serves the widget files under /embed/ (the loader and its chunks, readable from any site) and
 * the iframe variant at /embed/frame/<widget>, which only the key's origins may frame.
 */
export function createEmbedRoutes(
  routeDeps: HttpRouteDeps,
  clientRoot: string | null,
  usage: EmbedUsageCounter,
): HttpRoute {
  const { deps } = routeDeps;
  const embedRoot = clientRoot === null ? null : join(clientRoot, 'embed');

  return async (request, response, url) => {
    if (!url.pathname.startsWith('/embed/') || url.pathname === '/embed/graphql') {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      if (url.pathname.startsWith('/embed/frame/') || /\.\w+$/.test(url.pathname)) {
        sendText(response, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
        return true;
      }
      return false;
    }
    const frame = /^\/embed\/frame\/([a-z]+)$/.exec(url.pathname);
    if (frame) {
      await serveFrame(frame[1] ?? '', url, response);
      return true;
    }
    const asset = /^\/embed\/([A-Za-z0-9_.-]+\.(?:js|css|json))$/.exec(url.pathname);
    if (asset && embedRoot !== null) {
      await serveAsset(embedRoot, asset[1] ?? '', request.method === 'HEAD', response);
      return true;
    }
    // Other /embed/ paths, such as the sign-in popup, are pages of the web client.
    return false;
  };

  async function serveFrame(widget: string, url: URL, response: ServerResponse): Promise<void> {
    const denyFraming = {
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cache-Control': 'no-store',
    };
    if (!(FRAME_WIDGETS as readonly string[]).includes(widget)) {
      sendText(response, 404, `There is no widget named "${widget.slice(0, 40)}".`, denyFraming);
      return;
    }
    // A frame's page load sends no Origin header: frame-ancestors below limits who may frame it.
    const check = await checkEmbedKey(deps, url.searchParams.get('embed-key') ?? '', null);
    if (!check.ok) {
      sendText(response, check.refusal.status, check.refusal.message, denyFraming);
      return;
    }
    usage.count(check.key.row.id, 'frames');
    // Only origins that still parse cleanly reach the policy, so that a stored value with policy
    // syntax such as `https://*` can never widen it.
    const origins = check.key.row.allowedOrigins.filter((origin) => {
      const parsed = parseEmbedOrigin(origin);
      return 'origin' in parsed && parsed.origin === origin;
    });
    // NOTE: frame-ancestors is checked when the frame loads, so a frame already open on an origin
    // removed from the key keeps working until it is reloaded.
    const ancestors = ["'self'", ...origins].join(' ');
    const attributes = [
      `embed-key="${escapeHtml(check.key.row.publicKey)}"`,
      ...FRAME_ATTRIBUTES.flatMap((name) => {
        const value = url.searchParams.get(name);
        return value === null ? [] : [`${name}="${escapeHtml(value.slice(0, 200))}"`];
      }),
    ].join(' ');
    const html = `<!doctype html>
<html lang="${escapeHtml((url.searchParams.get('locale') ?? 'en').slice(0, 35))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Staffroom widget</title>
<style>html, body { margin: 0; padding: 0; background: transparent; }</style>
<script type="module" src="/embed/loader.js"></script>
</head>
<body>
<staffroom-${widget} ${attributes} frame></staffroom-${widget}>
</body>
</html>
`;
    response
      .writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'strict-origin',
        'Content-Security-Policy': [
          "default-src 'none'",
          "script-src 'self'",
          "connect-src 'self' ws: wss:",
          "img-src 'self' data:",
          "style-src 'self' 'unsafe-inline'",
          "base-uri 'none'",
          "form-action 'none'",
          `frame-ancestors ${ancestors}`,
        ].join('; '),
      })
      .end(html);
  }
}

async function serveAsset(
  root: string,
  name: string,
  headOnly: boolean,
  response: ServerResponse,
): Promise<void> {
  const file = normalize(join(root, name));
  const info = file.startsWith(root + sep) ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) {
    sendText(response, 404, 'Not found', { 'Access-Control-Allow-Origin': '*' });
    return;
  }
  const extension = name.slice(name.lastIndexOf('.'));
  // The loader keeps its name, so portals pick up a new release within five minutes. The chunks
  // it imports carry a content hash in their names and never change.
  const cacheControl =
    name === 'loader.js' || name === 'sizes.json'
      ? 'public, max-age=300'
      : 'public, max-age=31536000, immutable';
  response.writeHead(200, {
    'Content-Type': ASSET_TYPES[extension] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': cacheControl,
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
  });
  if (headOnly) {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}
