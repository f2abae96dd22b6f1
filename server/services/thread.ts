import { and, eq, sql } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import {
  type NOTIFICATION_KINDS,
  notifications,
  postRevisions,
  posts,
  type REACTION_KINDS,
  reactions,
  type THREAD_KINDS,
  threads,
} from '../../drizzle/tables/index.ts';
import {
  canAcceptAnswer,
  canCreateThread,
  canDeletePost,
  canEditPost,
  canModerateCommunity,
  canReplyToThread,
} from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { applyBadgeRules } from './badge-rule-awards.ts';
import { rejectWhileMutedInCommunity } from './community-mute.ts';
import { limitContentWrites, loadAuthorStanding, mustHoldForReview } from './content-limits.ts';
import {
  type EventRecorder,
  requireViewer,
  runInTransaction,
  type ServiceContext,
  topics,
} from './context.ts';
import { holdForReview } from './moderation.ts';
import {
  notifyAnswerAccepted,
  notifyMentionsAdded,
  notifyPostAdded,
  notifyThreadCreated,
  withoutMentions,
} from './notify-rules.ts';

export type ThreadRow = typeof threads.$inferSelect;
export type PostRow = typeof posts.$inferSelect;
export type ThreadKind = (typeof THREAD_KINDS)[number];
export type ReactionKind = (typeof REACTION_KINDS)[number];

const TITLE_RULE = { max: 200 };
const BODY_RULE = { max: 20_000, multiline: true };

/** Loads a thread the viewer may read, with the viewer's membership in its community. */
export async function loadReadableThread(ctx: ServiceContext, threadId: number) {
  const [thread] = await ctx.db.select().from(threads).where(eq(threads.id, threadId));
  if (!thread) {
    throw new NotFoundError(`Thread ${threadId} not found, or you do not have access to it.`);
  }
  const { membership } = await ctx.access.requireReadable(thread.communityId, `Thread ${threadId}`);
  return { thread, membership };
}

async function loadReadablePost(ctx: ServiceContext, postId: number) {
  const [post] = await ctx.db.select().from(posts).where(eq(posts.id, postId));
  if (!post) {
    throw new NotFoundError(`Post ${postId} not found, or you do not have access to it.`);
  }
  const { thread, membership } = await loadReadableThread(ctx, post.threadId).catch(() => {
    throw new NotFoundError(`Post ${postId} not found, or you do not have access to it.`);
  });
  return { post, thread, membership };
}

/**
 * Starts a thread. Announcements are for moderators only. Publishes THREAD_CREATED to the
 * community.
 */
export async function createThread(
  ctx: ServiceContext,
  input: { communityId: number; title: string; body: string; kind: ThreadKind },
): Promise<ThreadRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const title = validator.text('title', input.title, TITLE_RULE);
  const body = validator.text('body', input.body, { ...BODY_RULE, min: 0 });
  validator.check();

  const { membership } = await ctx.access.requireReadable(input.communityId);
  if (!canCreateThread(membership, input.kind)) {
    throw new ForbiddenError(
      input.kind === 'announcement'
        ? 'Only owners and facilitators post announcements.'
        : 'Join this community to start a thread.',
    );
  }
  rejectWhileMutedInCommunity(membership, 'start threads');
  const held = mustHoldForReview(
    await limitContentWrites(ctx, 'thread'),
    withoutMentions(`${title}\n${body}`),
  );

  return runInTransaction(ctx, async (tx, recorder) => {
    const [thread] = await tx
      .insert(threads)
      .values({
        communityId: input.communityId,
        authorId: viewer.id,
        title,
        body,
        kind: input.kind,
        heldAt: held ? sql`now()` : null,
      })
      .returning();
    if (!thread) {
      throw new Error('Inserting a thread returned no row');
    }
    if (held) {
      await holdForReview(tx, {
        communityId: thread.communityId,
        threadId: thread.id,
        authorId: viewer.id,
      });
    }
    // Subscribers who may not see a held thread do not receive this event (see content-hide.ts).
    await recorder.record(topics.community(input.communityId), 'thread_created', {
      threadId: thread.id,
    });
    if (!held) {
      await notifyThreadCreated(tx, recorder, thread);
    }
    await applyBadgeRules(tx, recorder, {
      kind: 'thread_started',
      communityId: input.communityId,
      userId: viewer.id,
    });
    return thread;
  });
}

/**
 * Replies to a thread, or to a top-level reply (one level deep). Publishes POST_ADDED to the
 * thread and notifies the author of what was replied to.
 */
export async function createPost(
  ctx: ServiceContext,
  input: { threadId: number; body: string; parentId?: number | null },
): Promise<PostRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const body = validator.text('body', input.body, BODY_RULE);
  validator.check();

  const { thread, membership } = await loadReadableThread(ctx, input.threadId);
  if (!canReplyToThread(membership, thread)) {
    throw new ForbiddenError(replyRejection(thread, membership !== null));
  }
  rejectWhileMutedInCommunity(membership, 'reply');
  if (!(await ctx.access.canSeeContent(thread.communityId, thread))) {
    throw new NotFoundError(`Thread ${thread.id} not found, or you do not have access to it.`);
  }
  let parent: PostRow | undefined;
  if (input.parentId != null) {
    [parent] = await ctx.db.select().from(posts).where(eq(posts.id, input.parentId));
    if (
      !parent ||
      parent.threadId !== thread.id ||
      !(await ctx.access.canSeeContent(thread.communityId, parent))
    ) {
      throw ValidationError.of('parentId', `post ${input.parentId} is not a reply in this thread`);
    }
    if (parent.depth > 0) {
      throw ValidationError.of(
        'parentId',
        'replies go one level deep: reply to the top-level post instead',
      );
    }
    if (parent.deletedAt) {
      throw new ConflictError('That reply was deleted; reply to the thread instead.');
    }
  }
  // A mention links to a profile on this site, so a mention alone does not send a post to review.
  const held = mustHoldForReview(await limitContentWrites(ctx, 'post'), withoutMentions(body));

  return runInTransaction(ctx, async (tx, recorder) => {
    const [post] = await tx
      .insert(posts)
      .values({
        threadId: thread.id,
        authorId: viewer.id,
        parentId: parent?.id ?? null,
        depth: parent ? 1 : 0,
        body,
        heldAt: held ? sql`now()` : null,
      })
      .returning();
    if (!post) {
      throw new Error('Inserting a post returned no row');
    }
    if (held) {
      await holdForReview(tx, {
        communityId: thread.communityId,
        threadId: thread.id,
        postId: post.id,
        authorId: viewer.id,
      });
    }
    // NOTE: replyCount counts every reply ever posted, so held, removed, deleted and blocked
    // replies stay in it and the count can exceed the replies a viewer sees.
    await tx
      .update(threads)
      .set({ replyCount: sql`${threads.replyCount} + 1`, lastActivityAt: sql`now()` })
      .where(eq(threads.id, thread.id));
    await recorder.record(topics.thread(thread.id), 'post_added', { postId: post.id });
    await recorder.record(topics.community(thread.communityId), 'reply_posted', {
      threadId: thread.id,
      postId: post.id,
    });

    // A held reply sends no notifications, and its events reach only its author and the moderators.
    if (!held) {
      await notifyPostAdded(tx, recorder, { thread, post, parent });
    }
    await applyBadgeRules(tx, recorder, {
      kind: 'reply_posted',
      communityId: thread.communityId,
      userId: viewer.id,
    });
    return post;
  });
}

function replyRejection(thread: ThreadRow, isMember: boolean): string {
  if (!isMember) {
    return 'Join this community to reply.';
  }
  if (thread.locked) {
    return 'This thread is locked; it takes no new replies.';
  }
  return 'Only owners and facilitators reply to announcements.';
}

/** Writes a notification and its event on the recipient's topic. */
export async function notify(
  tx: Transaction,
  recorder: EventRecorder,
  userId: number,
  kind: (typeof NOTIFICATION_KINDS)[number],
  subject: typeof notifications.$inferInsert.subject,
): Promise<void> {
  const [notification] = await tx
    .insert(notifications)
    .values({ userId, kind, subject })
    .returning({ id: notifications.id });
  if (notification) {
    await recorder.record(topics.user(userId), 'notification', { notificationId: notification.id });
  }
}

/** Changes the body of the viewer's own post; the earlier body is kept as a revision. */
export async function editPost(
  ctx: ServiceContext,
  input: { postId: number; body: string },
): Promise<PostRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const body = validator.text('body', input.body, BODY_RULE);
  validator.check();

  const { post, thread, membership } = await loadReadablePost(ctx, input.postId);
  if (!canEditPost(viewer, post, membership)) {
    throw new ForbiddenError(
      post.deletedAt ? 'A deleted post cannot be edited.' : 'Only the author can edit a post.',
    );
  }
  rejectWhileMutedInCommunity(membership, 'edit posts');
  if (body === post.body) {
    return post;
  }
  // A new account's link added by an edit waits for review as one in a new reply does.
  const held =
    post.heldAt === null && mustHoldForReview(await loadAuthorStanding(ctx), withoutMentions(body));

  return runInTransaction(ctx, async (tx, recorder) => {
    await tx.insert(postRevisions).values({ postId: post.id, body: post.body });
    const [updated] = await tx
      .update(posts)
      .set({ body, editedAt: sql`now()`, ...(held && { heldAt: sql`now()` }) })
      .where(eq(posts.id, post.id))
      .returning();
    if (held) {
      await holdForReview(tx, {
        communityId: thread.communityId,
        threadId: thread.id,
        postId: post.id,
        authorId: viewer.id,
      });
    }
    await recorder.record(topics.thread(post.threadId), 'post_edited', { postId: post.id });
    if (!held) {
      await notifyMentionsAdded(tx, recorder, { thread, post: updated ?? post, before: post.body });
    }
    return updated ?? post;
  });
}

/** Soft-deletes a post; the author or a moderator may. Replies to it stay. */
export async function deletePost(ctx: ServiceContext, input: { postId: number }): Promise<PostRow> {
  const viewer = requireViewer(ctx);
  const { post, membership } = await loadReadablePost(ctx, input.postId);
  if (post.deletedAt) {
    throw new ConflictError(`Post ${input.postId} is already deleted.`);
  }
  if (!canDeletePost(viewer, post, membership)) {
    throw new ForbiddenError('Only the author or a facilitator can delete this post.');
  }

  return runInTransaction(ctx, async (tx, recorder) => {
    const [updated] = await tx
      .update(posts)
      .set({ deletedAt: sql`now()` })
      .where(eq(posts.id, post.id))
      .returning();
    await tx
      .update(threads)
      .set({ acceptedPostId: null })
      .where(and(eq(threads.id, post.threadId), eq(threads.acceptedPostId, post.id)));
    await recorder.record(topics.thread(post.threadId), 'post_deleted', { postId: post.id });
    return updated ?? post;
  });
}

/** Adds or removes the viewer's reaction of one kind on a post. */
export async function react(
  ctx: ServiceContext,
  input: { postId: number; kind: ReactionKind; active: boolean },
): Promise<PostRow> {
  const viewer = requireViewer(ctx);
  const { post, thread, membership } = await loadReadablePost(ctx, input.postId);
  if (!(await ctx.access.canSeeContent(thread.communityId, post))) {
    throw new NotFoundError(`Post ${input.postId} not found, or you do not have access to it.`);
  }
  if (membership?.status !== 'active') {
    throw new ForbiddenError('Join this community to react to posts.');
  }
  if (post.deletedAt) {
    throw new ConflictError('A deleted post takes no reactions.');
  }

  await runInTransaction(ctx, async (tx, recorder) => {
    const changed = input.active
      ? await tx
          .insert(reactions)
          .values({ postId: post.id, userId: viewer.id, kind: input.kind })
          .onConflictDoNothing()
          .returning({ postId: reactions.postId })
      : await tx
          .delete(reactions)
          .where(
            and(
              eq(reactions.postId, post.id),
              eq(reactions.userId, viewer.id),
              eq(reactions.kind, input.kind),
            ),
          )
          .returning({ postId: reactions.postId });
    if (changed.length > 0) {
      await recorder.record(topics.thread(post.threadId), 'reaction_changed', { postId: post.id });
    }
    if (changed.length > 0 && input.active && post.authorId !== null) {
      await applyBadgeRules(tx, recorder, {
        kind: 'reaction_added',
        communityId: thread.communityId,
        userId: post.authorId,
      });
    }
  });
  return post;
}

/** Marks one reply of a question as its accepted answer, or clears it with a null post id. */
export async function acceptAnswer(
  ctx: ServiceContext,
  input: { threadId: number; postId: number | null },
): Promise<ThreadRow> {
  const viewer = requireViewer(ctx);
  const { thread, membership } = await loadReadableThread(ctx, input.threadId);
  if (thread.kind !== 'question') {
    throw new ConflictError('Only question threads have an accepted answer.');
  }
  if (!canAcceptAnswer(viewer, thread, membership)) {
    throw new ForbiddenError('Only the asker or a facilitator can accept an answer.');
  }
  if (input.postId !== null) {
    const [post] = await ctx.db.select().from(posts).where(eq(posts.id, input.postId));
    if (!post || post.threadId !== thread.id) {
      throw ValidationError.of('postId', `post ${input.postId} is not a reply in this thread`);
    }
    if (post.deletedAt) {
      throw new ConflictError('A deleted reply cannot be the accepted answer.');
    }
    return updateThread(ctx, thread.id, { acceptedPostId: post.id }, (tx, recorder) =>
      notifyAnswerAccepted(tx, recorder, { thread, answer: post, actorId: viewer.id }),
    );
  }
  return updateThread(ctx, thread.id, { acceptedPostId: input.postId });
}

export async function pinThread(
  ctx: ServiceContext,
  input: { threadId: number; pinned: boolean },
): Promise<ThreadRow> {
  requireViewer(ctx);
  const { thread, membership } = await loadReadableThread(ctx, input.threadId);
  if (!canModerateCommunity(membership)) {
    throw new ForbiddenError('Only owners and facilitators pin threads.');
  }
  return updateThread(ctx, thread.id, { pinned: input.pinned });
}

export async function lockThread(
  ctx: ServiceContext,
  input: { threadId: number; locked: boolean },
): Promise<ThreadRow> {
  requireViewer(ctx);
  const { thread, membership } = await loadReadableThread(ctx, input.threadId);
  if (!canModerateCommunity(membership)) {
    throw new ForbiddenError('Only owners and facilitators lock threads.');
  }
  return updateThread(ctx, thread.id, { locked: input.locked });
}

async function updateThread(
  ctx: ServiceContext,
  threadId: number,
  values: Partial<Pick<ThreadRow, 'pinned' | 'locked' | 'acceptedPostId'>>,
  afterUpdate?: (tx: Transaction, recorder: EventRecorder) => Promise<void>,
): Promise<ThreadRow> {
  return runInTransaction(ctx, async (tx, recorder) => {
    const [updated] = await tx
      .update(threads)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(threads.id, threadId))
      .returning();
    if (!updated) {
      throw new NotFoundError(`Thread ${threadId} not found.`);
    }
    await recorder.record(topics.thread(threadId), 'thread_updated', { threadId, ...values });
    await afterUpdate?.(tx, recorder);
    return updated;
  });
}
