import type { notifications } from '../../drizzle/tables/index.ts';
import { describeNotification } from '../../server/services/notification-text.ts';
import type { GraphQLContext } from '../builder.ts';
import { loadRow } from '../loaders.ts';

const NEW_KINDS = new Set([
  'mention',
  'answer_accepted',
  'followed_reply',
  'new_thread',
  'moderation',
  'report_resolved',
]);

/**
 * Returns the message of a MENTION, ANSWER_ACCEPTED, FOLLOWED_REPLY, NEW_THREAD, MODERATION or
 * REPORT_RESOLVED notification, with names from the request's batched loaders. Returns null for
 * other kinds.
 */
export async function messageOfNewKind(
  ctx: GraphQLContext,
  notification: typeof notifications.$inferSelect,
): Promise<string | null> {
  if (!NEW_KINDS.has(notification.kind)) {
    return null;
  }
  const { subject } = notification;
  const [actor, thread, community] = await Promise.all([
    subject.actorId ? loadRow(ctx, 'users', subject.actorId) : null,
    subject.threadId ? loadRow(ctx, 'threads', subject.threadId) : null,
    subject.communityId ? loadRow(ctx, 'communities', subject.communityId) : null,
  ]);
  return describeNotification(notification.kind, subject, {
    actorName: actor?.displayName ?? null,
    threadTitle: thread?.title ?? null,
    communityName: community?.name ?? null,
    badgeName: null,
    liveSessionTitle: null,
  });
}
