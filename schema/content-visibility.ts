import { eq } from 'drizzle-orm';
import { threads } from '../drizzle/tables/index.ts';
import type { ContentFacts } from '../server/auth/content-visibility.ts';
import type { GraphQLContext } from './builder.ts';

/**
 * Schema-side uses of the content visibility rules of server/auth/content-visibility.ts, for the
 * paths that load one row rather than a filtered list: lookups by id, and the text of a thread or
 * post reached through a relation or an event.
 */

/** Reports whether the viewer sees the thread with this id; false when there is none. */
export async function canSeeThreadById(ctx: GraphQLContext, threadId: number): Promise<boolean> {
  const [thread] = await ctx.db
    .select({
      communityId: threads.communityId,
      authorId: threads.authorId,
      removedAt: threads.removedAt,
      heldAt: threads.heldAt,
    })
    .from(threads)
    .where(eq(threads.id, threadId));
  return thread !== undefined && ctx.access.canSeeContent(thread.communityId, thread);
}

/**
 * Reports whether `node(id:)` and `nodes(ids:)` may return a row that passed its type's access
 * scopes: a thread or post the viewer may see, and a chat message or question of someone not
 * blocked.
 */
export async function mayShowNode(
  ctx: GraphQLContext,
  typename: string,
  row: unknown,
): Promise<boolean> {
  if (typename === 'Thread') {
    const thread = row as ContentFacts & { communityId: number };
    return ctx.access.canSeeContent(thread.communityId, thread);
  }
  if (typename === 'Post') {
    const post = row as ContentFacts & { threadId: number };
    const communityId = await ctx.access.communityIdOf('thread', post.threadId);
    return (
      communityId !== null &&
      (await canSeeThreadById(ctx, post.threadId)) &&
      (await ctx.access.canSeeContent(communityId, post))
    );
  }
  if (typename === 'ChatMessage' || typename === 'LiveQuestion') {
    return !(await ctx.access.isBlockedWith((row as { authorId: number | null }).authorId));
  }
  return true;
}

/**
 * Returns the text of a thread or post, or an empty string for a viewer who may not see it: the
 * text of removed and held content reaches only those the rules allow, whatever path loaded it.
 * Only removed and held rows cost an access check; the lists leave out blocked people's content.
 */
export async function visibleText(
  ctx: GraphQLContext,
  communityId: number,
  content: ContentFacts,
  text: string,
): Promise<string> {
  if (content.removedAt === null && content.heldAt === null) {
    return text;
  }
  return (await ctx.access.canSeeContent(communityId, content)) ? text : '';
}

/**
 * Reports whether the author of a thread or post may be shown: always for content that is
 * neither removed nor held, otherwise only to viewers who see the content. Events and relations
 * reach hidden rows by id, and their author must stay as hidden as their text.
 */
export async function mayShowAuthor(
  ctx: GraphQLContext,
  content: ContentFacts,
  communityId: () => Promise<number | null>,
): Promise<boolean> {
  if (content.removedAt === null && content.heldAt === null) {
    return true;
  }
  const id = await communityId();
  return id !== null && ctx.access.canSeeContent(id, content);
}
