import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { getOperationAST } from 'graphql';
import {
  createGraphQLError,
  createYoga,
  isAsyncIterable,
  mapAsyncIterator,
  type Plugin,
} from 'graphql-yoga';
import { type DatabaseHandle, migrateDatabase, openDatabase } from '../drizzle/db.ts';
import { ensureIsteFramework } from '../drizzle/iste.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../schema/builder.ts';
import { type GraphQLContext, schema } from '../schema/index.ts';
import { hashPassword } from './auth/passwords.ts';
import { pruneRateLimits } from './auth/rate-limit.ts';
import { createSecretBox, deriveKey } from './auth/secret-box.ts';
import { AccessBatcher } from './auth/viewer-access.ts';
import { ensureClientBuilt } from './client-build.ts';
import type { Config } from './config.ts';
import {
  AuthenticationError,
  type ContextDeps,
  clientAddressOf,
  createContext,
  isTrustedOrigin,
  parseBearer,
  parseCookie,
  publishNotices,
  SESSION_COOKIE,
  serializeSessionCookie,
} from './context.ts';
import { ensureCredentialKey } from './credentials/key-ring.ts';
import { EMBED_DOCUMENTS } from './embed/embed-access.ts';
import { createEmbedHttpHandler } from './embed/embed-http.ts';
import {
  UNAVAILABLE_RETRY_AFTER_SECONDS,
  type UnavailableError,
  unavailableErrorFrom,
} from './errors.ts';
import { createAccountExportRoute } from './http/account-export.ts';
import { createAnalyticsRoutes } from './http/analytics-routes.ts';
import { createAttendanceRoutes } from './http/attendance-routes.ts';
import { createCalendarRoutes } from './http/calendar-routes.ts';
import { createCredentialRoutes } from './http/credential-routes.ts';
import { createEmbedRoutes } from './http/embed-routes.ts';
import { createMuteRoutes } from './http/mute-routes.ts';
import type { HttpRoute, HttpRouteDeps } from './http/route.ts';
import { createSsoRoutes } from './http/sso-routes.ts';
import { createUploadRoutes } from './http/upload-routes.ts';
import { createLogger, type Logger } from './log.ts';
import { createMuteLinks } from './mail/mute-links.ts';
import { startNotificationMailWorker } from './mail/notification-worker.ts';
import { createMailTransport } from './mail/transport.ts';
import { startMailWorker } from './mail/worker.ts';
import { createEventBus } from './pubsub/event-bus.ts';
import { EventHub } from './pubsub/event-hub.ts';
import { EmbedUsageCounter } from './services/embed-usage.ts';
import { startPresenceWorker } from './services/presence.ts';
import { startReminderWorker } from './services/reminders.ts';
import type { DeliveryStats } from './shared-delivery.ts';
import { serveStatic } from './static.ts';
import { attachWebSocketServer } from './ws.ts';
import {
  maskError,
  type OperationScope,
  operationDepth,
  statementCountPlugin,
  variableCostPlugin,
  writeScopePlugin,
} from './yoga-plugins.ts';

export interface RunningServer {
  url: string;
  port: number;
  database: DatabaseHandle;
  /** What the shared delivery of subscription events has done on this process. */
  deliveryStats(): DeliveryStats;
  /** Stops accepting, drains requests in flight, closes sockets with 1012 and exits cleanly. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
}

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Largest GraphQL request body accepted: 1 MiB, far above any document the client sends. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Largest multipart GraphQL request body (a file upload): a 10 MiB evidence file, the largest
 * upload accepted, plus 1 MiB for the operation, the map and the part headers. A file a little
 * over its limit still reaches uploadFile, whose error names the limit.
 */
const MAX_MULTIPART_BODY_BYTES = 11 * 1024 * 1024;

/** Header that a GET request, such as a server-sent event stream, sends to pass CSRF checks. */
export const CSRF_HEADER = 'X-Staffroom-CSRF';

/** Operations in one batched request. */
export const MAX_BATCH = 10;

/**
 * Largest cost of one document: each object field costs 2 and each scalar 1, times 1.5 for each
 * level of nesting, and a connection's cost is multiplied by its page size, from a literal, a
 * variable or the default. The web client's largest page, the community manage page, costs about
 * 12,400.
 */
export const MAX_COST = 20_000;

/** WebSocket close code 1012 (service restart): graphql-ws clients reconnect after it. */
const RESTART_CLOSE_CODE = 1012;

/** Starts Staffroom: database and migrations, pub/sub, GraphQL over HTTP and WebSocket, client. */
export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const startedAt = Date.now();
  const log = options.logger ?? createLogger(config.logLevel);
  const statements = new AsyncLocalStorage<OperationScope>();
  const committedScopes = new WeakSet<OperationScope>();

  const databaseOptions = {
    url: config.databaseUrl,
    dataDir: config.dataDir,
    // Marks the operation's scope, so that an error after the commit reports the change as saved.
    onCommit: () => {
      const scope = statements.getStore();
      if (scope) {
        committedScopes.add(scope);
      }
    },
    onQuery: (query: string) => {
      const counter = statements.getStore();
      if (counter) {
        counter.count += 1;
      }
      log.debug({ sql: query }, 'SQL');
    },
  };
  const database = openDatabase(databaseOptions);
  database.onReachabilityChange((reachable, error) => {
    if (reachable) {
      log.info('Database reachable again');
    } else {
      log.error(
        { err: error },
        'Database unreachable; requests fail with UNAVAILABLE until it answers',
      );
    }
  });
  const { applied } = await migrateDatabase(databaseOptions, database);
  log.info({ applied, driver: database.driver }, 'Migrations applied');
  if (config.seedDemo) {
    const { isDatabaseEmpty, seedDemoData } = await import('../drizzle/seed.ts');
    if (await isDatabaseEmpty(database.db)) {
      const summary = await seedDemoData(database.db, { hashPassword });
      log.info(summary, 'Seeded demo data into the empty database');
    }
  }
  await ensureIsteFramework(database.db);
  await ensureCredentialKey(
    database.db,
    createSecretBox(config),
    log,
    config.credentialSigningSeed,
  );

  const clientRoot = config.serveClient ? await ensureClientBuilt(PROJECT_ROOT, log) : null;
  const bus = createEventBus(config.redisUrl, log);
  const hub = new EventHub(database.db, bus, log, database.reportError);
  // A transaction whose COMMIT went through as the connection failed published no notice.
  database.onReachabilityChange((reachable) => reachable && hub.resync());
  const trustedOrigins = new Set([new URL(config.publicUrl).origin, ...config.corsOrigins]);
  const accessBatcher = new AccessBatcher(database.db);
  const deps: ContextDeps = {
    db: database.db,
    bus,
    hub,
    accessBatcher,
    log,
    trustedOrigins,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    presenceTimeoutMs: config.presenceTimeoutMs,
    analyticsMinGroupSize: config.analyticsMinGroupSize,
    contentLimits: { floodLimits: config.floodLimits, newAccountDays: config.newAccountDays },
  };

  const yogaLogging = {
    debug: (...args: unknown[]) => log.debug({ detail: args }, 'yoga'),
    info: (...args: unknown[]) => log.info({ detail: args }, 'yoga'),
    warn: (...args: unknown[]) => log.warn({ detail: args }, 'yoga'),
    // Yoga reports every GraphQL error here; unexpected ones are logged once by maskError.
    error: (...args: unknown[]) => log.debug({ detail: args }, 'yoga'),
  };
  // A lost database connection is the server's state, not a bug: it gets its own code and HTTP
  // 503, so that clients try again, and its original is logged at debug level only.
  const maskFailure = (error: unknown, message: string): Error => {
    const scope = statements.getStore();
    const scopeLog = scope?.log ?? log;
    // NOTE: the mark covers the whole operation, so in a document with several mutation fields
    // an error after the first one committed is reported as SAVED even for a later field.
    const unavailable = unavailableErrorFrom(
      error,
      scope !== undefined && committedScopes.has(scope),
    );
    if (!unavailable) {
      return maskError(error, message, scopeLog);
    }
    database.reportError(unavailable.cause);
    if (unavailable.outcome === 'UNKNOWN') {
      scopeLog.warn({ err: unavailable.cause }, 'Database connection failed during COMMIT');
    } else {
      scopeLog.debug({ err: unavailable.cause }, 'Operation failed: database unavailable');
    }
    return createGraphQLError(unavailable.message, {
      extensions: {
        code: unavailable.code,
        ...(unavailable.outcome && { outcome: unavailable.outcome }),
        http: {
          status: 503,
          headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
        },
      },
    });
  };
  // Yoga masks results, but not an error that ends a subscription's stream, which graphql-ws
  // would send as it is, and a failed query's message contains its SQL.
  const maskStreamErrors: Plugin = {
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (isAsyncIterable(result)) {
          setResult(
            mapAsyncIterator(
              result,
              (value) => value,
              (error: unknown) => {
                throw maskFailure(error, 'Unexpected error.');
              },
            ),
          );
        }
      },
    }),
  };

  // Limits for a public API, so that one crafted document cannot tie up the database. With
  // every list capped at 100 per page, depth and aliases bound the work of one document.
  // The web client's largest pages (thread and community) nest 6 levels deep.
  const limitPlugins = () => [
    maxDepthPlugin({ n: 12, ignoreIntrospection: true }),
    maxAliasesPlugin({ n: 20 }),
    maxTokensPlugin({ n: 2000 }),
    costLimitPlugin({
      maxCost: MAX_COST,
      objectCost: 2,
      scalarCost: 1,
      depthCostFactor: 1.5,
      ignoreIntrospection: true,
    }),
    variableCostPlugin(
      MAX_COST,
      { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE },
      (cost, args) =>
        statements.getStore()?.log.debug(
          {
            cost,
            depth: operationDepth(args.document, args.operationName),
            operationName: getOperationAST(args.document, args.operationName)?.name?.value,
          },
          'Operation priced',
        ),
    ),
  ];

  const yoga = createYoga<{ staffroom: GraphQLContext }, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Browsers may call the API only from the allow list: PUBLIC_URL's origin and CORS_ORIGINS.
    // Other origins get no CORS headers, so a browser there cannot read the responses. Servers,
    // which send no Origin, call with bearer tokens from anywhere.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (origin && !trustedOrigins.has(origin)) {
        return false;
      }
      return {
        origin: origin ?? '*',
        credentials: origin !== null,
        allowedHeaders: ['Authorization', 'Content-Type', CSRF_HEADER, 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id', 'Retry-After'],
        maxAge: 600,
      };
    },
    // Up to 10 operations in one request, as a JSON array; each counts against every limit.
    batching: { limit: MAX_BATCH },
    context: ({ staffroom }) => staffroom,
    graphiql: { subscriptionsProtocol: 'WS', title: 'Staffroom GraphQL' },
    landingPage: false,
    logging: yogaLogging,
    maskedErrors: {
      maskError: maskFailure,
    },
    plugins: [
      ...limitPlugins(),
      maskStreamErrors,
      // A GET request, or a form post, carries no custom header unless a preflight allowed it,
      // so requiring one stops cross-site requests that CORS does not see.
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER, 'authorization'] }),
      writeScopePlugin(),
      statementCountPlugin(statements, config.exposeQueryStats),
    ],
  });

  const embedUsage = new EmbedUsageCounter(database.db, log, config.embedUsageFlushMs);
  // Counts each operation run through an embed key, over HTTP, server-sent events and WebSocket.
  const countEmbedUse: Plugin = {
    onExecute: ({ args }) => {
      const embed = (args.contextValue as unknown as GraphQLContext).access.embed;
      if (embed) {
        embedUsage.count(embed.embedKeyId, 'requests');
      }
    },
    onSubscribe: ({ args }) => {
      const embed = (args.contextValue as unknown as GraphQLContext).access.embed;
      if (embed) {
        embedUsage.count(embed.embedKeyId, 'subscriptions');
      }
    },
  };

  // Widgets on other sites call /embed/graphql: persisted operations only, through an embed key,
  // with the key's origins for CORS (set by the embed handler) and never a cookie, so no CSRF
  // check is needed there.
  const embedYoga = createYoga<{ staffroom: GraphQLContext }, GraphQLContext>({
    schema,
    graphqlEndpoint: '/embed/graphql',
    cors: false,
    batching: false,
    context: ({ staffroom }) => staffroom,
    graphiql: false,
    landingPage: false,
    logging: yogaLogging,
    maskedErrors: {
      maskError: maskFailure,
    },
    plugins: [
      usePersistedOperations({
        getPersistedOperation: (id) => EMBED_DOCUMENTS.get(id) ?? null,
        allowArbitraryOperations: false,
        customErrors: {
          persistedQueryOnly: {
            message:
              'Widgets may run only persisted operations: send extensions.persistedQuery.sha256Hash.',
            extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
          },
          notFound: {
            message: 'No persisted operation has this id; reload the widget.',
            extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
          },
          keyNotFound: {
            message:
              'Widgets may run only persisted operations: send extensions.persistedQuery.sha256Hash.',
            extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
          },
        },
      }),
      ...limitPlugins(),
      maskStreamErrors,
      writeScopePlugin(),
      statementCountPlugin(statements, config.exposeQueryStats),
      countEmbedUse,
    ],
  });
  const stopListening = new AbortController();

  let draining = false;
  let inFlight = 0;
  const drained = new Set<() => void>();
  // Server-sent event streams never finish by themselves, so shutdown ends them at once instead
  // of waiting for them. A browser's EventSource then reconnects, to another instance.
  const eventStreams = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    const isEventStream = request.headers.accept?.includes('text/event-stream') ?? false;
    if (isEventStream) {
      eventStreams.add(response);
    } else {
      inFlight += 1;
    }
    response.on('close', () => {
      if (isEventStream) {
        eventStreams.delete(response);
        return;
      }
      inFlight -= 1;
      if (inFlight === 0) {
        for (const resolve of drained) {
          resolve();
        }
      }
    });
    void handleRequest(request, response).catch((error: unknown) => {
      const unavailable = unavailableErrorFrom(error);
      if (unavailable && !response.headersSent) {
        database.reportError(unavailable.cause);
        response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        response.writeHead(503, { 'Content-Type': 'text/plain' }).end(unavailable.message);
        return;
      }
      log.error({ err: error, url: request.url }, 'Request failed');
      if (!response.headersSent) {
        response.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal server error');
      } else {
        response.destroy();
      }
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (draining) {
      response.setHeader('Connection', 'close');
    }
    if (pathname === '/healthz') {
      // The process is alive even without its database, so this stays 200; /readyz turns 503.
      sendJson(response, 200, {
        status: 'ok',
        database: database.reachable ? 'ok' : 'unreachable',
      });
      return;
    }
    if (pathname === '/readyz') {
      const [databaseReady, busReady] = await Promise.all([database.ping(), bus.ping()]);
      const ready = databaseReady && busReady && !draining;
      sendJson(response, ready ? 200 : 503, {
        status: ready ? 'ready' : 'unavailable',
        database: databaseReady ? 'ok' : 'unreachable',
        pubsub: busReady ? `${bus.kind} ok` : `${bus.kind} unreachable`,
        draining,
      });
      return;
    }
    if (pathname === '/graphql') {
      await handleGraphQL(request, response);
      return;
    }
    if (pathname === '/embed/graphql') {
      await handleEmbedGraphQL(request, response);
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    for (const route of routes) {
      if (await route(request, response, url)) {
        return;
      }
    }
    if (clientRoot) {
      await serveStatic(clientRoot, request, response);
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  }

  async function handleGraphQL(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'POST') {
      const length = Number(request.headers['content-length']);
      if (!request.headers['content-length'] || !Number.isFinite(length)) {
        sendJson(response, 411, {
          errors: [{ message: 'Send a Content-Length header with the request body.' }],
        });
        return;
      }
      const isMultipart = isMultipartRequest(request);
      const maxBytes = isMultipart ? MAX_MULTIPART_BODY_BYTES : MAX_BODY_BYTES;
      if (length > maxBytes) {
        const uploadLimits = isMultipart
          ? ' Uploads may be at most 10 MB for evidence and 512 KB for badge images.'
          : '';
        sendJson(response, 413, {
          errors: [
            {
              message: `The request body is ${length} bytes; at most ${maxBytes} are accepted.${uploadLimits}`,
            },
          ],
        });
        return;
      }
    }
    const requestId = String(request.headers['x-request-id'] ?? randomUUID()).slice(0, 100);
    const requestLog = log.child({ requestId });
    response.setHeader('X-Request-Id', requestId);
    let context: GraphQLContext;
    try {
      context = await contextFor(request, response, requestLog);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        sendJson(response, 401, {
          errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }],
        });
        return;
      }
      const unavailable = unavailableErrorFrom(error);
      if (unavailable) {
        database.reportError(unavailable.cause);
        sendUnavailable(response, unavailable);
        return;
      }
      throw error;
    }
    await statements.run({ count: 0, log: context.log }, () =>
      yoga(request, response, { staffroom: context }),
    );
  }

  function isSecure(request: IncomingMessage): boolean {
    if (config.publicUrl.startsWith('https:')) {
      return true;
    }
    const proto = request.headers['x-forwarded-proto'];
    return (
      config.trustProxy > 0 && typeof proto === 'string' && proto.split(',')[0]?.trim() === 'https'
    );
  }

  /** Authenticates an HTTP request and builds its resolver context. */
  async function contextFor(
    request: IncomingMessage,
    response: ServerResponse,
    requestLog: Logger = log,
  ): Promise<GraphQLContext> {
    const contentType = request.headers['content-type'] ?? '';
    // A cookie signs in only requests that a cross-site form cannot forge, from a trusted origin
    // or none. These are GET and HEAD (safe methods, which Yoga never lets mutate), a JSON body,
    // and a multipart upload with the CSRF header, which a form cannot add.
    const cookieAllowed =
      isTrustedOrigin(request.headers.origin, trustedOrigins) &&
      (request.method === 'GET' ||
        request.method === 'HEAD' ||
        contentType.startsWith('application/json') ||
        (isMultipartRequest(request) && request.headers[CSRF_HEADER.toLowerCase()] !== undefined));
    const secure = isSecure(request);
    return createContext(
      deps,
      {
        bearer: parseBearer(request.headers.authorization),
        cookie: cookieAllowed ? parseCookie(request.headers.cookie, SESSION_COOKIE) : null,
      },
      (token, expiresAt) => {
        if (!response.headersSent) {
          response.setHeader('Set-Cookie', serializeSessionCookie(token, expiresAt, secure));
        }
      },
      requestLog,
      requestInfoOf(request),
    );
  }

  function requestInfoOf(request: IncomingMessage) {
    return {
      clientAddress: clientAddressOf(
        request.socket.remoteAddress,
        request.headers['x-forwarded-for'],
        config.trustProxy,
      ),
      userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
    };
  }

  const handleEmbedGraphQL = createEmbedHttpHandler({
    yoga: embedYoga,
    deps,
    statements,
    requestInfo: requestInfoOf,
    signal: stopListening.signal,
  });

  const routeDeps: HttpRouteDeps = { config, deps, contextFor, isSecure };
  const muteLinks = createMuteLinks(deriveKey(config, 'staffroom mute links v1'), config.publicUrl);
  // Endpoints beside /graphql, tried in order before the static client.
  const routes: HttpRoute[] = [
    createSsoRoutes(routeDeps),
    createAccountExportRoute(routeDeps),
    createCalendarRoutes(routeDeps),
    createAttendanceRoutes(routeDeps),
    createAnalyticsRoutes(routeDeps),
    createCredentialRoutes(routeDeps),
    createUploadRoutes(routeDeps),
    createEmbedRoutes(routeDeps, clientRoot, embedUsage),
    createMuteRoutes({ db: database.db, muteLinks }),
  ];

  const sockets = attachWebSocketServer({
    server,
    yoga,
    embedYoga,
    deps,
    scope: statements,
    isDraining: () => draining,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const listenHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${listenHost}:${port}`;
  // The server's own loopback addresses count as its origin only when PUBLIC_URL is one too, as
  // in development and tests. A deployment trusts only PUBLIC_URL's origin and CORS_ORIGINS.
  if (['localhost', '127.0.0.1'].includes(new URL(config.publicUrl).hostname)) {
    trustedOrigins.add(`http://localhost:${port}`);
    trustedOrigins.add(`http://127.0.0.1:${port}`);
  }
  log.info(
    { port, url, publicUrl: config.publicUrl, pubsub: bus.kind, startupMs: Date.now() - startedAt },
    'Staffroom listening',
  );
  const mailWorker = startMailWorker({
    db: database.db,
    transport: createMailTransport({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, log }),
    log,
  });

  const notificationMailWorker = startNotificationMailWorker({
    db: database.db,
    log,
    muteLinks,
    publicUrl: config.publicUrl,
    intervalMs: config.notificationMailIntervalMs,
  });

  const reminderWorker = startReminderWorker({
    db: database.db,
    accessBatcher,
    log,
    intervalMs: config.reminderIntervalMs,
    publish: (notices) => publishNotices(deps, log, notices),
  });

  const presenceWorker = startPresenceWorker({
    db: database.db,
    log,
    timeoutMs: config.presenceTimeoutMs,
    intervalMs: config.presenceSweepIntervalMs,
    publish: (notices) => publishNotices(deps, log, notices),
  });

  // Spent rate-limit windows are cleared every 10 minutes, so the table holds only live ones.
  const pruneTimer = setInterval(() => {
    pruneRateLimits(database.db).catch((error: unknown) => {
      log.error({ err: error }, 'Clearing spent rate limit windows failed');
    });
  }, 10 * 60_000);
  pruneTimer.unref();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      draining = true;
      log.info({ inFlight, sockets: sockets.clients.size }, 'Shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const client of sockets.clients) {
        client.close(RESTART_CLOSE_CODE, 'Server restarting');
      }
      for (const stream of eventStreams) {
        stream.end();
      }
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, config.shutdownTimeoutMs);
          drained.add(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      server.closeAllConnections();
      for (const client of sockets.clients) {
        client.terminate();
      }
      sockets.close();
      await closed;
      clearInterval(pruneTimer);
      stopListening.abort();
      await embedUsage.stop();
      await reminderWorker.stop();
      await notificationMailWorker.stop();
      await presenceWorker.stop();
      await mailWorker.stop();
      hub.close();
      await bus.close();
      await database.close();
      log.info('Staffroom stopped');
    })();
    return stopping;
  };

  return { url, port, database, deliveryStats: () => sockets.deliveryStats(), stop };
}

function isMultipartRequest(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

function sendUnavailable(response: ServerResponse, error: UnavailableError): void {
  response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  sendJson(response, 503, {
    errors: [{ message: error.message, extensions: { code: error.code } }],
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
