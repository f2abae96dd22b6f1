import { sql } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { embedKeys, embedKeyUsage } from '../../drizzle/tables/index.ts';
import type { Logger } from '../log.ts';

export type EmbedUseKind = 'requests' | 'subscriptions' | 'frames';

type Counts = Record<EmbedUseKind, number>;

/**
 * Counts the use of embed keys in memory and writes the counts in one batch every interval, so
 * that a busy widget costs no write per request. Counts not yet written are lost if the process
 * dies; a clean stop writes them.
 */
export class EmbedUsageCounter {
  private pending = new Map<number, Counts>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => {
      void this.flush();
    }, intervalMs);
    this.timer.unref();
  }

  count(embedKeyId: number, kind: EmbedUseKind): void {
    let counts = this.pending.get(embedKeyId);
    if (!counts) {
      counts = { requests: 0, subscriptions: 0, frames: 0 };
      this.pending.set(embedKeyId, counts);
    }
    counts[kind] += 1;
  }

  /** Writes the counts gathered so far; runs one write at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) {
      return;
    }
    const batch = this.pending;
    this.pending = new Map();
    // Each key's counts go in a transaction of their own, so that one failing key loses only
    // its own counts.
    for (const [embedKeyId, counts] of batch) {
      const total = counts.requests + counts.subscriptions + counts.frames;
      try {
        await this.db.transaction(async (tx) => {
          await tx
            .insert(embedKeyUsage)
            .values({ embedKeyId, day: sql`(now() at time zone 'utc')::date`, ...counts })
            .onConflictDoUpdate({
              target: [embedKeyUsage.embedKeyId, embedKeyUsage.day],
              set: {
                requests: sql`${embedKeyUsage.requests} + ${counts.requests}`,
                subscriptions: sql`${embedKeyUsage.subscriptions} + ${counts.subscriptions}`,
                frames: sql`${embedKeyUsage.frames} + ${counts.frames}`,
              },
            });
          await tx
            .update(embedKeys)
            .set({ useCount: sql`${embedKeys.useCount} + ${total}`, lastUsedAt: sql`now()` })
            .where(sql`${embedKeys.id} = ${embedKeyId}`);
        });
      } catch (error) {
        this.log.error({ err: error, embedKeyId }, 'Writing embed key use counts failed');
      }
    }
  }
}
