import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import { posts, threads } from '../../drizzle/tables/index.ts';
import type { CommunityAccess } from '../auth/access.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { recordAudit } from './audit.ts';
import {
  type EventRecorder,
  requireViewer,
  runInTransaction,
  type ServiceContext,
  topics,
} from './context.ts';
import { requireContentModerator } from './moderation-access.ts';
import { closeReportsOnSubject } from './report-resolution.ts';
import type { PostRow, ThreadRow } from './thread.ts';
import { notify } from './thread.ts';

/** A removal reason: one line of 1 to 500 characters, as the tables allow. */
export const REMOVAL_REASON_RULE = { min: 1, max: 500 };

interface Removal {
  actorId: number;
  community: CommunityAccess;
  reason: string;
}

/**
 * Removes a post inside the caller's transaction, which has checked who may: sets removed_at,
 * removed_by_id and removal_reason, writes the audit row and publishes POST_REMOVED on the
 * thread's topic and the community's. Returns null when the post was already removed.
 */
export async function removePostInTransaction(
  tx: Transaction,
  recorder: EventRecorder,
  post: PostRow,
  removal: Removal,
): Promise<PostRow | null> {
  const [removed] = await tx
    .update(posts)
    .set({ removedAt: sql`now()`, removedById: removal.actorId, removalReason: removal.reason })
    .where(and(eq(posts.id, post.id), isNull(posts.removedAt)))
    .returning();
  if (!removed) {
    return null;
  }
  await recordAudit(tx, {
    actorId: removal.actorId,
    action: 'community.post_removed',
    communityId: removal.community.id,
    districtId: removal.community.districtId,
    subjectUserId: post.authorId,
    details: { postId: post.id, threadId: post.threadId, reason: removal.reason },
  });
  await recordContentEvent(recorder, removal.community.id, post.threadId, 'post_removed', post.id);
  return removed;
}

/** Removes a thread as removePostInTransaction removes a post, and publishes THREAD_REMOVED. */
export async function removeThreadInTransaction(
  tx: Transaction,
  recorder: EventRecorder,
  thread: ThreadRow,
  removal: Removal,
): Promise<ThreadRow | null> {
  const [removed] = await tx
    .update(threads)
    .set({ removedAt: sql`now()`, removedById: removal.actorId, removalReason: removal.reason })
    .where(and(eq(threads.id, thread.id), isNull(threads.removedAt)))
    .returning();
  if (!removed) {
    return null;
  }
  await recordAudit(tx, {
    actorId: removal.actorId,
    action: 'community.thread_removed',
    communityId: removal.community.id,
    districtId: removal.community.districtId,
    subjectUserId: thread.authorId,
    details: { threadId: thread.id, title: thread.title, reason: removal.reason },
  });
  await recordContentEvent(recorder, removal.community.id, thread.id, 'thread_removed', null);
  return removed;
}

/**
 * Records one event of a removal or restoration on the thread's topic, which open thread pages
 * follow, and on the community's, which community pages and widgets follow.
 */
async function recordContentEvent(
  recorder: EventRecorder,
  communityId: number,
  threadId: number,
  type: 'post_removed' | 'post_restored' | 'thread_removed' | 'thread_restored',
  postId: number | null,
): Promise<void> {
  const payload = { threadId, ...(postId !== null && { postId }) };
  await recorder.record(topics.thread(threadId), type, payload);
  await recorder.record(topics.community(communityId), type, payload);
}

async function loadPostForModeration(ctx: ServiceContext, postId: number) {
  const [row] = await ctx.db
    .select({ post: posts, communityId: threads.communityId })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(eq(posts.id, postId));
  if (!row) {
    throw new NotFoundError(`Post ${postId} not found, or you do not have access to it.`);
  }
  const { community } = await requireContentModerator(ctx, row.communityId, `Post ${postId}`);
  return { post: row.post, community };
}

async function loadThreadForModeration(ctx: ServiceContext, threadId: number) {
  const [thread] = await ctx.db.select().from(threads).where(eq(threads.id, threadId));
  if (!thread) {
    throw new NotFoundError(`Thread ${threadId} not found, or you do not have access to it.`);
  }
  const { community } = await requireContentModerator(
    ctx,
    thread.communityId,
    `Thread ${threadId}`,
  );
  return { thread, community };
}

function validateReason(reason: string): string {
  const validator = new InputValidator();
  const checked = validator.text('reason', reason, REMOVAL_REASON_RULE);
  validator.check();
  return checked;
}

/**
 * Removes a post from everyone's view but moderators', and only moderators may. Resolves the open reports
 * on it as removed, and notifies its author with a MODERATION notification. Throws ConflictError
 * when it is already removed.
 */
export async function removePost(
  ctx: ServiceContext,
  input: { postId: number; reason: string },
): Promise<PostRow> {
  const viewer = requireViewer(ctx);
  const reason = validateReason(input.reason);
  const { post, community } = await loadPostForModeration(ctx, input.postId);
  return runInTransaction(ctx, async (tx, recorder) => {
    const removed = await removePostInTransaction(tx, recorder, post, {
      actorId: viewer.id,
      community,
      reason,
    });
    if (!removed) {
      throw new ConflictError(`Post ${post.id} is already removed.`);
    }
    const subject = {
      communityId: community.id,
      subjectKind: 'post' as const,
      threadId: null,
      postId: post.id,
      chatMessageId: null,
      subjectUserId: post.authorId,
    };
    const resolved = await closeReportsOnSubject(tx, recorder, {
      subject,
      action: 'removed',
      note: reason || null,
      mutedUntil: null,
      actorId: viewer.id,
    });
    if (post.authorId !== null && post.authorId !== viewer.id) {
      await notify(tx, recorder, post.authorId, 'moderation', {
        communityId: community.id,
        threadId: post.threadId,
        postId: post.id,
        action: 'removed',
        ...(resolved[0] && { reportId: resolved[0].id }),
      });
    }
    return removed;
  });
}

/** Removes a thread, with its replies, as removePost removes a post. */
export async function removeThread(
  ctx: ServiceContext,
  input: { threadId: number; reason: string },
): Promise<ThreadRow> {
  const viewer = requireViewer(ctx);
  const reason = validateReason(input.reason);
  const { thread, community } = await loadThreadForModeration(ctx, input.threadId);
  return runInTransaction(ctx, async (tx, recorder) => {
    const removed = await removeThreadInTransaction(tx, recorder, thread, {
      actorId: viewer.id,
      community,
      reason,
    });
    if (!removed) {
      throw new ConflictError(`Thread ${thread.id} is already removed.`);
    }
    const resolved = await closeReportsOnSubject(tx, recorder, {
      subject: {
        communityId: community.id,
        subjectKind: 'thread',
        threadId: thread.id,
        postId: null,
        chatMessageId: null,
        subjectUserId: thread.authorId,
      },
      action: 'removed',
      note: reason || null,
      mutedUntil: null,
      actorId: viewer.id,
    });
    if (thread.authorId !== null && thread.authorId !== viewer.id) {
      await notify(tx, recorder, thread.authorId, 'moderation', {
        communityId: community.id,
        threadId: thread.id,
        action: 'removed',
        ...(resolved[0] && { reportId: resolved[0].id }),
      });
    }
    return removed;
  });
}

/** Undoes removePost: the post shows again. Publishes POST_RESTORED. */
export async function restorePost(
  ctx: ServiceContext,
  input: { postId: number },
): Promise<PostRow> {
  const viewer = requireViewer(ctx);
  const { post, community } = await loadPostForModeration(ctx, input.postId);
  return runInTransaction(ctx, async (tx, recorder) => {
    const [restored] = await tx
      .update(posts)
      .set({ removedAt: null, removedById: null, removalReason: null })
      .where(and(eq(posts.id, post.id), isNotNull(posts.removedAt)))
      .returning();
    if (!restored) {
      throw new ConflictError(`Post ${post.id} is not removed.`);
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.post_restored',
      communityId: community.id,
      districtId: community.districtId,
      subjectUserId: post.authorId,
      details: { postId: post.id, threadId: post.threadId, removalReason: post.removalReason },
    });
    await recordContentEvent(recorder, community.id, post.threadId, 'post_restored', post.id);
    return restored;
  });
}

/** Undoes removeThread: the thread shows again. Publishes THREAD_RESTORED. */
export async function restoreThread(
  ctx: ServiceContext,
  input: { threadId: number },
): Promise<ThreadRow> {
  const viewer = requireViewer(ctx);
  const { thread, community } = await loadThreadForModeration(ctx, input.threadId);
  return runInTransaction(ctx, async (tx, recorder) => {
    const [restored] = await tx
      .update(threads)
      .set({ removedAt: null, removedById: null, removalReason: null })
      .where(and(eq(threads.id, thread.id), isNotNull(threads.removedAt)))
      .returning();
    if (!restored) {
      throw new ConflictError(`Thread ${thread.id} is not removed.`);
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.thread_restored',
      communityId: community.id,
      districtId: community.districtId,
      subjectUserId: thread.authorId,
      details: { threadId: thread.id, removalReason: thread.removalReason },
    });
    await recordContentEvent(recorder, community.id, thread.id, 'thread_restored', null);
    return restored;
  });
}
