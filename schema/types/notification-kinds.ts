import { eq } from 'drizzle-orm';
import { type notifications, reports } from '../../drizzle/tables/index.ts';
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
  const [actor, threadId, community, decision] = await Promise.all([
    subject.actorId ? loadRow(ctx, 'users', subject.actorId) : null,
    notificationThreadId(ctx, notification),
    subject.communityId ? loadRow(ctx, 'communities', subject.communityId) : null,
    moderationDecision(ctx, notification),
  ]);
  const thread = threadId === null ? null : await loadRow(ctx, 'threads', threadId);
  return describeNotification(notification.kind, subject, {
    actorName: actor?.displayName ?? null,
    threadTitle: thread?.title ?? null,
    communityName: community?.name ?? null,
    badgeName: null,
    liveSessionTitle: null,
    note: decision.note,
    reportSubjectKind: decision.subjectKind,
  });
}

/**
 * Returns the thread a notification is about: its threadId, or the thread of its post, since a
 * report on a reply records only the post.
 */
export async function notificationThreadId(
  ctx: GraphQLContext,
  notification: typeof notifications.$inferSelect,
): Promise<number | null> {
  const { subject } = notification;
  if (subject.threadId) {
    return subject.threadId;
  }
  if (!subject.postId) {
    return null;
  }
  const post = await loadRow(ctx, 'posts', subject.postId);
  return post?.threadId ?? null;
}

/**
 * Loads the moderator's note and the reported subject's kind of a MODERATION or REPORT_RESOLVED
 * notification: from its report, or for a removal without a report, the removal reason.
 */
async function moderationDecision(
  ctx: GraphQLContext,
  notification: typeof notifications.$inferSelect,
): Promise<{ note: string | null; subjectKind: string | null }> {
  const { kind, subject } = notification;
  if (kind !== 'moderation' && kind !== 'report_resolved') {
    return { note: null, subjectKind: null };
  }
  if (subject.reportId) {
    const [report] = await ctx.db
      .select({ note: reports.resolutionNote, subjectKind: reports.subjectKind })
      .from(reports)
      .where(eq(reports.id, subject.reportId));
    if (report) {
      return report;
    }
  }
  if (kind === 'moderation' && subject.action === 'removed') {
    const removed = subject.postId
      ? await loadRow(ctx, 'posts', subject.postId)
      : subject.threadId
        ? await loadRow(ctx, 'threads', subject.threadId)
        : null;
    return { note: removed?.removalReason ?? null, subjectKind: null };
  }
  return { note: null, subjectKind: null };
}
