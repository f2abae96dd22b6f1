import type { Database } from '../../drizzle/db.ts';
import type { Logger } from '../log.ts';
import { sendDueDigests } from '../services/digest.ts';
import { mailNewNotifications } from '../services/notification-mail.ts';
import type { MuteLinks } from './mute-links.ts';

export interface NotificationMailWorkerOptions {
  db: Database;
  log: Logger;
  muteLinks: MuteLinks;
  publicUrl: string;
  /** Milliseconds between runs; default 10 s. */
  intervalMs?: number;
}

export interface NotificationMailWorker {
  /** Queues the notification mails and digests due now; returns how many mails it queued. */
  run(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Queues, every `intervalMs`, one mail per new notification of people who chose EMAIL and the
 * digests that are due. The mail worker sends what this queues. Logs start, stop and failures.
 */
export function startNotificationMailWorker(
  options: NotificationMailWorkerOptions,
): NotificationMailWorker {
  const { log } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  let running: Promise<number> | null = null;
  const run = () => {
    running ??= (async () => {
      const mails = await mailNewNotifications(options);
      const digests = await sendDueDigests(options);
      if (mails + digests > 0) {
        log.info({ mails, digests }, 'Queued notification mail');
      }
      return mails + digests;
    })()
      .catch((error: unknown) => {
        log.error({ err: error }, 'Queueing notification mail or digests failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  log.info({ intervalMs }, 'Notification mail worker started');
  return {
    run,
    stop: async () => {
      clearInterval(timer);
      await running;
      log.info('Notification mail worker stopped');
    },
  };
}
