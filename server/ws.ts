import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, type YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { GraphQLContext } from '../schema/index.ts';
import {
  AuthenticationError,
  type ContextDeps,
  clientAddressOf,
  createContext,
  isTrustedOrigin,
  parseBearer,
  parseCookie,
  SESSION_COOKIE,
} from './context.ts';
import { runAt } from './timers.ts';
import type { OperationScope } from './yoga-plugins.ts';

/** Operations one socket may run at once. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => ReturnType<typeof import('graphql').execute>;
  subscribe: (args: ExecutionArgs) => ReturnType<typeof import('graphql').subscribe>;
}

export interface WebSocketOptions {
  server: Server;
  yoga: YogaServerInstance<{ staffroom: GraphQLContext }, GraphQLContext>;
  deps: ContextDeps;
  scope: AsyncLocalStorage<OperationScope>;
  isDraining: () => boolean;
}

/**
 * Serves GraphQL over WebSocket (the graphql-ws protocol) on `/graphql`, through the same Yoga
 * plugins as HTTP. A bearer token comes in `connection_init`, and the session cookie counts
 * only from a trusted origin. A rejected token closes the socket with 4403.
 */
export function attachWebSocketServer(options: WebSocketOptions): WebSocketServer {
  const { server, yoga, deps, scope: statements } = options;
  const { log, trustedOrigins } = deps;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const socketsBySignIn = new Map<number, Set<WebSocket>>();
  const stopListening = new AbortController();
  sockets.on('close', () => stopListening.abort());
  // Signing out on any process closes that sign-in's sockets on every process.
  deps.bus.listen((notice) => {
    const match = /^auth-session:(\d+)$/.exec(notice.topic);
    const open = match ? socketsBySignIn.get(Number(match[1])) : undefined;
    for (const webSocket of open ?? []) {
      webSocket.close(4403, 'Signed out');
    }
  }, stopListening.signal);
  server.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== '/graphql' || options.isDraining()) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
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

  useServer<Record<string, unknown>, { base?: GraphQLContext }>(
    {
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const request = ctx.extra.request;
        const authorization = ctx.connectionParams?.authorization;
        const cookieAllowed = isTrustedOrigin(request.headers.origin, trustedOrigins);
        try {
          ctx.extra.base = await createContext(
            deps,
            {
              bearer: typeof authorization === 'string' ? parseBearer(authorization) : null,
              cookie: cookieAllowed ? parseCookie(request.headers.cookie, SESSION_COOKIE) : null,
            },
            () => {},
            log.child({ socketId: randomUUID() }),
            {
              clientAddress: clientAddressOf(
                request.socket.remoteAddress,
                request.headers['x-forwarded-for'],
                deps.trustProxy,
              ),
              userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
            },
          );
          // A revoked sign-in closes its sockets through the bus notice above, and an expired one
          // when it expires. Either way the client gets 4403 and prompts the person to sign in.
          const expiresAt = ctx.extra.base.authExpiresAt;
          if (expiresAt) {
            closeAtExpiry(ctx.extra.socket, expiresAt);
          }
          const authSessionId = ctx.extra.base.authSessionId;
          if (authSessionId !== null) {
            const open = socketsBySignIn.get(authSessionId) ?? new Set<WebSocket>();
            open.add(ctx.extra.socket);
            socketsBySignIn.set(authSessionId, open);
            ctx.extra.socket.once('close', () => {
              open.delete(ctx.extra.socket);
              if (open.size === 0) {
                socketsBySignIn.delete(authSessionId);
              }
            });
          }
          return true;
        } catch (error) {
          if (error instanceof AuthenticationError) {
            // Returning false closes the socket with 4403 Forbidden.
            return false;
          }
          throw error;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
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
        const enveloped = yoga.getEnveloped({ ...ctx, staffroom: base });
        // A document that fails to parse or breaks a limit ends this operation only; thrown
        // here, graphql-ws would close the whole socket with 4500.
        let document: ReturnType<typeof enveloped.parse>;
        let errors: readonly GraphQLError[];
        try {
          document = enveloped.parse(payload.query);
          errors = enveloped.validate(enveloped.schema, document);
        } catch (error) {
          return [
            error instanceof GraphQLError ? error : createGraphQLError('The document is invalid.'),
          ];
        }
        if (errors.length > 0) {
          return errors;
        }
        const subscriptionContext = await enveloped.contextFactory();
        return {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          // Each operation gets its own access cache, so that membership changes apply at
          // once on a long-lived socket.
          contextValue: { ...subscriptionContext, access: base.access.fresh() },
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        } satisfies ExecutionArgs;
      },
      execute: (args) =>
        statements.run({ count: 0, log: (args.contextValue as GraphQLContext).log }, () =>
          (args.rootValue as EnvelopedRoot).execute(args),
        ),
      subscribe: (args) =>
        statements.run({ count: 0, log: (args.contextValue as GraphQLContext).log }, () =>
          (args.rootValue as EnvelopedRoot).subscribe(args),
        ),
      onError: (_ctx, _id, _payload, errors) => {
        log.debug({ errors: errors.map((error) => error.message) }, 'Subscription rejected');
      },
    },
    sockets,
  );

  return sockets;
}

function closeAtExpiry(webSocket: WebSocket, expiresAt: Date): void {
  const cancel = runAt(expiresAt.getTime(), () => webSocket.close(4403, 'Sign-in expired'));
  webSocket.once('close', cancel);
}
