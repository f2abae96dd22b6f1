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
  /** Sends a notice to every process, without waiting: a failure is logged, never thrown. */
  publish(notice: EventNotice): void;
  /** Listens to every notice of every topic until the signal aborts. */
  listen(onNotice: (notice: EventNotice) => void, signal: AbortSignal): void;
  /** Called after the connection to Redis comes back, since notices may have been lost. */
  onReconnect(listener: () => void): void;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}

const CHANNEL = 'staffroom:events';

/** How long a readiness check waits for Redis to answer PING. */
const PING_TIMEOUT_MS = 1000;

/**
 * Topics whose latest unsent notice is kept while Redis is unreachable, to be sent again once it
 * returns. Each entry is one small notice, so the cap bounds memory during a long outage.
 */
const MAX_UNSENT_TOPICS = 10_000;

type Listener = (notice: EventNotice) => void;

/** The listeners of this process: each gets every notice, and one that throws is logged. */
function createListeners(log: Logger) {
  const listeners = new Set<Listener>();
  return {
    add(onNotice: Listener, signal: AbortSignal) {
      if (signal.aborted) {
        return;
      }
      listeners.add(onNotice);
      signal.addEventListener('abort', () => listeners.delete(onNotice), { once: true });
    },
    dispatch(notice: EventNotice) {
      for (const listener of [...listeners]) {
        try {
          listener(notice);
        } catch (error) {
          log.error({ err: error, topic: notice.topic }, 'Event bus listener failed');
        }
      }
    },
  };
}

/**
 * Creates the bus that carries committed event ids between server processes: in memory for one
 * process, Redis when a URL is given.
 */
export function createEventBus(redisUrl: string | undefined, log: Logger): EventBus {
  if (redisUrl) {
    return createRedisEventBus(redisUrl, log);
  }
  const listeners = createListeners(log);
  return {
    kind: 'memory',
    // Delivered after the caller's synchronous work, as a notice from Redis would be.
    publish: (notice) => queueMicrotask(() => listeners.dispatch(notice)),
    listen: (onNotice, signal) => listeners.add(onNotice, signal),
    onReconnect: () => {},
    ping: async () => true,
    close: async () => {},
  };
}

/**
 * The Redis bus. Notices are only wake-ups for rows already committed, so Redis being away
 * never blocks or fails a mutation: a publish that cannot be sent fails at once (no offline
 * queue), the latest notice of each topic is sent again after reconnecting, and every process
 * re-reads its open topics from the events table when its own subscription comes back.
 */
function createRedisEventBus(redisUrl: string, log: Logger): EventBus {
  const redis = redactUrl(redisUrl);
  const publishClient = new Redis(redisUrl, { enableOfflineQueue: false });
  // The channel is subscribed again by hand on each connection, so that the reconnect listeners
  // run only once Redis has confirmed the subscription and no later notice can be missed.
  const subscribeClient = new Redis(redisUrl, { autoResubscribe: false });
  const listeners = createListeners(log);
  const reconnectListeners: (() => void)[] = [];
  const unsent = new Map<string, EventNotice>();
  let connectedOnce = false;
  let lost = false;
  let publishFailing = false;
  let droppedUnsent = 0;
  let closing = false;

  subscribeClient.on('ready', () => {
    subscribeClient.subscribe(CHANNEL).then(
      () => {
        if (connectedOnce) {
          log.info({ redis }, 'Redis reconnected; reading events that were committed meanwhile');
        } else {
          log.info({ redis }, 'Redis connected');
        }
        connectedOnce = true;
        lost = false;
        // Topics opened before this connection, even the first one, may have missed notices.
        for (const listener of reconnectListeners) {
          listener();
        }
      },
      // The connection closed again before the reply; the next 'ready' subscribes again.
      (error: unknown) => log.warn({ err: error, redis }, 'Subscribing to Redis failed'),
    );
  });
  subscribeClient.on('close', () => {
    if (connectedOnce && !lost && !closing) {
      lost = true;
      log.warn({ redis }, 'Redis connection lost; retrying');
    }
  });
  subscribeClient.on('message', (channel: string, message: string) => {
    if (channel !== CHANNEL) {
      return;
    }
    let notice: EventNotice;
    try {
      notice = JSON.parse(message) as EventNotice;
    } catch (error) {
      log.warn({ err: error, message: message.slice(0, 200) }, 'Ignored a malformed event notice');
      return;
    }
    listeners.dispatch(notice);
  });

  const keepUnsent = (notice: EventNotice, error: unknown) => {
    // Signals are passing hints, so they are never sent late.
    if (notice.signal || closing) {
      return;
    }
    if (!publishFailing) {
      publishFailing = true;
      log.warn(
        { err: error, redis },
        'Publishing an event notice to Redis failed; the latest notice of each topic will be sent again after reconnecting',
      );
    }
    unsent.delete(notice.topic);
    if (unsent.size >= MAX_UNSENT_TOPICS) {
      const oldest = unsent.keys().next().value;
      if (oldest !== undefined) {
        unsent.delete(oldest);
        droppedUnsent += 1;
      }
    }
    unsent.set(notice.topic, notice);
  };
  const publish = (notice: EventNotice) => {
    publishClient.publish(CHANNEL, JSON.stringify(notice)).then(
      () => {},
      (error: unknown) => keepUnsent(notice, error),
    );
  };
  publishClient.on('ready', () => {
    publishFailing = false;
    if (unsent.size === 0) {
      return;
    }
    // NOTE: past MAX_UNSENT_TOPICS the oldest topics are not sent again. Processes that lost
    // Redis too re-read every open topic anyway; one that did not sees those topics' events
    // with their next notice.
    log.info(
      { redis, notices: unsent.size, dropped: droppedUnsent },
      'Sending again the event notices that Redis missed',
    );
    const pending = [...unsent.values()];
    unsent.clear();
    droppedUnsent = 0;
    for (const notice of pending) {
      publish(notice);
    }
  });
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', (error: Error) => log.debug({ err: error }, 'Redis client error'));
  }

  return {
    kind: 'redis',
    publish,
    listen: (onNotice, signal) => listeners.add(onNotice, signal),
    onReconnect: (listener) => reconnectListeners.push(listener),
    ping: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
      });
      try {
        const reply = publishClient.ping().then(
          (answer) => answer === 'PONG',
          () => false,
        );
        return await Promise.race([reply, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      closing = true;
      // QUIT lets Redis close cleanly; an unreachable Redis gets one second before the sockets
      // are dropped.
      await Promise.race([
        Promise.allSettled([publishClient.quit(), subscribeClient.quit()]),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
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
