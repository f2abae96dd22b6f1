import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { notifications } from '../../drizzle/tables/index.ts';
import { ValidationError } from '../errors.ts';
import { requireViewer, type ServiceContext } from './context.ts';

export type NotificationRow = typeof notifications.$inferSelect;

export async function countUnreadNotifications(db: Database, userId: number): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.count ?? 0;
}

/** Marks the given notifications, or all of them, read; returns the unread count after. */
export async function markNotificationsRead(
  ctx: ServiceContext,
  input: { notificationIds?: number[] | null; all?: boolean | null },
): Promise<number> {
  const viewer = requireViewer(ctx);
  const ids = input.notificationIds ?? [];
  if (!input.all && ids.length === 0) {
    throw ValidationError.of('notificationIds', 'give notification ids, or set all to true');
  }
  if (ids.length > 500) {
    throw ValidationError.of('notificationIds', 'at most 500 ids at a time');
  }
  await ctx.db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(
      and(
        eq(notifications.userId, viewer.id),
        isNull(notifications.readAt),
        input.all ? undefined : inArray(notifications.id, ids),
      ),
    );
  return countUnreadNotifications(ctx.db, viewer.id);
}
