import { and, asc, eq, gt, lte, max } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { events } from '../../drizzle/tables/index.ts';
import type { Logger } from '../log.ts';
import type { EventBus, EventNotice } from './event-bus.ts';

export type EventRow = typeof events.$inferSelect;

const FETCH_BATCH = 500;

/** Waits between attempts to read a topic after a failed read: doubling, and at most 2 s. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2000;

/** Topic of the notice that makes every process read all its open topics again. */
const EVERY_TOPIC = '*';

interface Subscriber {
  /** Rows that arrived while the subscriber was still replaying history. */
  buffer: EventRow[];
  wake: (() => void) | null;
  closed: boolean;
}

interface TopicFeed {
  /** Highest event id of the topic that this process has read from the table. */
  cursor: number;
  subscribers: Set<Subscriber>;
  fetching: Promise<void> | null;
  again: boolean;
  /** Ends the wait before the next attempt after a failed read. */
  retryNow: (() => void) | null;
}

/**
 * Fans committed events out to the subscribers of this process. A bus notice only wakes a topic:
 * the rows themselves are read from the events table once per topic and process, in id order,
 * and handed to every local subscriber. A notice that arrives late or twice costs one query and
 * never reorders or repeats an event. A read that fails, as when the database restarts, is tried
 * again with growing waits of up to 2 s while the topic has subscribers, so a committed event is
 * delivered once the database is back, without waiting for another notice.
 */
export class EventHub {
  private readonly feeds = new Map<string, TopicFeed>();
  private readonly watchers = new Map<string, Set<(notice: EventNotice) => void>>();
  private readonly pendingFeeds = new Map<string, Promise<TopicFeed>>();
  private readonly abort = new AbortController();
  /** Topics whose last read failed, so that an outage is logged once and its end once. */
  private readonly failingTopics = new Set<string>();

  /** `onReadError` gets every failed read, such as the database's reachability tracking. */
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly onReadError: (error: unknown) => void = () => {},
  ) {
    bus.listen((notice) => this.onNotice(notice), this.abort.signal);
    // Notices published while Redis was away are lost, so every open topic reads the table again.
    bus.onReconnect(() => this.wakeAll());
  }

  /**
   * Makes every process read all its open topics again, for events whose notice was never sent,
   * such as a transaction whose COMMIT went through while its connection failed.
   */
  resync(): void {
    this.wakeAll();
    this.bus.publish({ id: 0, topic: EVERY_TOPIC });
  }

  close(): void {
    this.abort.abort();
    for (const feed of this.feeds.values()) {
      feed.retryNow?.();
      for (const subscriber of feed.subscribers) {
        subscriber.closed = true;
        subscriber.wake?.();
      }
    }
    this.feeds.clear();
  }

  /**
   * Returns the id of the topic's latest committed event, or of the latest event of any topic
   * when none is given; 0 when there is none.
   */
  async latestEventId(topic?: string): Promise<number> {
    const [row] = await this.db
      .select({ cursor: max(events.id) })
      .from(events)
      .where(topic === undefined ? undefined : eq(events.topic, topic));
    return Number(row?.cursor ?? 0);
  }

  /** Wakes a topic that this process published to, without waiting for the bus round trip. */
  wake(topic: string): void {
    const feed = this.feeds.get(topic);
    if (feed) {
      this.fetch(topic, feed);
    }
  }

  /**
   * Yields the topic's events after `afterId` (history first, then live), in id order, each once.
   * Without `afterId` only events committed after the call are yielded.
   */
  async *subscribe(
    topic: string,
    afterId: number | null,
    signal?: AbortSignal,
  ): AsyncGenerator<EventRow> {
    const feed = await this.feedFor(topic);
    const subscriber: Subscriber = { buffer: [], wake: null, closed: false };
    feed.subscribers.add(subscriber);
    const onAbort = () => {
      subscriber.closed = true;
      subscriber.wake?.();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    try {
      let last = afterId ?? feed.cursor;
      // Events up to the feed's cursor were read before this subscriber joined, so they come
      // from the table; everything after it arrives through the buffer.
      const replayUntil = feed.cursor;
      while (last < replayUntil && !subscriber.closed) {
        const from = last;
        const rows = await this.readUntilClosed(subscriber, () =>
          this.db
            .select()
            .from(events)
            .where(and(eq(events.topic, topic), gt(events.id, from), lte(events.id, replayUntil)))
            .orderBy(asc(events.id))
            .limit(FETCH_BATCH),
        );
        if (!rows) {
          break;
        }
        for (const row of rows) {
          last = row.id;
          yield row;
        }
        if (rows.length < FETCH_BATCH) {
          break;
        }
      }
      last = Math.max(last, replayUntil);

      while (!subscriber.closed) {
        const row = subscriber.buffer.shift();
        if (row) {
          if (row.id > last) {
            last = row.id;
            yield row;
          }
          continue;
        }
        await new Promise<void>((resolve) => {
          subscriber.wake = resolve;
        });
        subscriber.wake = null;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      feed.subscribers.delete(subscriber);
      if (feed.subscribers.size === 0 && this.feeds.get(topic) === feed) {
        this.feeds.delete(topic);
        feed.retryNow?.();
      }
    }
  }

  /**
   * Calls `onNotice` for each notice on `topic` from any process, such as the control notices
   * sent when a sign-in is revoked or a community's access changes. Returns a function that stops
   * watching. Notices carry no data, so a watcher reloads what it needs; signals carry their
   * own.
   */
  watch(topic: string, onNotice: (notice: EventNotice) => void): () => void {
    let set = this.watchers.get(topic);
    if (!set) {
      set = new Set();
      this.watchers.set(topic, set);
    }
    set.add(onNotice);
    return () => {
      set.delete(onNotice);
      if (set.size === 0 && this.watchers.get(topic) === set) {
        this.watchers.delete(topic);
      }
    };
  }

  private wakeAll(): void {
    for (const topic of this.feeds.keys()) {
      this.wake(topic);
    }
  }

  private onNotice(notice: EventNotice): void {
    for (const watcher of this.watchers.get(notice.topic) ?? []) {
      watcher(notice);
    }
    if (notice.signal) {
      return;
    }
    if (notice.topic === EVERY_TOPIC) {
      this.wakeAll();
      return;
    }
    const feed = this.feeds.get(notice.topic);
    if (feed && notice.id > feed.cursor) {
      this.fetch(notice.topic, feed);
    }
  }

  private async feedFor(topic: string): Promise<TopicFeed> {
    const existing = this.feeds.get(topic);
    if (existing) {
      return existing;
    }
    let pending = this.pendingFeeds.get(topic);
    if (!pending) {
      pending = (async () => {
        const feed: TopicFeed = {
          cursor: await this.latestEventId(topic),
          subscribers: new Set(),
          fetching: null,
          again: false,
          retryNow: null,
        };
        this.feeds.set(topic, feed);
        return feed;
      })().finally(() => this.pendingFeeds.delete(topic));
      this.pendingFeeds.set(topic, pending);
    }
    return pending;
  }

  private fetch(topic: string, feed: TopicFeed): void {
    if (feed.fetching) {
      feed.again = true;
      feed.retryNow?.();
      return;
    }
    feed.fetching = this.readNewEvents(topic, feed).finally(() => {
      feed.fetching = null;
    });
  }

  /** Reads the topic until no notice came in meanwhile, trying again after each failure. */
  private async readNewEvents(topic: string, feed: TopicFeed): Promise<void> {
    let failures = 0;
    do {
      feed.again = false;
      try {
        await this.readAfterCursor(topic, feed);
        if (failures > 0) {
          this.readRecovered(topic, failures);
        }
        failures = 0;
      } catch (error) {
        failures += 1;
        this.readFailed(topic, error, failures);
        const wait = Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => feed.retryNow?.(), wait);
          feed.retryNow = () => {
            clearTimeout(timer);
            feed.retryNow = null;
            resolve();
          };
        });
        feed.again = true;
      }
    } while (feed.again && this.isOpen(topic, feed));
    if (failures > 0) {
      // The topic closed while its reads were failing.
      this.failingTopics.delete(topic);
    }
  }

  private async readAfterCursor(topic: string, feed: TopicFeed): Promise<void> {
    let rows: EventRow[];
    do {
      rows = await this.db
        .select()
        .from(events)
        .where(and(eq(events.topic, topic), gt(events.id, feed.cursor)))
        .orderBy(asc(events.id))
        .limit(FETCH_BATCH);
      for (const row of rows) {
        feed.cursor = row.id;
        for (const subscriber of feed.subscribers) {
          subscriber.buffer.push(row);
        }
      }
      for (const subscriber of feed.subscribers) {
        subscriber.wake?.();
      }
    } while (rows.length === FETCH_BATCH);
  }

  /**
   * Runs a read for one subscriber, trying again after each failure until it succeeds, or
   * returns null once the subscriber has closed.
   */
  private async readUntilClosed<T>(
    subscriber: Subscriber,
    read: () => Promise<T>,
  ): Promise<T | null> {
    for (let failures = 1; !subscriber.closed; failures += 1) {
      try {
        return await read();
      } catch (error) {
        this.onReadError(error);
        this.log.warn({ err: error, attempt: failures }, 'Replaying events failed; retrying');
        const wait = Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          subscriber.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        subscriber.wake = null;
      }
    }
    return null;
  }

  private isOpen(topic: string, feed: TopicFeed): boolean {
    return !this.abort.signal.aborted && this.feeds.get(topic) === feed;
  }

  private readFailed(topic: string, error: unknown, attempt: number): void {
    this.onReadError(error);
    if (this.failingTopics.size === 0) {
      this.log.error(
        { err: error, topic, attempt },
        'Reading new events failed; retrying while the topic has subscribers',
      );
    } else {
      this.log.debug({ err: error, topic, attempt }, 'Reading new events failed again');
    }
    this.failingTopics.add(topic);
  }

  private readRecovered(topic: string, failures: number): void {
    this.failingTopics.delete(topic);
    if (this.failingTopics.size === 0) {
      this.log.info({ topic, failures }, 'Reading new events works again');
    }
  }
}
