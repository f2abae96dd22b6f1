import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

/** A committed event's address: subscribers load the row itself from the events table. */
export interface EventNotice {
  id: number;
  topic: string;
  /**
   * A passing signal (someone typing, a reaction, presence) that is carried whole, never stored
   * and never replayed. Its id is 0.
   */
  signal?: RoomSignal;
}

export interface RoomSignal {
  type: string;
  userId: number;
  payload: Record<string, unknown>;
  /** ISO 8601 instant at which it was sent. */
  sentAt: string;
}

export interface EventBus {
  publish(notice: EventNotice): void;
  /** Listens to every notice of every topic until the signal aborts. */
  listen(onNotice: (notice: EventNotice) => void, signal: AbortSignal): void;
  /** Called after the connection to Redis comes back, since notices may have been lost. */
  onReconnect(listener: () => void): void;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}

type Topics = { 'staffroom:events': [EventNotice] };

const CHANNEL = 'staffroom:events';

type PubSubConfig = NonNullable<Parameters<typeof createPubSub>[0]>;

/**
 * Builds a queue for one listener's subscription that is never full. Without one, each notice
 * waits as a pending push, and the Repeater under createPubSub throws RepeaterOverflowError,
 * outside any caller, once 1024 are pending, as when one transaction awards a badge to hundreds
 * of people.
 */
function unboundedBuffer(): NonNullable<PubSubConfig['repeaterBuffer']> {
  const values: unknown[] = [];
  return {
    full: false,
    get empty() {
      return values.length === 0;
    },
    add: (value: unknown) => {
      values.push(value);
    },
    remove: () => {
      if (values.length === 0) {
        throw new Error('Removing from an empty event bus buffer');
      }
      return values.shift();
    },
  };
}

/** Subscribes to the channel of a shared event target, with a buffer of the listener's own. */
function subscribeUnbounded(eventTarget: NonNullable<PubSubConfig['eventTarget']>) {
  return createPubSub<Topics>({ eventTarget, repeaterBuffer: unboundedBuffer() }).subscribe(
    CHANNEL,
  );
}

/**
 * Creates the bus that carries committed event ids between server processes: in memory for one
 * process, Redis when a URL is given.
 */
export function createEventBus(redisUrl: string | undefined, log: Logger): EventBus {
  if (!redisUrl) {
    const eventTarget = new EventTarget();
    const pubSub = createPubSub<Topics>({ eventTarget });
    return {
      kind: 'memory',
      publish: (notice) => pubSub.publish(CHANNEL, notice),
      listen: (onNotice, signal) => iterate(subscribeUnbounded(eventTarget), onNotice, signal, log),
      onReconnect: () => {},
      ping: async () => true,
      close: async () => {},
    };
  }

  const options = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false };
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  const reconnectListeners: (() => void)[] = [];
  let connectedOnce = false;
  let lost = false;
  let closing = false;
  subscribeClient.on('ready', () => {
    if (!connectedOnce) {
      connectedOnce = true;
      log.info({ redis: redactUrl(redisUrl) }, 'Redis connected');
      return;
    }
    if (lost) {
      lost = false;
      log.info({ redis: redactUrl(redisUrl) }, 'Redis reconnected');
      for (const listener of reconnectListeners) {
        listener();
      }
    }
  });
  subscribeClient.on('close', () => {
    if (connectedOnce && !lost && !closing) {
      lost = true;
      log.warn({ redis: redactUrl(redisUrl) }, 'Redis connection lost; retrying');
    }
  });
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', (error: Error) => log.debug({ err: error }, 'Redis client error'));
  }

  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  const pubSub = createPubSub<Topics>({ eventTarget });
  return {
    kind: 'redis',
    publish: (notice) => pubSub.publish(CHANNEL, notice),
    listen: (onNotice, signal) => iterate(subscribeUnbounded(eventTarget), onNotice, signal, log),
    onReconnect: (listener) => reconnectListeners.push(listener),
    ping: async () => {
      try {
        return (await publishClient.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: async () => {
      closing = true;
      // Commands run in order, so awaiting this lets the listener's own pending unsubscribe
      // finish before quit would reject it.
      await subscribeClient.unsubscribe().catch(() => {});
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

function iterate(
  source: AsyncIterable<EventNotice> & { return?: () => unknown },
  onNotice: (notice: EventNotice) => void,
  signal: AbortSignal,
  log: Logger,
): void {
  const iterator = source[Symbol.asyncIterator]();
  signal.addEventListener('abort', () => void iterator.return?.(), { once: true });
  void (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          return;
        }
        onNotice(next.value);
      }
    } catch (error) {
      log.error({ err: error }, 'Event bus listener failed');
    }
  })();
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = parsed.password ? '***' : '';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
