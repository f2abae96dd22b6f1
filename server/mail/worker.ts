import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { mailOutbox } from '../../drizzle/tables/index.ts';
import type { Logger } from '../log.ts';
import type { MailTransport } from './transport.ts';

/** Attempts after which a message is marked failed and no longer retried. */
export const MAX_MAIL_ATTEMPTS = 8;

export interface MailWorkerOptions {
  db: Database;
  transport: MailTransport;
  log: Logger;
  /** Milliseconds between polls of the outbox; default 1000. */
  intervalMs?: number;
  /** Delay before the first retry, doubled after each further failure; default 30 s. */
  retryBaseMs?: number;
  /** Messages claimed per query; default 10. */
  batchSize?: number;
  /**
   * How long a claimed message stays hidden from other workers while it is sent; default 5 min.
   * A worker that dies mid-send leaves it to be retried once this passes.
   */
  claimMs?: number;
}

export interface MailWorker {
  /** Sends every due message now, without waiting for the next poll; returns how many it tried. */
  drain(): Promise<number>;
  /** Stops polling and waits for the batch in flight. */
  stop(): Promise<void>;
}

type ClaimedMail = Pick<
  typeof mailOutbox.$inferSelect,
  'id' | 'recipient' | 'subject' | 'textBody' | 'attempts'
>;

/** Maximum wait between two attempts. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/** Logs a failing poll on the 1st, 2nd, 4th, 8th … failure in a row, not every second. */
function shouldLogRepeat(count: number): boolean {
  return (count & (count - 1)) === 0;
}

/**
 * Starts polling the mail outbox. Each poll claims due pending messages with
 * `FOR UPDATE SKIP LOCKED` and pushes their next attempt past the claim period in the same
 * statement, so several workers (in one process or many) do not send the same message at once.
 * A sent message is marked sent; a failed one is retried with exponential backoff and marked
 * failed, with its last error, after MAX_MAIL_ATTEMPTS attempts.
 */
export function startMailWorker(options: MailWorkerOptions): MailWorker {
  const { db, transport, log } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const retryBaseMs = options.retryBaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 10;
  const claimMs = options.claimMs ?? 5 * 60 * 1000;

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let failedPolls = 0;

  async function claim(): Promise<ClaimedMail[]> {
    const due = db
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, sql`now()`)))
      .orderBy(mailOutbox.nextAttemptAt, mailOutbox.id)
      .limit(batchSize)
      .for('update', { skipLocked: true });
    return db
      .update(mailOutbox)
      .set({ attempts: sql`${mailOutbox.attempts} + 1`, nextAttemptAt: secondsFromNow(claimMs) })
      .where(inArray(mailOutbox.id, due))
      .returning({
        id: mailOutbox.id,
        recipient: mailOutbox.recipient,
        subject: mailOutbox.subject,
        textBody: mailOutbox.textBody,
        attempts: mailOutbox.attempts,
      });
  }

  async function deliver(mail: ClaimedMail): Promise<void> {
    try {
      await transport.send({ to: mail.recipient, subject: mail.subject, text: mail.textBody });
    } catch (error) {
      await recordFailure(mail, error);
      return;
    }
    await db
      .update(mailOutbox)
      .set({ status: 'sent', sentAt: sql`now()`, lastError: null })
      .where(eq(mailOutbox.id, mail.id));
    log.debug({ mailId: mail.id, attempts: mail.attempts }, 'Mail sent');
  }

  async function recordFailure(mail: ClaimedMail, error: unknown): Promise<void> {
    const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    if (mail.attempts >= MAX_MAIL_ATTEMPTS) {
      await db
        .update(mailOutbox)
        .set({ status: 'failed', lastError })
        .where(eq(mailOutbox.id, mail.id));
      log.error(
        { mailId: mail.id, attempts: mail.attempts, err: error },
        'Sending mail failed on the last attempt; it will not be retried',
      );
      return;
    }
    const delayMs = Math.min(retryBaseMs * 2 ** (mail.attempts - 1), MAX_RETRY_DELAY_MS);
    await db
      .update(mailOutbox)
      .set({ lastError, nextAttemptAt: secondsFromNow(delayMs) })
      .where(eq(mailOutbox.id, mail.id));
    log.warn(
      { mailId: mail.id, attempts: mail.attempts, retryInMs: delayMs, err: error },
      'Sending mail failed; it will be retried',
    );
  }

  async function sendDue(): Promise<number> {
    let tried = 0;
    while (!stopped) {
      const batch = await claim();
      for (const mail of batch) {
        await deliver(mail);
      }
      tried += batch.length;
      if (batch.length < batchSize) {
        break;
      }
    }
    return tried;
  }

  async function poll(): Promise<void> {
    timer = null;
    try {
      running = sendDue();
      await running;
      failedPolls = 0;
    } catch (error) {
      failedPolls += 1;
      if (shouldLogRepeat(failedPolls)) {
        log.error({ err: error, failedPolls }, 'Polling the mail outbox failed');
      }
    } finally {
      running = null;
    }
    if (!stopped) {
      timer = setTimeout(() => void poll(), intervalMs);
    }
  }

  timer = setTimeout(() => void poll(), intervalMs);
  log.info({ transport: transport.kind, intervalMs }, 'Mail worker started');
  if (transport.kind === 'log') {
    log.warn('SMTP_URL is not set, so outgoing mail is written to the log instead of sent');
  }

  return {
    async drain() {
      while (running) {
        await running.catch(() => 0);
      }
      running = sendDue();
      try {
        return await running;
      } finally {
        running = null;
      }
    },
    async stop() {
      stopped = true;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      await running?.catch(() => 0);
      transport.close();
      log.info('Mail worker stopped');
    },
  };
}

function secondsFromNow(ms: number) {
  return sql<string>`now() + make_interval(secs => ${ms / 1000})`;
}
