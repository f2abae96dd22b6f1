import type { IncomingMessage, ServerResponse } from 'node:http';
import { EMBED_OPERATIONS, embedOperationId } from '../../schema/embed-operations.ts';
import type { ContextDeps } from '../context.ts';
import type { EventNotice } from '../pubsub/event-bus.ts';
import { embedOriginAllowed, findEmbedKey, type LoadedEmbedKey } from '../services/embed-key.ts';

/** The persisted documents that widgets may run, by id (the SHA-256 of the document text). */
export const EMBED_DOCUMENTS: ReadonlyMap<string, string> = new Map(
  Object.values(EMBED_OPERATIONS).map((document) => [embedOperationId(document), document]),
);

/** Close code for a socket whose embed key was revoked or whose sign-in ended. */
export const EMBED_FORBIDDEN_CLOSE_CODE = 4403;

/** Close code after a key's settings changed: graphql-ws clients reconnect and are checked again. */
export const EMBED_CHANGED_CLOSE_CODE = 1012;

/** The reason a request through an embed key is rejected, with its HTTP status and error code. */
export interface EmbedRefusal {
  status: number;
  code: 'EMBED_KEY_NOT_FOUND' | 'EMBED_ORIGIN_NOT_ALLOWED' | 'EMBED_KEY_REVOKED';
  message: string;
  /** Whether the browser may read the refusal: only a page at an allowed origin. */
  readable: boolean;
}

export type EmbedCheck =
  | { ok: true; key: LoadedEmbedKey; origin: string | null }
  | { ok: false; refusal: EmbedRefusal };

/** Reads the embed key (the `key` query parameter) and the Origin header of a request. */
export function embedRequestParts(request: IncomingMessage): {
  publicKey: string;
  origin: string | null;
} {
  const url = new URL(request.url ?? '/', 'http://localhost');
  return {
    publicKey: url.searchParams.get('key') ?? '',
    origin: typeof request.headers.origin === 'string' ? request.headers.origin : null,
  };
}

/**
 * Checks an embed key and the page's origin. A request without an Origin header comes from a
 * script, not a browser page: the key alone decides then, since the Origin check protects
 * browsers only.
 */
export async function checkEmbedKey(
  deps: Pick<ContextDeps, 'db' | 'trustedOrigins'>,
  publicKey: string,
  origin: string | null,
): Promise<EmbedCheck> {
  const key = await findEmbedKey(deps.db, publicKey);
  if (!key) {
    return {
      ok: false,
      refusal: {
        status: 404,
        code: 'EMBED_KEY_NOT_FOUND',
        message: 'No embed key matches the key parameter; copy the snippet again from Staffroom.',
        readable: false,
      },
    };
  }
  if (origin !== null && !embedOriginAllowed(key.row, origin, (o) => deps.trustedOrigins.has(o))) {
    return {
      ok: false,
      refusal: {
        status: 403,
        code: 'EMBED_ORIGIN_NOT_ALLOWED',
        message: `This embed key is not enabled for ${origin.slice(0, 200)}.`,
        readable: false,
      },
    };
  }
  if (key.row.revokedAt !== null) {
    return {
      ok: false,
      refusal: {
        status: 403,
        code: 'EMBED_KEY_REVOKED',
        message: 'This embed key was revoked by its owner; the widget is turned off.',
        readable: true,
      },
    };
  }
  return { ok: true, key, origin };
}

/** Sets the CORS headers that let a page at an allowed origin read the response. */
export function setEmbedCorsHeaders(response: ServerResponse, origin: string | null): void {
  response.setHeader('Vary', 'Origin');
  if (origin !== null) {
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
  }
}

/** Reads a bus notice about an embed key: which key, and whether it was revoked or changed. */
export function embedKeyNotice(
  notice: EventNotice,
): { embedKeyId: number; revoked: boolean } | null {
  const match = /^embed-key(-revoked)?:(\d+)$/.exec(notice.topic);
  return match ? { embedKeyId: Number(match[2]), revoked: match[1] !== undefined } : null;
}

/**
 * Open connections grouped by an id (an embed key or a sign-in), so that a notice about that id
 * reaches each of them. `add` returns the function that removes the connection again.
 */
export class ConnectionsById<T> {
  private readonly byId = new Map<number, Set<T>>();

  add(id: number, connection: T): () => void {
    const open = this.byId.get(id) ?? new Set<T>();
    open.add(connection);
    this.byId.set(id, open);
    return () => {
      open.delete(connection);
      if (open.size === 0) {
        this.byId.delete(id);
      }
    };
  }

  of(id: number): T[] {
    return [...(this.byId.get(id) ?? [])];
  }
}
