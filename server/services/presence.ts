import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type Database, type Executor, rowsOf, type Transaction } from '../../drizzle/db.ts';
import { liveAttendance, livePresence, liveSessions, users } from '../../drizzle/tables/index.ts';
import { ConflictError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { EventNotice } from '../pubsub/event-bus.ts';
import {
  requireViewer,
  runInTransaction,
  type ServiceContext,
  sendSignal,
  topics,
} from './context.ts';
import { type LiveSessionRow, loadReadableLiveSession } from './live-session.ts';

/** How often a client in a live session room sends a heartbeat, and at once on a visibility change. */
export const HEARTBEAT_INTERVAL_MS = 20_000;

/**
 * Maximum gap between two heartbeats that counts toward attendance: two heartbeat intervals, so
 * a laptop that slept for an hour earns 40 seconds, not the hour.
 */
export const MAX_CREDITED_GAP_MS = 2 * HEARTBEAT_INTERVAL_MS;

/** Rows the presence sweep removes per statement; it repeats while a batch comes back full. */
const SWEEP_BATCH = 1000;
const MAX_SWEEP_BATCHES = 20;

/** A service context with the presence timeout, after which a heartbeat no longer counts. */
export interface PresenceContext extends ServiceContext {
  presenceTimeoutMs: number;
}

/** Reports whether people may be in the room: while the session is scheduled or live. */
export function isRoomOpen(liveSession: Pick<LiveSessionRow, 'status'>): boolean {
  return liveSession.status === 'scheduled' || liveSession.status === 'live';
}

function timeoutInterval(timeoutMs: number): SQL {
  return sql`${`${timeoutMs} milliseconds`}::interval`;
}

/**
 * Builds the number of people present in a live session's room, as an SQL expression on a
 * live_sessions row. Heartbeats older than the timeout do not count, even before the sweep
 * removes them, and the count is 0 once the session is no longer scheduled or live.
 */
export function presentCountSql(
  table: { id: unknown; status: unknown },
  timeoutMs: number,
): SQL<number> {
  return sql<number>`(case when ${table.status} in ('scheduled', 'live') then (select count(*)::int from live_presence p where p.live_session_id = ${table.id} and p.last_seen_at >= now() - ${timeoutInterval(timeoutMs)}) else 0 end)`;
}

/** Builds the condition that a user (by its id column) is present in the room now. */
export function isPresentSql(
  liveSession: Pick<LiveSessionRow, 'id' | 'status'>,
  userId: unknown,
  timeoutMs: number,
): SQL {
  if (!isRoomOpen(liveSession)) {
    return sql`false`;
  }
  return sql`exists (select 1 from live_presence p where p.live_session_id = ${liveSession.id} and p.user_id = ${userId} and p.last_seen_at >= now() - ${timeoutInterval(timeoutMs)})`;
}

async function countPresent(
  tx: Transaction,
  liveSessionId: number,
  timeoutMs: number,
): Promise<number> {
  const [row] = rowsOf(
    await tx.execute(
      sql`select ${presentCountSql({ id: liveSessionId, status: sql`s.status` }, timeoutMs)} as count
        from live_sessions s where s.id = ${liveSessionId}`,
    ),
  );
  return Number(row?.count ?? 0);
}

interface PreviousHeartbeat {
  visible: boolean;
  /** Whether the heartbeat is older than the timeout, so that the person counts as gone. */
  stale: boolean;
  lastSeenAt: string;
  /** Milliseconds from the heartbeat, or from the session's start when later, until now. */
  gapMs: number;
  status: LiveSessionRow['status'];
}

/** Loads and locks the viewer's presence row, with the values that attendance uses. */
async function lockPresence(
  tx: Transaction,
  liveSessionId: number,
  userId: number,
  timeoutMs: number,
): Promise<PreviousHeartbeat | null> {
  const [row] = rowsOf(
    await tx.execute(
      sql`select p.visible, p.last_seen_at::text as last_seen_at, s.status,
          p.last_seen_at < now() - ${timeoutInterval(timeoutMs)} as stale,
          extract(epoch from now() - greatest(p.last_seen_at, coalesce(s.started_at, p.last_seen_at))) * 1000 as gap_ms
        from live_presence p join live_sessions s on s.id = p.live_session_id
        where p.live_session_id = ${liveSessionId} and p.user_id = ${userId}
        for update of p`,
    ),
  );
  if (!row) {
    return null;
  }
  return {
    visible: row.visible === true,
    stale: row.stale === true,
    lastSeenAt: String(row.last_seen_at),
    gapMs: Number(row.gap_ms),
    status: row.status as LiveSessionRow['status'],
  };
}

/**
 * Milliseconds of attendance that the time since the previous heartbeat earns: only while the
 * session is live, only when that heartbeat reported the room visible, and at most
 * MAX_CREDITED_GAP_MS.
 */
function creditedGapMs(previous: PreviousHeartbeat): number {
  if (previous.status !== 'live' || !previous.visible || previous.stale) {
    return 0;
  }
  return Math.min(Math.max(previous.gapMs, 0), MAX_CREDITED_GAP_MS);
}

/** Returns a person's display name, or an empty string when the account no longer exists. */
export async function displayNameOf(tx: Executor, userId: number): Promise<string> {
  const [user] = await tx
    .select({ displayName: users.displayName })
    .from(users)
    .where(eq(users.id, userId));
  return user?.displayName ?? '';
}

/**
 * Records a heartbeat of the viewer in a live session's room, which must be scheduled or live:
 * ConflictError otherwise. The first heartbeat, or the first after a timeout, joins the room and
 * sends a PRESENCE signal with `present: true`. While the session is live, each heartbeat adds
 * the time since the previous one to the viewer's attendance in the same transaction, within the
 * limits of creditedGapMs.
 */
export async function sendHeartbeat(
  ctx: PresenceContext,
  input: { liveSessionId: number; visible: boolean },
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const { liveSession } = await loadReadableLiveSession(ctx, input.liveSessionId);
  if (!isRoomOpen(liveSession)) {
    throw new ConflictError(
      `Live session ${liveSession.id} is ${liveSession.status}; its room is closed.`,
    );
  }

  const outcome = await runInTransaction(ctx, async (tx) => {
    // A person is in one room at a time, so time in two rooms at once is never credited twice.
    const leftRooms = rowsOf(
      await tx.execute(
        sql`with gone as (
            delete from live_presence p
            where p.user_id = ${viewer.id} and p.live_session_id <> ${liveSession.id}
            returning p.live_session_id, p.last_seen_at),
          closed as (
            update live_attendance a set last_left_at = gone.last_seen_at
            from gone
            where a.live_session_id = gone.live_session_id and a.user_id = ${viewer.id})
          select live_session_id from gone`,
      ),
    ).map((row) => Number(row.live_session_id));
    const { joined, creditMs } = await refreshPresence(tx, ctx, liveSession.id, viewer.id, input);
    await recordAttendance(tx, liveSession.id, viewer.id, { creditMs, joined });
    const left = [];
    for (const leftId of new Set(leftRooms)) {
      left.push({
        liveSessionId: leftId,
        presentCount: await countPresent(tx, leftId, ctx.presenceTimeoutMs),
      });
    }
    return {
      joined,
      left,
      presentCount: await countPresent(tx, liveSession.id, ctx.presenceTimeoutMs),
      displayName: joined || left.length > 0 ? await displayNameOf(tx, viewer.id) : '',
    };
  });

  for (const room of outcome.left) {
    sendSignal(ctx, topics.liveRoom(room.liveSessionId), 'presence', viewer.id, {
      displayName: outcome.displayName,
      present: false,
      presentCount: room.presentCount,
    });
  }
  if (outcome.joined) {
    sendSignal(ctx, topics.liveRoom(liveSession.id), 'presence', viewer.id, {
      displayName: outcome.displayName,
      present: true,
      presentCount: outcome.presentCount,
    });
  }
  return liveSession;
}

/**
 * Inserts the viewer's presence row, or refreshes it and measures the time since the previous
 * heartbeat. `joined` is true when the viewer was not in the room before.
 */
async function refreshPresence(
  tx: Transaction,
  ctx: PresenceContext,
  liveSessionId: number,
  userId: number,
  input: { visible: boolean },
): Promise<{ joined: boolean; creditMs: number }> {
  // Two attempts: the sweep may remove the row between the insert that found it and the lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    const [inserted] = await tx
      .insert(livePresence)
      .values({ liveSessionId, userId, visible: input.visible })
      .onConflictDoNothing()
      .returning({ userId: livePresence.userId });
    if (inserted) {
      return { joined: true, creditMs: 0 };
    }
    const previous = await lockPresence(tx, liveSessionId, userId, ctx.presenceTimeoutMs);
    if (!previous) {
      continue;
    }
    // A heartbeat after the timeout, before the sweep came by, joins the room anew.
    await tx
      .update(livePresence)
      .set({
        lastSeenAt: sql`greatest(${livePresence.lastSeenAt}, now())`,
        visible: input.visible,
        ...(previous.stale && { joinedAt: sql`now()` }),
      })
      .where(and(eq(livePresence.liveSessionId, liveSessionId), eq(livePresence.userId, userId)));
    return { joined: previous.stale, creditMs: creditedGapMs(previous) };
  }
  throw new Error(`Recording a heartbeat in live session ${liveSessionId} found no presence row`);
}

/**
 * Adds attended time while the session is live, creating the attendance row at the first live
 * heartbeat. Joining again clears the time the person last left, since they are back.
 */
async function recordAttendance(
  tx: Transaction,
  liveSessionId: number,
  userId: number,
  change: { creditMs: number; joined: boolean },
): Promise<void> {
  const [current] = await tx
    .select({ status: liveSessions.status })
    .from(liveSessions)
    .where(eq(liveSessions.id, liveSessionId));
  if (current?.status !== 'live') {
    return;
  }
  const seconds = Math.round(change.creditMs / 1000);
  await tx
    .insert(liveAttendance)
    .values({ liveSessionId, userId, firstJoinedAt: sql`now()`, secondsPresent: seconds })
    .onConflictDoUpdate({
      target: [liveAttendance.liveSessionId, liveAttendance.userId],
      set: {
        secondsPresent: sql`${liveAttendance.secondsPresent} + ${seconds}`,
        ...(change.joined && { lastLeftAt: null }),
      },
    });
}

/**
 * Takes the viewer out of a live session's room, in any status, and sends a PRESENCE signal with
 * `present: false` when they were in it. The time since their last heartbeat counts toward
 * attendance as a heartbeat's would, and their attendance records when they left.
 */
export async function leaveLiveRoom(
  ctx: PresenceContext,
  input: { liveSessionId: number },
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const { liveSession } = await loadReadableLiveSession(ctx, input.liveSessionId);

  const outcome = await runInTransaction(ctx, async (tx) => {
    const previous = await lockPresence(tx, liveSession.id, viewer.id, ctx.presenceTimeoutMs);
    if (!previous) {
      return null;
    }
    await tx
      .delete(livePresence)
      .where(
        and(eq(livePresence.liveSessionId, liveSession.id), eq(livePresence.userId, viewer.id)),
      );
    const seconds = Math.round(creditedGapMs(previous) / 1000);
    // Someone who timed out, or stayed past the end, left at their last heartbeat.
    const leftNow = !previous.stale && previous.status === 'live';
    await tx
      .update(liveAttendance)
      .set({
        secondsPresent: sql`${liveAttendance.secondsPresent} + ${seconds}`,
        lastLeftAt: leftNow ? sql`now()` : previous.lastSeenAt,
      })
      .where(
        and(eq(liveAttendance.liveSessionId, liveSession.id), eq(liveAttendance.userId, viewer.id)),
      );
    return {
      presentCount: await countPresent(tx, liveSession.id, ctx.presenceTimeoutMs),
      displayName: await displayNameOf(tx, viewer.id),
    };
  });

  if (outcome) {
    sendSignal(ctx, topics.liveRoom(liveSession.id), 'presence', viewer.id, {
      displayName: outcome.displayName,
      present: false,
      presentCount: outcome.presentCount,
    });
  }
  return liveSession;
}

export interface PresenceSweepOptions {
  db: Database;
  log: Logger;
  publish: (notices: EventNotice[]) => void;
  /** Milliseconds after its last heartbeat that a person counts as gone. */
  timeoutMs: number;
}

interface Departure {
  liveSessionId: number;
  userId: number;
  displayName: string;
}

/**
 * Removes one batch of presence rows whose heartbeat is older than the timeout, or whose session
 * is no longer scheduled or live, and records when those people left. The rows are taken and
 * removed by one statement with SKIP LOCKED, so when several server processes sweep at once each
 * row is removed, and announced, by exactly one of them.
 */
async function sweepBatch(
  tx: Transaction,
  timeoutMs: number,
): Promise<{ departures: Departure[]; counts: Map<number, number> }> {
  const departures = rowsOf(
    await tx.execute(
      sql`with gone as (
          delete from live_presence p
          where (p.live_session_id, p.user_id) in (
            select o.live_session_id, o.user_id
            from live_presence o join live_sessions s on s.id = o.live_session_id
            where o.last_seen_at < now() - ${timeoutInterval(timeoutMs)}
              or s.status not in ('scheduled', 'live')
            limit ${SWEEP_BATCH}
            for update of o skip locked)
          returning p.live_session_id, p.user_id, p.last_seen_at),
        left_room as (
          update live_attendance a set last_left_at = gone.last_seen_at
          from gone
          where a.live_session_id = gone.live_session_id and a.user_id = gone.user_id)
        select gone.live_session_id, gone.user_id, u.display_name
        from gone join users u on u.id = gone.user_id`,
    ),
  ).map((row) => ({
    liveSessionId: Number(row.live_session_id),
    userId: Number(row.user_id),
    displayName: String(row.display_name),
  }));
  const counts = new Map<number, number>();
  for (const liveSessionId of new Set(departures.map((row) => row.liveSessionId))) {
    counts.set(liveSessionId, await countPresent(tx, liveSessionId, timeoutMs));
  }
  return { departures, counts };
}

/**
 * Removes the people whose heartbeats stopped, and everyone in rooms of sessions that ended or
 * were cancelled, and sends a PRESENCE signal with `present: false` for each once the removal
 * has committed. Returns how many it removed.
 */
export async function sweepPresence(options: PresenceSweepOptions): Promise<number> {
  let removed = 0;
  for (let batch = 0; batch < MAX_SWEEP_BATCHES; batch++) {
    const { departures, counts } = await options.db.transaction((tx) =>
      sweepBatch(tx, options.timeoutMs),
    );
    for (const departure of departures) {
      sendSignal(options, topics.liveRoom(departure.liveSessionId), 'presence', departure.userId, {
        displayName: departure.displayName,
        present: false,
        presentCount: counts.get(departure.liveSessionId) ?? 0,
      });
    }
    removed += departures.length;
    if (departures.length < SWEEP_BATCH) {
      break;
    }
  }
  return removed;
}

export interface PresenceWorker {
  /** Sweeps now; returns how many people it removed. */
  run(): Promise<number>;
  stop(): Promise<void>;
}

/** Sweeps presence every `intervalMs` until stopped; logs start, stop and failures. */
export function startPresenceWorker(
  options: PresenceSweepOptions & { intervalMs: number },
): PresenceWorker {
  const { log } = options;
  let running: Promise<number> | null = null;
  const run = () => {
    running ??= sweepPresence(options)
      .then((count) => {
        if (count > 0) {
          log.debug({ count }, 'Removed timed-out people from live session rooms');
        }
        return count;
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'Sweeping live session presence failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  log.info(
    { intervalMs: options.intervalMs, timeoutMs: options.timeoutMs },
    'Presence sweep worker started',
  );
  return {
    run,
    stop: async () => {
      clearInterval(timer);
      await running;
      log.info('Presence sweep worker stopped');
    },
  };
}

/**
 * Takes a person out of every room of a community, as when they leave it or are removed, and
 * records when they left. No signal is sent: counts read afterwards leave them out.
 */
export async function leaveCommunityRooms(
  tx: Transaction,
  communityId: number,
  userId: number,
): Promise<void> {
  await tx.execute(
    sql`with gone as (
        delete from live_presence p
        using live_sessions s
        where s.id = p.live_session_id and s.community_id = ${communityId} and p.user_id = ${userId}
        returning p.live_session_id, p.user_id, p.last_seen_at)
      update live_attendance a set last_left_at = gone.last_seen_at
      from gone
      where a.live_session_id = gone.live_session_id and a.user_id = gone.user_id`,
  );
}
