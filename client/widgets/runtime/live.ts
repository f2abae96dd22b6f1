import { createClient } from 'graphql-ws/client';
import {
  classifyErrors,
  defaultBackoff,
  type EmbedTarget,
  embedEndpoint,
  type Failure,
  type GraphQLError,
  type GraphQLResult,
  type PersistedOperation,
} from './graphql.ts';
import { subscribeOverSse } from './sse.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'stopped';
export type LiveTransport = 'websocket' | 'sse';

export interface LiveOptions {
  /** The key and token to use; read again before each attempt, so a dropped token is left out. */
  target: () => EmbedTarget;
  operation: PersistedOperation;
  /** The subscription's variables except `after`, which this module sets. */
  variables: Record<string, unknown>;
  /** The eventId to start after: the query's eventCursor, or the last event a widget received. */
  after: string | null;
  /** Receives the `data` of each event, in order. */
  onEvent: (data: Record<string, unknown>) => void;
  onState: (state: LiveState, detail: { transport: LiveTransport; retryInMs?: number }) => void;
  /**
   * Receives a failure that live updates cannot retry. After `signed-out` the subscription goes
   * on signed out, so the caller must drop the token before returning; after any other failure
   * it stops for good.
   */
  onFailure: (failure: Failure) => void;
  /** Runs after a reconnection, once the replayed events are on their way. */
  onResync?: () => void;
  /**
   * Runs once per disconnection when the first attempt to reconnect fails, so the widget can
   * check over HTTP whether its content may still be shown.
   */
  onReconnectFailed?: () => void;
  /** A WebSocket class, for Node; the browser's by default. */
  webSocketImpl?: unknown;
  /** Skips the WebSocket and uses server-sent events from the start. */
  preferSse?: boolean;
  /** Failed attempts in a row after which it stops and waits for `reconnect()`. */
  maxAttempts?: number;
  /** Milliseconds to wait before attempt `attempt` (1, 2, ...) after a failure. */
  backoff?: (attempt: number) => number;
}

export interface LiveSubscription {
  stop(): void;
  /**
   * Starts again after it stopped on `maxAttempts`, or cuts short the wait before the next
   * attempt. It does nothing while connected, or after a failure that stopped it for good.
   */
  reconnect(): void;
  /** The eventId of the last event received, or the starting `after`. */
  lastEventId(): string | null;
}

/** The end of one connection attempt. */
interface AttemptEnd {
  failure?: Failure;
  /** Whether the server accepted the connection. */
  accepted: boolean;
  /** Whether the WebSocket never opened, which suggests that something blocks WebSockets. */
  neverOpened?: boolean;
}

/** graphql-ws close codes of a malformed exchange, which reconnecting would only repeat. */
const PROTOCOL_CLOSE_CODES = new Set([4400, 4401, 4406, 4409, 4429]);
/** WebSockets that fail to open in a row before live updates move to server-sent events. */
const OPEN_FAILURES_BEFORE_SSE = 2;
/** A connection that stayed up this long, or delivered an event, resets the backoff. */
const STABLE_CONNECTION_MS = 30_000;

/**
 * Keeps a persisted subscription running: over a WebSocket (graphql-ws) first and over
 * server-sent events when WebSockets cannot open. After each disconnection it waits with
 * backoff and subscribes again with `after` set to the last eventId received, so the server
 * replays the missed events (the contract promises each event once, in order). graphql-ws's own retry would resend the first
 * variables, so every attempt uses a fresh client with retries off.
 */
export function startLive(options: LiveOptions): LiveSubscription {
  const maxAttempts = options.maxAttempts ?? 20;
  const backoff = options.backoff ?? defaultBackoff;
  let after = options.after;
  let running = false;
  let stopped = false;
  let wasLive = false;
  let failedAttempts = 0;
  let openFailures = 0;
  const initialTransport: LiveTransport =
    options.preferSse || !(options.webSocketImpl ?? globalThis.WebSocket) ? 'sse' : 'websocket';
  let transport = initialTransport;
  let cancel: (() => void) | null = null;
  let waiting = false;
  let reconnectFailedSent = false;
  let receivedSinceLive = false;
  let liveSince = 0;

  const markLive = () => {
    options.onState('live', { transport });
    liveSince = Date.now();
    receivedSinceLive = false;
    reconnectFailedSent = false;
    if (wasLive) {
      options.onResync?.();
    }
    wasLive = true;
  };

  // Returns a failure when the result carries errors instead of an event.
  const receive = (result: GraphQLResult): Failure | null => {
    if (!result.data) {
      return classifyErrors(200, result.errors);
    }
    const payload = Object.values(result.data)[0] as { eventId?: unknown } | null | undefined;
    if (typeof payload?.eventId === 'string') {
      after = payload.eventId;
    }
    receivedSinceLive = true;
    options.onEvent(result.data);
    return null;
  };

  const subscribePayload = () => ({
    query: '',
    operationName: options.operation.name,
    variables: { ...options.variables, after },
    extensions: { persistedQuery: { version: 1, sha256Hash: options.operation.id } },
  });

  const attemptSocket = (target: EmbedTarget) =>
    new Promise<AttemptEnd>((resolve) => {
      let opened = false;
      let accepted = false;
      let finished = false;
      const client = createClient({
        url: embedEndpoint(target).replace(/^http/, 'ws'),
        lazy: true,
        retryAttempts: 0,
        keepAlive: 20_000,
        connectionParams: () => (target.token ? { authorization: `Bearer ${target.token}` } : {}),
        webSocketImpl: options.webSocketImpl,
        on: {
          opened: () => {
            opened = true;
          },
          connected: () => {
            accepted = true;
            markLive();
          },
        },
      });
      const finish = (end: { failure?: Failure }) => {
        if (finished) {
          return;
        }
        finished = true;
        cancel = null;
        unsubscribe();
        void client.dispose();
        resolve({ ...end, accepted, neverOpened: !opened });
      };
      const unsubscribe = client.subscribe<Record<string, unknown>>(subscribePayload(), {
        next: (result) => {
          const failure = receive(result as GraphQLResult);
          if (failure) {
            finish({ failure });
          }
        },
        error: (error) => finish({ failure: classifySocketError(error, target) }),
        complete: () => finish({}),
      });
      cancel = () => finish({});
    });

  const attemptSse = async (target: EmbedTarget): Promise<AttemptEnd> => {
    const controller = new AbortController();
    let accepted = false;
    let failure: Failure | undefined;
    cancel = () => controller.abort();
    try {
      const end = await subscribeOverSse(
        target,
        options.operation,
        subscribePayload().variables,
        {
          onOpen: () => {
            accepted = true;
            markLive();
          },
          onResult: (result) => {
            failure = receive(result) ?? undefined;
            if (failure) {
              controller.abort();
            }
          },
        },
        controller.signal,
      );
      return { accepted, failure: end.kind === 'failed' ? end.failure : undefined };
    } catch {
      // Aborted: by stop(), or after an error result.
      return { accepted, failure };
    } finally {
      cancel = null;
    }
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      waiting = true;
      const done = () => {
        clearTimeout(timer);
        waiting = false;
        cancel = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      cancel = done;
    });

  // Returns false when live updates must stop for good.
  const handleFailure = (failure: Failure, target: EmbedTarget): boolean => {
    if (failure.kind === 'unreachable') {
      return true;
    }
    if (failure.kind === 'not-enabled') {
      // The owner may add the page's origin back, so attempts go on with backoff. A WebSocket
      // refused for the origin never opens, which is no sign that WebSockets are blocked.
      options.onFailure(failure);
      openFailures = 0;
      transport = options.preferSse ? 'sse' : initialTransport;
      return true;
    }
    if (failure.kind === 'signed-out' && target.token) {
      options.onFailure(failure);
      // Going on with the same token would fail the same way at once.
      return options.target().token === null;
    }
    options.onFailure(failure);
    return false;
  };

  const run = async () => {
    running = true;
    while (!stopped) {
      const target = options.target();
      const end = transport === 'sse' ? await attemptSse(target) : await attemptSocket(target);
      if (stopped) {
        break;
      }
      if (end.failure && !handleFailure(end.failure, target)) {
        if (!stopped) {
          stopped = true;
          options.onState('stopped', { transport });
        }
        break;
      }
      if (stopped) {
        break;
      }
      if (end.failure?.kind === 'signed-out') {
        continue;
      }
      if (wasLive && !end.accepted && !reconnectFailedSent) {
        reconnectFailedSent = true;
        options.onReconnectFailed?.();
      }
      const stable = receivedSinceLive || Date.now() - liveSince >= STABLE_CONNECTION_MS;
      failedAttempts = end.accepted && stable ? 1 : failedAttempts + 1;
      if (transport === 'websocket' && end.neverOpened) {
        openFailures += 1;
        if (openFailures >= OPEN_FAILURES_BEFORE_SSE) {
          transport = 'sse';
          continue;
        }
      }
      if (failedAttempts > maxAttempts) {
        options.onState('stopped', { transport });
        break;
      }
      const retryInMs = backoff(failedAttempts);
      options.onState('reconnecting', { transport, retryInMs });
      await wait(retryInMs);
    }
    running = false;
  };

  options.onState('connecting', { transport });
  void run();
  return {
    stop() {
      stopped = true;
      cancel?.();
    },
    reconnect() {
      if (stopped) {
        return;
      }
      if (running) {
        if (waiting) {
          failedAttempts = 0;
          cancel?.();
        }
        return;
      }
      failedAttempts = 0;
      options.onState('connecting', { transport });
      void run();
    },
    lastEventId: () => after,
  };
}

/**
 * Maps what graphql-ws passes to a subscription's `error`: a close event, GraphQL errors, or an
 * error event of the socket. The server closes with 4403 "Embed key revoked" when the key is
 * revoked and 4403 "Sign-in expired" when the widget token ends; 1012 is a restart.
 */
function classifySocketError(error: unknown, target: EmbedTarget): Failure {
  if (Array.isArray(error)) {
    // When the widget token expires, the subscription's own FORBIDDEN result ("Your sign-in has
    // ended…") can arrive before the server closes the socket with 4403.
    const signInEnded = error.some(
      (item: GraphQLError) =>
        item.extensions?.code === 'FORBIDDEN' && /sign-in has ended/i.test(item.message ?? ''),
    );
    if (signInEnded && target.token) {
      return { kind: 'signed-out' };
    }
    return classifyErrors(200, error);
  }
  const close = error as { code?: unknown; reason?: unknown } | null;
  if (typeof close?.code !== 'number') {
    return { kind: 'unreachable' };
  }
  const reason = typeof close.reason === 'string' ? close.reason : '';
  if (close.code === 4403) {
    if (/revoked/i.test(reason) && !/sign-in/i.test(reason)) {
      return { kind: 'turned-off' };
    }
    if (target.token) {
      return { kind: 'signed-out' };
    }
    return { kind: 'rejected', message: reason || 'Staffroom rejected the live updates.' };
  }
  if (PROTOCOL_CLOSE_CODES.has(close.code)) {
    return { kind: 'rejected', message: reason || `The connection closed with ${close.code}.` };
  }
  return { kind: 'unreachable' };
}
