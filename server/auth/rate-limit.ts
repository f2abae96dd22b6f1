import { sql } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { rateLimits } from '../../drizzle/tables/index.ts';
import { RateLimitedError } from '../errors.ts';

export interface RateLimitRule {
  /** Attempts allowed in one window. */
  limit: number;
  windowSeconds: number;
}

/**
 * Limits on attempts that guess or spam. Each counts per account (or email) and per client
 * address, so that one address cannot try many accounts and many addresses cannot try one.
 */
export const RATE_LIMITS = {
  // Counted per account and address, so that a stranger's guesses cannot lock the owner out from
  // their own address. The looser limit per account still stops guesses from many addresses.
  signInPerAccountAndAddress: { limit: 10, windowSeconds: 15 * 60 },
  signInPerAccount: { limit: 100, windowSeconds: 15 * 60 },
  signInPerAddress: { limit: 50, windowSeconds: 15 * 60 },
  signUpPerAddress: { limit: 20, windowSeconds: 60 * 60 },
  mailPerAccount: { limit: 5, windowSeconds: 60 * 60 },
  mailPerAddress: { limit: 30, windowSeconds: 60 * 60 },
  tokenPerAddress: { limit: 30, windowSeconds: 15 * 60 },
  passwordCheckPerAccount: { limit: 10, windowSeconds: 15 * 60 },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Counts one attempt against `key` in a fixed window kept in the database, so every server
 * process shares the count. Throws RateLimitedError with the seconds to wait once the window's
 * limit is spent. The rejected attempt still counts, so hammering does not reopen the window.
 */
// NOTE: fixed windows let up to twice a limit through around a window's end; a sliding window
// would close that gap.

export async function consumeRateLimit(
  db: Database,
  key: string,
  rule: RateLimitRule,
): Promise<void> {
  const [row] = await db
    .insert(rateLimits)
    .values({
      key,
      hits: 1,
      windowEndsAt: sql`now() + make_interval(secs => ${rule.windowSeconds})`,
    })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        hits: sql`case when ${rateLimits.windowEndsAt} <= now() then 1 else ${rateLimits.hits} + 1 end`,
        windowEndsAt: sql`case when ${rateLimits.windowEndsAt} <= now() then now() + make_interval(secs => ${rule.windowSeconds}) else ${rateLimits.windowEndsAt} end`,
      },
    })
    .returning({
      hits: rateLimits.hits,
      retryAfter: sql<number>`ceil(extract(epoch from ${rateLimits.windowEndsAt} - now()))::int`,
    });
  if (row && row.hits > rule.limit) {
    throw new RateLimitedError(Math.max(1, Number(row.retryAfter)));
  }
}

/** Counts one attempt against each key; all are counted even when the first one is spent. */
export async function consumeRateLimits(
  db: Database,
  checks: [key: string, rule: RateLimitRule][],
): Promise<void> {
  const results = await Promise.allSettled(
    checks.map(([key, rule]) => consumeRateLimit(db, key, rule)),
  );
  const refused = results
    .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
    .map((result) => result.reason as unknown);
  const limited = refused.filter((reason) => reason instanceof RateLimitedError);
  const other = refused.find((reason) => !(reason instanceof RateLimitedError));
  if (other) {
    throw other;
  }
  if (limited.length > 0) {
    throw limited.reduce((longest, error) =>
      error.retryAfterSeconds > longest.retryAfterSeconds ? error : longest,
    );
  }
}

/**
 * Gives back one attempt to each key whose window is still open, for attempts that turned out
 * legitimate, such as a sign-in with the right password: only failures should use up a limit.
 */
export async function refundRateLimits(db: Database, keys: string[]): Promise<void> {
  for (const key of keys) {
    await db
      .update(rateLimits)
      .set({ hits: sql`greatest(${rateLimits.hits} - 1, 0)` })
      .where(sql`${rateLimits.key} = ${key} and ${rateLimits.windowEndsAt} > now()`);
  }
}

/** Deletes windows that have ended; run from time to time. */
export async function pruneRateLimits(db: Database): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.windowEndsAt} < now()`);
}
