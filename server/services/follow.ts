import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Executor } from '../../drizzle/db.ts';
import {
  follows,
  type NOTIFICATION_DELIVERIES,
  notificationSettings,
  threads,
} from '../../drizzle/tables/index.ts';
import { NotFoundError } from '../errors.ts';
import { requireViewer, type ServiceContext } from './context.ts';

export type FollowState = 'following' | 'muted' | 'none';
export type NotificationDelivery = (typeof NOTIFICATION_DELIVERIES)[number];
export type FollowTarget = { threadId: number } | { communityId: number };

/**
 * Sets the viewer's follow state of a thread or community they may read: FOLLOWING gets
 * FOLLOWED_REPLY or NEW_THREAD notifications, MUTED suppresses replies, followed replies, new
 * threads and mentions from it, NONE removes the choice. Throws NotFoundError for a target the
 * viewer may not read or whose thread is hidden from them (see canSeeContent).
 */
export async function setFollow(
  ctx: ServiceContext,
  target: FollowTarget,
  state: FollowState,
): Promise<FollowState> {
  const viewer = requireViewer(ctx);
  if ('threadId' in target) {
    const [thread] = await ctx.db
      .select({
        communityId: threads.communityId,
        authorId: threads.authorId,
        removedAt: threads.removedAt,
        heldAt: threads.heldAt,
      })
      .from(threads)
      .where(eq(threads.id, target.threadId));
    const notFound = `Thread ${target.threadId} not found, or you do not have access to it.`;
    if (!thread) {
      throw new NotFoundError(notFound);
    }
    await ctx.access.requireReadable(thread.communityId, `Thread ${target.threadId}`);
    // A removed or held thread, or one of a person blocked either way, is hidden like a missing one.
    if (!(await ctx.access.canSeeContent(thread.communityId, thread))) {
      throw new NotFoundError(notFound);
    }
  } else {
    await ctx.access.requireReadable(target.communityId);
  }
  await writeFollow(ctx.db, viewer.id, target, state);
  return state;
}

/** Writes a follow state without access checks; mute links use it for their signed target. */
export async function writeFollow(
  db: Executor,
  userId: number,
  target: FollowTarget,
  state: FollowState,
): Promise<void> {
  const targetCondition =
    'threadId' in target
      ? eq(follows.threadId, target.threadId)
      : eq(follows.communityId, target.communityId);
  if (state === 'none') {
    await db.delete(follows).where(and(eq(follows.userId, userId), targetCondition));
    return;
  }
  const conflict =
    'threadId' in target
      ? { target: [follows.userId, follows.threadId], targetWhere: isNotNull(follows.threadId) }
      : {
          target: [follows.userId, follows.communityId],
          targetWhere: isNotNull(follows.communityId),
        };
  await db
    .insert(follows)
    .values({ userId, ...target, state })
    .onConflictDoUpdate({ ...conflict, set: { state } });
}

/** Loads one person's follow states of many threads or communities in one statement. */
export async function loadFollowStates(
  db: Executor,
  userId: number,
  kind: 'thread' | 'community',
  ids: readonly number[],
): Promise<FollowState[]> {
  const column = kind === 'thread' ? follows.threadId : follows.communityId;
  const rows = await db
    .select({ targetId: column, state: follows.state })
    .from(follows)
    .where(and(eq(follows.userId, userId), inArray(column, [...ids])));
  const byId = new Map(rows.map((row) => [row.targetId, row.state]));
  return ids.map((id) => byId.get(id) ?? 'none');
}

export interface NotificationSettingsRow {
  delivery: NotificationDelivery;
  lastDigestAt: string | null;
}

/** Returns a person's delivery choice; IN_APP when they never chose. */
export async function loadNotificationSettings(
  db: Executor,
  userId: number,
): Promise<NotificationSettingsRow> {
  const [row] = await db
    .select({
      delivery: notificationSettings.delivery,
      lastDigestAt: notificationSettings.lastDigestAt,
    })
    .from(notificationSettings)
    .where(eq(notificationSettings.userId, userId));
  return row ?? { delivery: 'in_app', lastDigestAt: null };
}

/**
 * Changes how notifications reach a person. Choosing a digest starts its period now, so the
 * first digest goes out a day or a week later; notifications from before the change are never
 * mailed, because the mail workers take only those created after `updated_at`.
 */
export async function writeNotificationDelivery(
  db: Executor,
  userId: number,
  delivery: NotificationDelivery,
): Promise<NotificationSettingsRow> {
  const isDigest = delivery === 'daily_digest' || delivery === 'weekly_digest';
  const [row] = await db
    .insert(notificationSettings)
    .values({ userId, delivery, lastDigestAt: isDigest ? sql`now()` : null })
    .onConflictDoUpdate({
      target: notificationSettings.userId,
      set: {
        delivery,
        updatedAt: sql`case when ${notificationSettings.delivery} = ${delivery} then ${notificationSettings.updatedAt} else now() end`,
        lastDigestAt: isDigest
          ? sql`case when ${notificationSettings.delivery} = ${delivery} then ${notificationSettings.lastDigestAt} else now() end`
          : null,
      },
    })
    .returning({
      delivery: notificationSettings.delivery,
      lastDigestAt: notificationSettings.lastDigestAt,
    });
  if (!row) {
    throw new Error(`Saving the notification settings of user ${userId} returned no row`);
  }
  return row;
}

/** Changes the viewer's notification delivery. */
export async function updateNotificationSettings(
  ctx: ServiceContext,
  input: { delivery: NotificationDelivery },
): Promise<NotificationSettingsRow> {
  const viewer = requireViewer(ctx);
  return writeNotificationDelivery(ctx.db, viewer.id, input.delivery);
}
