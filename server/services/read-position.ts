import { eq, sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../drizzle/db.ts';
import { posts, threadReads } from '../../drizzle/tables/index.ts';
import { ValidationError } from '../errors.ts';
import { requireViewer, type ServiceContext } from './context.ts';
import { loadReadableThread } from './thread.ts';

export interface UnreadState {
  /** Replies after the read position, not written by the person and visible to them. */
  unreadCount: number;
  /** The oldest of those replies, or null when all are read. */
  firstUnreadPostId: number | null;
}

/**
 * Moves the viewer's read position in a thread forward to `postId`, or to its newest reply when
 * `postId` is absent. A position never moves back, so an older tab marking an older post read
 * changes nothing. The viewer's notifications about the replies read are marked read too.
 * Returns the thread id.
 */
export async function markThreadRead(
  ctx: ServiceContext,
  input: { threadId: number; postId?: number | null },
): Promise<number> {
  const viewer = requireViewer(ctx);
  const { thread } = await loadReadableThread(ctx, input.threadId);
  let postId: number;
  if (input.postId != null) {
    const [post] = await ctx.db
      .select({
        threadId: posts.threadId,
        authorId: posts.authorId,
        removedAt: posts.removedAt,
        heldAt: posts.heldAt,
      })
      .from(posts)
      .where(eq(posts.id, input.postId));
    // A reply hidden from the viewer gets the same answer as a missing one, so ids reveal nothing.
    if (
      !post ||
      post.threadId !== thread.id ||
      !(await ctx.access.canSeeContent(thread.communityId, post))
    ) {
      throw ValidationError.of('postId', `post ${input.postId} is not a reply in this thread`);
    }
    postId = input.postId;
  } else {
    const [latest] = await ctx.db
      .select({ id: sql<number | null>`max(${posts.id})` })
      .from(posts)
      .where(eq(posts.threadId, thread.id));
    postId = latest?.id ?? 0;
  }
  await ctx.db
    .insert(threadReads)
    .values({ userId: viewer.id, threadId: thread.id, lastReadPostId: postId })
    .onConflictDoUpdate({
      target: [threadReads.userId, threadReads.threadId],
      set: {
        lastReadPostId: sql`greatest(${threadReads.lastReadPostId}, ${postId})`,
        readAt: sql`now()`,
      },
    });
  await markThreadNotificationsRead(ctx.db, viewer.id, thread.id);
  return thread.id;
}

/**
 * Marks read the person's notifications about replies up to their read position in a thread, and
 * those about the thread itself, since reading the replies is reading the notifications.
 */
async function markThreadNotificationsRead(db: Executor, userId: number, threadId: number) {
  await db.execute(sql`update notifications n set read_at = now()
    where n.user_id = ${userId} and n.read_at is null
      and n.kind in ('reply', 'mention', 'followed_reply', 'new_thread', 'answer_accepted')
      and n.subject->>'threadId' = ${String(threadId)}
      and coalesce((n.subject->>'postId')::int, 0) <= (select r.last_read_post_id from thread_reads r
        where r.user_id = ${userId} and r.thread_id = ${threadId})`);
}

/**
 * Loads a person's unread state of many threads in one statement. A thread they never opened
 * counts all its replies as unread. Deleted, removed and held replies, their own, those of
 * people they blocked or who blocked them, and replies under a removed, held or blocked top-level
 * reply do not count.
 */
export async function loadUnreadStates(
  db: Executor,
  userId: number,
  threadIds: readonly number[],
): Promise<UnreadState[]> {
  const rows = rowsOf(
    await db.execute(sql`select p.thread_id, count(*)::int as unread, min(p.id) as first_id
      from posts p
      left join thread_reads r on r.thread_id = p.thread_id and r.user_id = ${userId}
      where p.thread_id in (${sql.join(
        threadIds.map((id) => sql`${id}`),
        sql`, `,
      )})
        and p.id > coalesce(r.last_read_post_id, 0)
        and p.deleted_at is null and p.removed_at is null and p.held_at is null
        and p.author_id is distinct from ${userId}
        and not exists (select 1 from user_blocks b
          where (b.blocker_id = ${userId} and b.blocked_id = p.author_id)
             or (b.blocker_id = p.author_id and b.blocked_id = ${userId}))
        and not exists (select 1 from posts pp where pp.id = p.parent_id
          and (pp.removed_at is not null or pp.held_at is not null
            or exists (select 1 from user_blocks pb
              where (pb.blocker_id = ${userId} and pb.blocked_id = pp.author_id)
                 or (pb.blocker_id = pp.author_id and pb.blocked_id = ${userId}))))
      group by p.thread_id`),
  );
  const byThread = new Map(
    rows.map((row) => [
      Number(row.thread_id),
      { unreadCount: Number(row.unread), firstUnreadPostId: Number(row.first_id) },
    ]),
  );
  return threadIds.map((id) => byThread.get(id) ?? { unreadCount: 0, firstUnreadPostId: null });
}
