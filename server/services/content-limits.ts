import { eq, sql } from 'drizzle-orm';
import { users } from '../../drizzle/tables/index.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { describeWait, RateLimitedError } from '../errors.ts';
import { renderMarkdown } from '../markdown.ts';
import { requireViewer, type ServiceContext } from './context.ts';

/** Settings of the flood limits and link holds, from FLOOD_LIMITS and NEW_ACCOUNT_DAYS. */
export interface ContentLimits {
  /** Whether the per-minute limits on threads, posts and chat messages apply. */
  floodLimits: boolean;
  /** Accounts younger than this many days get the stricter limits and have links held; 0: none. */
  newAccountDays: number;
}

export const DEFAULT_CONTENT_LIMITS: ContentLimits = { floodLimits: true, newAccountDays: 7 };

export type ContentKind = 'thread' | 'post' | 'chatMessage';

/**
 * Writes per person per minute, counted in the database so that every server process shares
 * them. Ten replies a minute is one every six seconds, faster than anyone types a real reply.
 * New accounts get about a third, because an account made to flood a community is a new one.
 * docs/moderation-limits.md lists the same numbers.
 */
export const FLOOD_LIMITS = {
  thread: {
    established: { limit: 3, windowSeconds: 60 },
    newAccount: { limit: 1, windowSeconds: 60 },
  },
  post: {
    established: { limit: 10, windowSeconds: 60 },
    newAccount: { limit: 3, windowSeconds: 60 },
  },
  // The live room's own limit of 10 messages in 10 seconds per room also applies.
  chatMessage: {
    established: { limit: 30, windowSeconds: 60 },
    newAccount: { limit: 6, windowSeconds: 60 },
  },
} as const satisfies Record<ContentKind, Record<string, RateLimitRule>>;

const NOUNS: Record<ContentKind, string> = {
  thread: 'threads',
  post: 'replies',
  chatMessage: 'chat messages',
};

/** The author's standing for one write, from the age of their account. */
export interface AuthorStanding {
  isNewAccount: boolean;
  /** Whether a link in the content sends it to the review queue. */
  holdsLinks: boolean;
}

/**
 * Counts one thread, post or chat message of the viewer against the per-minute flood limit for
 * their account's age, and returns that standing. Throws RateLimitedError with the seconds to
 * wait past the limit; callers check it before writing anything, so a refused write leaves no
 * row behind.
 */
export async function limitContentWrites(
  ctx: ServiceContext,
  kind: ContentKind,
): Promise<AuthorStanding> {
  const viewer = requireViewer(ctx);
  const settings = ctx.contentLimits ?? DEFAULT_CONTENT_LIMITS;
  const { isNewAccount } = await loadAuthorStanding(ctx);
  if (settings.floodLimits) {
    const rule = isNewAccount ? FLOOD_LIMITS[kind].newAccount : FLOOD_LIMITS[kind].established;
    try {
      await consumeRateLimit(ctx.db, `flood:${kind}:${viewer.id}`, rule);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) {
        throw error;
      }
      ctx.log.warn({ kind, isNewAccount }, 'Flood limit reached');
      const newly = isNewAccount
        ? ` for accounts younger than ${settings.newAccountDays} days`
        : '';
      throw new RateLimitedError(
        error.retryAfterSeconds,
        `At most ${rule.limit} ${NOUNS[kind]} a minute${newly}; try again in ${describeWait(error.retryAfterSeconds)}.`,
      );
    }
  }
  return { isNewAccount, holdsLinks: isNewAccount };
}

/** Loads the viewer's standing from the age of their account, without counting a write. */
export async function loadAuthorStanding(ctx: ServiceContext): Promise<AuthorStanding> {
  const viewer = requireViewer(ctx);
  const settings = ctx.contentLimits ?? DEFAULT_CONTENT_LIMITS;
  const isNewAccount = await isYoungerThan(ctx, viewer.id, settings.newAccountDays);
  return { isNewAccount, holdsLinks: isNewAccount };
}

/** Reports whether the account is younger than `days` days; never for 0 days. */
async function isYoungerThan(ctx: ServiceContext, userId: number, days: number): Promise<boolean> {
  if (days <= 0) {
    return false;
  }
  const [row] = await ctx.db
    .select({ isNew: sql<boolean>`${users.createdAt} > now() - make_interval(days => ${days})` })
    .from(users)
    .where(eq(users.id, userId));
  return row?.isNew === true;
}

const LINK_PATTERNS = [
  // A web address, which the Markdown renderer (marked, GFM) also turns into a link.
  /\bhttps?:\/\//i,
  /\bwww\.[\p{L}\p{N}-]+\.[\p{L}\p{N}]/iu,
  // A Markdown inline link or image, [text](target), and a reference definition, [id]: target.
  /\]\(\s*<?[^)\s]/,
  /^ {0,3}\[[^\]]+\]:\s*\S/m,
  // An autolink such as <mailto:someone@example.org>.
  /<[a-z][a-z0-9+.-]{1,31}:[^\s<>]+>/i,
];

/**
 * Reports whether Markdown text contains a link: a web address, a Markdown link, or anything else
 * the renderer turns into one, such as a raw `<a href="//example.org">` or a bare email address.
 */
export function containsLink(markdown: string): boolean {
  return (
    LINK_PATTERNS.some((pattern) => pattern.test(markdown)) ||
    /<a\s/i.test(renderMarkdown(markdown))
  );
}

/**
 * Reports whether a new thread or post goes to the review queue before others see it: its author's
 * account is new and its text has a link. The caller then writes it with held_at set and calls
 * holdForReview in the same transaction.
 */
export function mustHoldForReview(standing: AuthorStanding, text: string): boolean {
  return standing.holdsLinks && containsLink(text);
}
