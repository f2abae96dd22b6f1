import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, type YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { GraphQLContext } from '../schema/index.ts';
import type { TopicClaim } from '../schema/subscriptions/stream.ts';
import {
  AuthenticationError,
  type ContextDeps,
  type Credentials,
  clientAddressOf,
  createContext,
  isTrustedOrigin,
  parseBearer,
  parseCookie,
  SESSION_COOKIE,
} from './context.ts';
import {
  ConnectionsById,
  checkEmbedKey,
  EMBED_CHANGED_CLOSE_CODE,
  EMBED_DOCUMENTS,
  EMBED_FORBIDDEN_CLOSE_CODE,
  embedKeyNotice,
  embedRequestParts,
} from './embed/embed-access.ts';
import { unavailableErrorFrom } from './errors.ts';
import { lazyChild } from './log.ts';
import { embedScopeOf, type LoadedEmbedKey } from './services/embed-key.ts';
import { type DeliveryStats, SharedDelivery } from './shared-delivery.ts';
import { runAt } from './timers.ts';
import type { OperationScope } from './yoga-plugins.ts';

/** Operations one socket may run at once. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => ReturnType<typeof import('graphql').execute>;
  subscribe: (args: ExecutionArgs) => ReturnType<typeof import('graphql').subscribe>;
}

type Yoga = YogaServerInstance<{ staffroom: GraphQLContext }, GraphQLContext>;

export interface WebSocketOptions {
  server: Server;
  yoga: Yoga;
  /** The Yoga instance of /embed/graphql, whose sockets run persisted operations only. */
  embedYoga: Yoga;
  deps: ContextDeps;
  scope: AsyncLocalStorage<OperationScope>;
  isDraining: () => boolean;
}

/** The sockets of both endpoints, for shutdown. */
export interface GraphQLSockets {
  readonly clients: ReadonlySet<WebSocket>;
  /** What the shared delivery of topic events has done on this process. */
  deliveryStats(): DeliveryStats;
  close(): void;
}

type SocketExtra = { base?: GraphQLContext };

/** A subscription whose topic stream the shared delivery may take over once it has started. */
interface PendingClaim {
  socket: WebSocket;
  operationId: string;
  base: GraphQLContext;
  source: string;
  endpoint: string;
  topicClaim: TopicClaim;
}

/** The parts that differ between the two endpoints: authentication and finding a document. */
interface SocketEndpoint {
  name: string;
  yoga: Yoga;
  credentialsOf(request: IncomingMessage, connectionParams: Record<string, unknown>): Credentials;
  /** Returns the document text, or the errors that end the operation. */
  documentOf(payload: SubscribePayload): string | readonly GraphQLError[];
}

/**
 * Serves GraphQL over WebSocket (the graphql-ws protocol) on `/graphql`, through the same Yoga
 * plugins as HTTP. A bearer token comes in `connection_init`, and the session cookie counts
 * only from a trusted origin. A rejected token closes the socket with 4403.
 *
 * Widgets use `/embed/graphql?key=…`: the upgrade is refused for an origin the key does not
 * allow, operations name a persisted document by id, and only widget sign-ins made for the key
 * and the page's origin are accepted. A revoked key closes its sockets with 4403, and a changed
 * one with 1012 so that they reconnect and are checked again.
 */
export function attachWebSocketServer(options: WebSocketOptions): GraphQLSockets {
  const { server, deps } = options;
  const { log, trustedOrigins } = deps;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const embedSockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const embedKeys = new WeakMap<IncomingMessage, { key: LoadedEmbedKey; origin: string | null }>();
  const socketsBySignIn = new ConnectionsById<WebSocket>();
  const socketsByKey = new ConnectionsById<WebSocket>();
  const stopListening = new AbortController();
  const shared = new SharedDelivery(deps.hub, options.scope, log);
  const claims = new WeakMap<ExecutionArgs, PendingClaim>();
  sockets.on('close', () => stopListening.abort());
  // Signing out on any process closes that sign-in's sockets on every process, and so does a
  // change to an embed key for the sockets opened through it.
  // NOTE: these notices are not stored as events, so a notice lost on Redis leaves that
  // process's sockets under the key's old settings until they reconnect.
  deps.bus.listen((notice) => {
    const match = /^auth-session:(\d+)$/.exec(notice.topic);
    for (const webSocket of match ? socketsBySignIn.of(Number(match[1])) : []) {
      webSocket.close(4403, 'Signed out');
    }
    const change = embedKeyNotice(notice);
    if (change) {
      for (const webSocket of socketsByKey.of(change.embedKeyId)) {
        if (change.revoked) {
          webSocket.close(EMBED_FORBIDDEN_CLOSE_CODE, 'Embed key revoked');
        } else {
          webSocket.close(EMBED_CHANGED_CLOSE_CODE, 'Embed key changed');
        }
      }
    }
  }, stopListening.signal);

  server.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if ((pathname !== '/graphql' && pathname !== '/embed/graphql') || options.isDraining()) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    if (pathname === '/embed/graphql') {
      upgradeEmbed(request, socket, head).catch((error: unknown) => {
        log.error({ err: error }, 'Opening a widget socket failed');
        socket.end('HTTP/1.1 500 Internal Server Error\r\n\r\n');
      });
      return;
    }
    // Browsers always send Origin on a WebSocket upgrade, and CORS does not apply to it. Without
    // this check, a page on another site could open a socket, so only the allow list may.
    if (request.headers.origin && !trustedOrigins.has(request.headers.origin)) {
      log.warn({ origin: request.headers.origin }, 'Refused a WebSocket from an untrusted origin');
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nOrigin not allowed');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      sockets.emit('connection', webSocket, request);
    });
  });

  async function upgradeEmbed(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const { publicKey, origin } = embedRequestParts(request);
    const check = await checkEmbedKey(deps, publicKey, origin);
    if (!check.ok) {
      log.debug({ code: check.refusal.code, origin }, 'Refused a widget socket');
      const status = check.refusal.status === 404 ? '404 Not Found' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\n\r\n${check.refusal.message}`);
      return;
    }
    embedKeys.set(request, { key: check.key, origin });
    embedSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const forget = socketsByKey.add(check.key.row.id, webSocket);
      webSocket.once('close', forget);
      embedSockets.emit('connection', webSocket, request);
    });
  }

  const serve = (socketServer: WebSocketServer, endpoint: SocketEndpoint) =>
    useServer<Record<string, unknown>, SocketExtra>(
      {
        connectionInitWaitTimeout: 10_000,
        onConnect: async (ctx) => {
          const request = ctx.extra.request;
          try {
            ctx.extra.base = await createContext(
              deps,
              endpoint.credentialsOf(request, ctx.connectionParams ?? {}),
              () => {},
              lazyChild(log, { socketId: randomUUID() }),
              {
                clientAddress: clientAddressOf(
                  request.socket.remoteAddress,
                  request.headers['x-forwarded-for'],
                  deps.trustProxy,
                ),
                userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
              },
            );
            // A revoked sign-in closes its sockets through the bus notice above, and an expired
            // one when it expires. Either way the client gets 4403 and prompts the person to
            // sign in.
            const expiresAt = ctx.extra.base.authExpiresAt;
            if (expiresAt) {
              closeAtExpiry(ctx.extra.socket, expiresAt);
            }
            const authSessionId = ctx.extra.base.authSessionId;
            if (authSessionId !== null) {
              ctx.extra.socket.once('close', socketsBySignIn.add(authSessionId, ctx.extra.socket));
            }
            // The upgrade request (its headers, its parser state) is needed only to sign in;
            // graphql-ws would keep it for the socket's whole life.
            Reflect.set(ctx.extra, 'request', undefined);
            return true;
          } catch (error) {
            if (error instanceof AuthenticationError) {
              // Returning false closes the socket with 4403 Forbidden.
              return false;
            }
            // graphql-ws closes with 4500 for a thrown error, which its clients treat as final.
            // 1013 means "try again later", and the database may be back by then.
            if (unavailableErrorFrom(error)) {
              log.warn('Closed a socket that signed in while the database was unavailable');
              ctx.extra.socket.close(1013, 'Database unavailable; try again later');
              return false;
            }
            throw error;
          }
        },
        onSubscribe: async (ctx, id, payload) => {
          const base = ctx.extra.base;
          if (!base) {
            return [createGraphQLError('The connection is not initialised.')];
          }
          // graphql-ws registers the operation before this runs, so it counts itself.
          if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET) {
            return [
              createGraphQLError(
                `One socket may run at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions at once; end one first.`,
                { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } },
              ),
            ];
          }
          const source = endpoint.documentOf(payload);
          if (typeof source !== 'string') {
            return source;
          }
          const enveloped = endpoint.yoga.getEnveloped({ ...ctx, staffroom: base });
          // A document that fails to parse or breaks a limit ends this operation only; thrown
          // here, graphql-ws would close the whole socket with 4500.
          let document: ReturnType<typeof enveloped.parse>;
          let errors: readonly GraphQLError[];
          try {
            document = enveloped.parse(source);
            errors = enveloped.validate(enveloped.schema, document);
          } catch (error) {
            return [
              error instanceof GraphQLError
                ? error
                : createGraphQLError('The document is invalid.'),
            ];
          }
          if (errors.length > 0) {
            return errors;
          }
          const subscriptionContext = await enveloped.contextFactory();
          const topicClaim: TopicClaim = { stream: null };
          const args = {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            // Each operation gets its own access cache, so that membership changes apply at
            // once on a long-lived socket.
            contextValue: { ...subscriptionContext, access: base.access.fresh(), topicClaim },
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          } satisfies ExecutionArgs;
          claims.set(args, {
            socket: ctx.extra.socket,
            operationId: id,
            base,
            source,
            endpoint: endpoint.name,
            topicClaim,
          });
          return args;
        },
        execute: (args) =>
          options.scope.run({ count: 0, log: (args.contextValue as GraphQLContext).log }, () =>
            (args.rootValue as EnvelopedRoot).execute(args),
          ),
        subscribe: async (args) => {
          const root = args.rootValue as EnvelopedRoot;
          const result = await options.scope.run(
            { count: 0, log: (args.contextValue as GraphQLContext).log },
            () => root.subscribe(args),
          );
          const claim = claims.get(args);
          claims.delete(args);
          const stream = claim?.topicClaim.stream;
          if (!claim || !stream || !(Symbol.asyncIterator in result)) {
            return result;
          }
          // The topic's events are delivered by the shared delivery, so the stream that the
          // resolver returned is never read; closing it releases nothing but itself.
          await result.return?.();
          const { topicClaim: _claim, ...contextValue } = args.contextValue as Record<
            string,
            unknown
          >;
          const iterator = await shared.join({
            socket: claim.socket,
            operationId: claim.operationId,
            base: claim.base,
            stream,
            args: { ...args, contextValue, rootValue: undefined },
            source: claim.source,
            endpoint: claim.endpoint,
          });
          // graphql-ws keeps these arguments for as long as the operation runs; the shared
          // delivery needs none of their per-operation context.
          Object.assign(args, { contextValue: undefined, rootValue: undefined });
          return iterator;
        },
        onError: (_ctx, _id, _payload, errors) => {
          log.debug({ errors: errors.map((error) => error.message) }, 'Subscription rejected');
        },
      },
      socketServer,
    );

  serve(sockets, {
    name: 'graphql',
    yoga: options.yoga,
    credentialsOf: (request, connectionParams) => {
      const authorization = connectionParams.authorization;
      return {
        bearer: typeof authorization === 'string' ? parseBearer(authorization) : null,
        cookie: isTrustedOrigin(request.headers.origin, trustedOrigins)
          ? parseCookie(request.headers.cookie, SESSION_COOKIE)
          : null,
      };
    },
    documentOf: (payload) => payload.query,
  });

  serve(embedSockets, {
    name: 'embed',
    yoga: options.embedYoga,
    credentialsOf: (request, connectionParams) => {
      const authorization = connectionParams.authorization;
      const embed = embedKeys.get(request);
      if (!embed) {
        throw new Error('A widget socket opened without a checked embed key');
      }
      return {
        bearer: typeof authorization === 'string' ? parseBearer(authorization) : null,
        cookie: null,
        embed: { scope: embedScopeOf(embed.key), origin: embed.origin },
      };
    },
    documentOf: persistedDocumentOf,
  });

  return {
    get clients() {
      return new Set([...sockets.clients, ...embedSockets.clients]);
    },
    deliveryStats: () => shared.stats(),
    close() {
      sockets.close();
      embedSockets.close();
    },
  };
}

/**
 * Finds the persisted document that a widget's operation names. The query must be empty:
 * widgets cannot send a document of their own.
 */
function persistedDocumentOf(payload: SubscribePayload): string | readonly GraphQLError[] {
  const persisted = (
    payload.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined
  )?.persistedQuery;
  const id = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : null;
  if (payload.query || id === null) {
    return [
      createGraphQLError(
        'Widgets may run only persisted operations: send an empty query and extensions.persistedQuery.sha256Hash.',
        { extensions: { code: 'PERSISTED_QUERY_ONLY' } },
      ),
    ];
  }
  const document = EMBED_DOCUMENTS.get(id);
  if (document === undefined) {
    return [
      createGraphQLError('No persisted operation has this id; reload the widget.', {
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
      }),
    ];
  }
  return document;
}

function closeAtExpiry(webSocket: WebSocket, expiresAt: Date): void {
  const cancel = runAt(expiresAt.getTime(), () => webSocket.close(4403, 'Sign-in expired'));
  webSocket.once('close', cancel);
}
