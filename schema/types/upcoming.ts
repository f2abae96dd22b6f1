import { readableCommunityCondition } from '../../server/auth/access.ts';
import { ValidationError } from '../../server/errors.ts';
import { builder } from '../builder.ts';

/** Maximum window of `upcomingLiveSessions`, in days: two months of 31 days. */
export const MAX_UPCOMING_WINDOW_DAYS = 62;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Resolves the window of `upcomingLiveSessions`: `from` defaults to now and `to` to the longest
 * window after `from`. Throws a ValidationError on `to` when the window is empty or too long.
 */
export function upcomingWindow(
  from: Date | null | undefined,
  to: Date | null | undefined,
  now: Date,
): { from: Date; to: Date } {
  const start = from ?? now;
  const end = to ?? new Date(start.getTime() + MAX_UPCOMING_WINDOW_DAYS * DAY_MS);
  if (end.getTime() <= start.getTime()) {
    throw ValidationError.of(
      'to',
      `must be after from (${start.toISOString()}); got ${end.toISOString()}`,
    );
  }
  if (end.getTime() - start.getTime() > MAX_UPCOMING_WINDOW_DAYS * DAY_MS) {
    throw ValidationError.of(
      'to',
      `must be at most ${MAX_UPCOMING_WINDOW_DAYS} days after from (${start.toISOString()}); got ${end.toISOString()}. Ask for a longer span one window at a time.`,
    );
  }
  return { from: start, to: end };
}

builder.queryFields((t) => ({
  upcomingLiveSessions: t.drizzleConnection({
    type: 'liveSessions',
    description: `Live sessions of every community the viewer may read (public ones when signed out) that are scheduled or live, have not ended, and overlap the window from \`from\` to \`to\`, so one already running is included; soonest start first. The window spans at most ${MAX_UPCOMING_WINDOW_DAYS} days; a longer one is a VALIDATION error.`,
    args: {
      from: t.arg({
        type: 'DateTime',
        required: false,
        description: 'Start of the window: sessions that end after it are listed. Defaults to now.',
      }),
      to: t.arg({
        type: 'DateTime',
        required: false,
        description: `End of the window, exclusive: after \`from\` and at most ${MAX_UPCOMING_WINDOW_DAYS} days later. Defaults to ${MAX_UPCOMING_WINDOW_DAYS} days after \`from\`.`,
      }),
    },
    resolve: (query, _parent, args, ctx) => {
      const now = new Date();
      const window = upcomingWindow(args.from, args.to, now);
      return ctx.db.query.liveSessions.findMany(
        query({
          where: {
            status: { in: ['scheduled', 'live'] },
            // Sessions that overlap the window and have not ended, so one already running is
            // listed too. As in a community's upcoming list, a session left LIVE past its end is not.
            endsAt: {
              gt: new Date(Math.max(now.getTime(), window.from.getTime())).toISOString(),
            },
            startsAt: { lt: window.to.toISOString() },
            community: { RAW: (table) => readableCommunityCondition(ctx.viewer, table) },
          },
          orderBy: { startsAt: 'asc', id: 'asc' },
        }),
      );
    },
  }),
}));
