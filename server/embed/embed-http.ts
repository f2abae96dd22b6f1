import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from '../../schema/index.ts';
import {
  AuthenticationError,
  type ContextDeps,
  createContext,
  parseBearer,
  type RequestInfo,
} from '../context.ts';
import { sendJson } from '../http/route.ts';
import { embedScopeOf } from '../services/embed-key.ts';
import type { OperationScope } from '../yoga-plugins.ts';
import {
  ConnectionsById,
  checkEmbedKey,
  embedKeyNotice,
  embedRequestParts,
  setEmbedCorsHeaders,
} from './embed-access.ts';

/** Largest request body to the embed endpoint: a persisted operation's id and its variables. */
const MAX_EMBED_BODY_BYTES = 64 * 1024;

// Reports whether Yoga may respond to a subscription with server-sent events under this
// Accept header. graphql-yoga 5.24 (result-processor/accept.js) ignores case and white space,
// takes a wildcard on either side of the slash, and reads a missing header as */*. So */*,
// text/* and Text/Event-Stream open a stream as text/event-stream does, and a stream left
// unregistered would outlive a revoked or changed key.
export function mayStreamEvents(accept: string | undefined): boolean {
  if (!accept) {
    return true;
  }
  return accept
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .some((entry) => {
      const [mediaType = '', ...parameters] = entry.split(';');
      const charset = parameters.find((parameter) => parameter.includes('charset='));
      if (charset !== undefined && charset !== 'charset=utf-8') {
        return false;
      }
      const [type, subtype] = mediaType.split('/');
      return (type === '*' || type === 'text') && (subtype === '*' || subtype === 'event-stream');
    });
}

export interface EmbedHttpOptions {
  yoga: YogaServerInstance<{ staffroom: GraphQLContext }, GraphQLContext>;
  deps: ContextDeps;
  statements: AsyncLocalStorage<OperationScope>;
  requestInfo: (request: IncomingMessage) => RequestInfo;
  /** Ends listening to the bus. */
  signal: AbortSignal;
}

/**
 * Serves `/embed/graphql` over HTTP: persisted operations only, through an embed key, with CORS
 * for the key's origins and never a cookie. Server-sent event streams of a key end when the key
 * changes or is revoked; the widget reconnects and is checked again.
 */
export function createEmbedHttpHandler(
  options: EmbedHttpOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { yoga, deps, statements } = options;
  const streams = new ConnectionsById<ServerResponse>();
  deps.bus.listen((notice) => {
    const change = embedKeyNotice(notice);
    if (change) {
      for (const stream of streams.of(change.embedKeyId)) {
        stream.end();
      }
    }
  }, options.signal);

  return async (request, response) => {
    const parts = embedRequestParts(request);
    // NOTE: nothing limits requests or event streams per key or per address here yet.
    const check = await checkEmbedKey(deps, parts.publicKey, parts.origin);
    if (request.method === 'OPTIONS' && (check.ok || check.refusal.readable)) {
      // A browser sends the request only after a successful preflight. So the preflight for a
      // revoked key succeeds too, and the request then gets the readable EMBED_KEY_REVOKED error.
      setEmbedCorsHeaders(response, parts.origin);
      answerPreflight(response);
      return;
    }
    if (!check.ok) {
      const { refusal } = check;
      if (refusal.readable) {
        setEmbedCorsHeaders(response, parts.origin);
      }
      deps.log.debug(
        { code: refusal.code, origin: request.headers.origin },
        'Refused an embed request',
      );
      sendJson(response, refusal.status, {
        errors: [{ message: refusal.message, extensions: { code: refusal.code } }],
      });
      return;
    }
    const { key, origin } = check;
    setEmbedCorsHeaders(response, origin);
    if (request.method === 'POST') {
      const length = Number(request.headers['content-length']);
      if (!request.headers['content-length'] || !Number.isFinite(length)) {
        sendJson(response, 411, {
          errors: [{ message: 'Send a Content-Length header with the request body.' }],
        });
        return;
      }
      if (length > MAX_EMBED_BODY_BYTES) {
        sendJson(response, 413, {
          errors: [
            {
              message: `The request body is ${length} bytes; at most ${MAX_EMBED_BODY_BYTES} are accepted.`,
            },
          ],
        });
        return;
      }
    }

    const requestId = String(request.headers['x-request-id'] ?? randomUUID()).slice(0, 100);
    const requestLog = deps.log.child({ requestId, embedKeyId: key.row.id });
    response.setHeader('X-Request-Id', requestId);
    let context: GraphQLContext;
    try {
      context = await createContext(
        deps,
        {
          bearer: parseBearer(request.headers.authorization),
          cookie: null,
          embed: { scope: embedScopeOf(key), origin },
        },
        () => {},
        requestLog,
        options.requestInfo(request),
      );
    } catch (error) {
      if (error instanceof AuthenticationError) {
        sendJson(response, 401, {
          errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }],
        });
        return;
      }
      throw error;
    }

    const isEventStream = mayStreamEvents(request.headers.accept);
    const forget = isEventStream ? streams.add(key.row.id, response) : () => {};
    response.once('close', forget);
    await statements.run({ count: 0, log: context.log }, () =>
      yoga(request, response, { staffroom: context }),
    );
  };
}

function answerPreflight(response: ServerResponse): void {
  response
    .writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, X-Request-Id',
      'Access-Control-Max-Age': '600',
    })
    .end();
}
