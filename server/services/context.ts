import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../drizzle/db.ts';
import { events } from '../../drizzle/tables/index.ts';
import type { Viewer } from '../auth/access.ts';
import type { ViewerAccess } from '../auth/viewer-access.ts';
import { UnauthenticatedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { EventNotice } from '../pubsub/event-bus.ts';
import type { ContentLimits } from './content-limits.ts';

/** Request state that a domain service needs from its caller. */
export interface ServiceContext {
  db: Database;
  viewer: Viewer | null;
  access: ViewerAccess;
  log: Logger;
  /** Called after a transaction commits, with the events it wrote. */
  publish: (notices: EventNotice[]) => void;
  /** Flood limits and link holds; DEFAULT_CONTENT_LIMITS when not set. */
  contentLimits?: ContentLimits;
}

export interface RecordedEvent {
  topic: string;
  type: string;
  payload: Record<string, unknown>;
}

export interface EventRecorder {
  record(topic: string, type: string, payload: Record<string, unknown>): Promise<number>;
  /** Records many events at once, as when a rule awards a badge to hundreds of people. */
  recordMany(entries: RecordedEvent[]): Promise<void>;
}

/** Events per insert statement of recordMany: 3 parameters each, far below PostgreSQL's 65,535. */
const RECORD_BATCH = 5000;

// Key of the transaction-scoped advisory lock taken before an event row is written. Holding it
// until commit makes event ids commit in increasing order, so a subscriber that resumes after
// id N can never miss an event with a smaller id that committed later.
const EVENT_ORDER_LOCK_KEY = 7_406_312;

/**
 * Takes the event-order lock until the transaction ends; the recorder takes it before the first
 * event. A transaction that inserts into a unique index which event-writing transactions also
 * insert into (badge awards) takes it first, so that neither waits for the other's row while
 * holding the lock the other needs.
 */
export async function lockEventOrder(tx: Transaction): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${EVENT_ORDER_LOCK_KEY})`);
}

/**
 * Runs `work` in one transaction and publishes the events it recorded once the transaction has
 * committed; nothing is published when it rolls back.
 */
export async function runInTransaction<T>(
  ctx: ServiceContext,
  work: (tx: Transaction, recorder: EventRecorder) => Promise<T>,
): Promise<T> {
  const notices: EventNotice[] = [];
  const result = await ctx.db.transaction(async (tx) => {
    let locked = false;
    const recorder: EventRecorder = {
      async record(topic, type, payload) {
        if (!locked) {
          await lockEventOrder(tx);
          locked = true;
        }
        const [row] = await tx
          .insert(events)
          .values({ topic, type, payload })
          .returning({ id: events.id });
        if (!row) {
          throw new Error(`Recording event ${type} on ${topic} returned no row`);
        }
        notices.push({ id: row.id, topic });
        return row.id;
      },
      async recordMany(entries) {
        if (entries.length > 0 && !locked) {
          await lockEventOrder(tx);
          locked = true;
        }
        for (let start = 0; start < entries.length; start += RECORD_BATCH) {
          const rows = await tx
            .insert(events)
            .values(entries.slice(start, start + RECORD_BATCH))
            .returning({ id: events.id, topic: events.topic });
          notices.push(...rows);
        }
      },
    };
    return work(tx, recorder);
  });
  if (notices.length > 0) {
    ctx.publish(notices);
  }
  return result;
}

export function requireViewer(ctx: ServiceContext): Viewer {
  if (!ctx.viewer) {
    throw new UnauthenticatedError();
  }
  return ctx.viewer;
}

export const topics = {
  thread: (id: number) => `thread:${id}`,
  liveSession: (id: number) => `live-session:${id}`,
  /** Passing signals of a live session's room: typing, reactions and presence. */
  liveRoom: (id: number) => `live-room:${id}`,
  community: (id: number) => `community:${id}`,
  user: (id: number) => `user:${id}`,
};

/**
 * Sends a passing signal to every subscriber of the topic, in every server process. Signals are
 * not stored, so a client that is not subscribed at that moment never receives them.
 */
export function sendSignal(
  ctx: Pick<ServiceContext, 'publish'>,
  topic: string,
  type: string,
  userId: number,
  payload: Record<string, unknown> = {},
): void {
  ctx.publish([
    { id: 0, topic, signal: { type, userId, payload, sentAt: new Date().toISOString() } },
  ]);
}
