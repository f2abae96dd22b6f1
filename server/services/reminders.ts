import { inArray, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../drizzle/db.ts';
import { liveHands, liveSessions } from '../../drizzle/tables/index.ts';
import type { AccessBatcher } from '../auth/viewer-access.ts';
import { ViewerAccess } from '../auth/viewer-access.ts';
import type { Logger } from '../log.ts';
import type { EventNotice } from '../pubsub/event-bus.ts';
import { applyBadgeRules } from './badge-rule-awards.ts';
import { runInTransaction, type ServiceContext, topics } from './context.ts';
import { notify } from './thread.ts';

/** How long before its start a live session's attendees are reminded. */
export const REMINDER_LEAD_MS = 15 * 60 * 1000;
/** A live session still open this long after its planned end is ended by the server. */
export const END_GRACE_MS = 30 * 60 * 1000;

export interface ReminderWorkerOptions {
  db: Database;
  accessBatcher: AccessBatcher;
  log: Logger;
  publish: (notices: EventNotice[]) => void;
  /** Milliseconds between checks; default 30 s. */
  intervalMs?: number;
}

export interface ReminderWorker {
  /** Sends the reminders due now; returns how many it sent. */
  run(): Promise<number>;
  stop(): Promise<void>;
}

type WorkerDeps = Pick<ServiceContext, 'db' | 'log' | 'publish'> & { accessBatcher: AccessBatcher };

/** Builds the context of a job that runs on its own, without a signed-in viewer. */
function workerContext(deps: WorkerDeps): ServiceContext {
  return {
    db: deps.db,
    viewer: null,
    access: new ViewerAccess(deps.accessBatcher, null),
    log: deps.log,
    publish: deps.publish,
  };
}

/**
 * Sends each person whose RSVP is GOING with a seat a "starting soon" notification once, in the
 * 15 minutes before a scheduled session starts. The reminder rows are written in the same
 * transaction as the notifications, and their key makes every reminder go out once, however
 * many server processes run the worker and however often they restart.
 */
export async function sendDueReminders(ctx: WorkerDeps): Promise<number> {
  const serviceContext = workerContext(ctx);
  return runInTransaction(serviceContext, async (tx, recorder) => {
    const sent = rowsOf(
      await tx.execute(
        sql`insert into live_session_reminders (live_session_id, user_id)
          select r.live_session_id, r.user_id
          from rsvps r
          join live_sessions s on s.id = r.live_session_id
          where r.status = 'going' and r.seat = 'confirmed' and s.status = 'scheduled'
            and s.starts_at > now() and s.starts_at <= now() + ${`${REMINDER_LEAD_MS} milliseconds`}::interval
          on conflict do nothing
          returning live_session_id, user_id`,
      ),
    ).map((row) => ({ liveSessionId: Number(row.live_session_id), userId: Number(row.user_id) }));
    if (sent.length === 0) {
      return 0;
    }
    const sessions = await tx
      .select({ id: liveSessions.id, communityId: liveSessions.communityId })
      .from(liveSessions)
      .where(inArray(liveSessions.id, [...new Set(sent.map((row) => row.liveSessionId))]));
    const communityOf = new Map(sessions.map((session) => [session.id, session.communityId]));
    for (const row of sent) {
      await notify(tx, recorder, row.userId, 'starting_soon', {
        communityId: communityOf.get(row.liveSessionId) ?? 0,
        liveSessionId: row.liveSessionId,
      });
    }
    return sent.length;
  });
}

/**
 * Ends the live sessions that are still LIVE 30 minutes after their planned end, as if the host
 * had ended them, and publishes STATUS_CHANGED for each. One statement picks and changes them, so
 * with several server processes each session is ended and announced once.
 */
export async function endOverdueLiveSessions(ctx: WorkerDeps): Promise<number> {
  const serviceContext = workerContext(ctx);
  return runInTransaction(serviceContext, async (tx, recorder) => {
    const ended = rowsOf(
      await tx.execute(
        sql`update live_sessions set status = 'ended', ended_at = now(), revision = revision + 1
          where status = 'live' and ends_at < now() - ${`${END_GRACE_MS} milliseconds`}::interval
          returning id`,
      ),
    ).map((row) => Number(row.id));
    if (ended.length === 0) {
      return 0;
    }
    await tx.delete(liveHands).where(inArray(liveHands.liveSessionId, ended));
    for (const id of ended) {
      await recorder.record(topics.liveSession(id), 'status_changed', {
        status: 'ended',
        automatic: true,
      });
      await applyBadgeRules(tx, recorder, { kind: 'attendance_changed', liveSessionId: id });
    }
    return ended.length;
  });
}

/**
 * Sends due reminders and ends overdue sessions every `intervalMs` until stopped; logs start,
 * stop and failures.
 */
export function startReminderWorker(options: ReminderWorkerOptions): ReminderWorker {
  const { log } = options;
  let running: Promise<number> | null = null;
  const run = () => {
    running ??= sendDueReminders(options)
      .then(async (count) => {
        if (count > 0) {
          log.info({ count }, 'Sent live session reminders');
        }
        const ended = await endOverdueLiveSessions(options);
        if (ended > 0) {
          log.info({ count: ended }, 'Ended live sessions past their end');
        }
        return count;
      })
      .catch((error: unknown) => {
        log.error(
          { err: error },
          'Sending live session reminders or ending overdue sessions failed',
        );
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(run, options.intervalMs ?? 30_000);
  timer.unref();
  log.info({ intervalMs: options.intervalMs ?? 30_000 }, 'Reminder worker started');
  return {
    run,
    stop: async () => {
      clearInterval(timer);
      await running;
      log.info('Reminder worker stopped');
    },
  };
}
