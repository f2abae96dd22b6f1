import { and, asc, eq, gt, lte, max } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { events } from '../../drizzle/tables/index.ts';
import type { Logger } from '../log.ts';
import type { EventBus, EventNotice } from './event-bus.ts';

export type EventRow = typeof events.$inferSelect;

const FETCH_BATCH = 500;

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
}

/**
 * Fans committed events out to the subscribers of this process. A bus notice only wakes a topic:
 * the rows themselves are read from the events table once per topic and process, in id order,
 * and handed to every local subscriber. A notice that arrives late or twice costs one query and
 * never reorders or repeats an event.
 */
export class EventHub {
  private readonly feeds = new Map<string, TopicFeed>();
  private readonly watchers = new Map<string, Set<(notice: EventNotice) => void>>();
  private readonly pendingFeeds = new Map<string, Promise<TopicFeed>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly db: Database,
    bus: EventBus,
    private readonly log: Logger,
  ) {
    bus.listen((notice) => this.onNotice(notice), this.abort.signal);
    // Notices published while Redis was away are lost, so every open topic reads the table again.
    bus.onReconnect(() => {
      for (const topic of this.feeds.keys()) {
        this.wake(topic);
      }
    });
  }

  close(): void {
    this.abort.abort();
    for (const feed of this.feeds.values()) {
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
        const rows = await this.db
          .select()
          .from(events)
          .where(and(eq(events.topic, topic), gt(events.id, last), lte(events.id, replayUntil)))
          .orderBy(asc(events.id))
          .limit(FETCH_BATCH);
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

  private onNotice(notice: EventNotice): void {
    for (const watcher of this.watchers.get(notice.topic) ?? []) {
      watcher(notice);
    }
    if (notice.signal) {
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
      return;
    }
    feed.fetching = (async () => {
      do {
        feed.again = false;
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
      } while (feed.again);
    })()
      .catch((error: unknown) => {
        this.log.error({ err: error, topic }, 'Reading new events failed');
      })
      .finally(() => {
        feed.fetching = null;
      });
  }
}
