import { REACTION_KINDS, THREAD_KINDS } from '../../drizzle/tables/index.ts';
import {
  canAcceptAnswer,
  canEditPost,
  canModerateCommunity,
  canReplyToThread,
} from '../../server/auth/access.ts';
import { renderMarkdown } from '../../server/markdown.ts';
import { topics } from '../../server/services/context.ts';
import {
  acceptAnswer,
  createPost,
  createThread,
  deletePost,
  editPost,
  lockThread,
  pinThread,
  react,
} from '../../server/services/thread.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId, tryParseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

export const ThreadKindEnum = enumFromValues(
  'ThreadKind',
  THREAD_KINDS,
  'A discussion; a question, which can have one accepted answer; or an announcement, which only moderators post and reply to.',
);
export const ReactionKindEnum = enumFromValues('ReactionKind', REACTION_KINDS);

interface ReactionCount {
  kind: (typeof REACTION_KINDS)[number];
  count: number;
  viewerReacted: boolean;
}

const ReactionCountRef = builder.objectRef<ReactionCount>('ReactionCount').implement({
  fields: (t) => ({
    kind: t.field({ type: ReactionKindEnum, resolve: (reaction) => reaction.kind }),
    count: t.exposeInt('count'),
    viewerReacted: t.exposeBoolean('viewerReacted'),
  }),
});

builder.drizzleNode('threads', {
  name: 'Thread',
  id: { column: (thread) => thread.id },
  authScopes: (thread) => ({ readCommunity: thread.communityId }),
  fields: (t) => ({
    title: t.exposeString('title'),
    body: t.exposeString('body', { description: 'Markdown, as written.' }),
    bodyHtml: t.string({
      description: 'The body rendered to sanitized HTML.',
      resolve: (thread) => renderMarkdown(thread.body),
    }),
    kind: t.field({ type: ThreadKindEnum, resolve: (thread) => thread.kind }),
    pinned: t.exposeBoolean('pinned'),
    locked: t.exposeBoolean('locked'),
    replyCount: t.exposeInt('replyCount', {
      description: 'Replies ever posted, deleted ones included.',
    }),
    lastActivityAt: t.field({ type: 'DateTime', resolve: (thread) => thread.lastActivityAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (thread) => thread.createdAt }),
    community: t.relation('community'),
    author: t.relation('author', {
      nullable: true,
      description: 'Null when the account was deleted.',
    }),
    acceptedAnswer: t.relation('acceptedPost', { nullable: true }),
    viewerCanReply: t.boolean({
      resolve: async (thread, _args, ctx) =>
        canReplyToThread(await ctx.access.membership(thread.communityId), thread),
    }),
    viewerCanModerate: t.boolean({
      resolve: async (thread, _args, ctx) =>
        canModerateCommunity(await ctx.access.membership(thread.communityId)),
    }),
    viewerCanAcceptAnswer: t.boolean({
      resolve: async (thread, _args, ctx) =>
        canAcceptAnswer(ctx.viewer, thread, await ctx.access.membership(thread.communityId)),
    }),
    eventCursor: t.string({
      description:
        'The id of the latest event of its subscription, read before the data: pass it as `after` to miss nothing between this query and the subscription.',
      resolve: async (thread, _args, ctx) =>
        String(
          (thread as { eventCursor?: number }).eventCursor ??
            (await ctx.events.latestEventId(topics.thread(thread.id))),
        ),
    }),
    posts: t.relatedConnection('posts', {
      description: 'Top-level replies, oldest first; each carries its own replies.',
      query: { where: { depth: 0 }, orderBy: { id: 'asc' } },
    }),
  }),
});

builder.drizzleNode('posts', {
  name: 'Post',
  description: 'A reply in a thread. A deleted post keeps its place with an empty body.',
  id: { column: (post) => post.id },
  authScopes: (post) => ({ readThread: post.threadId }),
  fields: (t) => ({
    body: t.string({
      description: 'Markdown, as written; empty when deleted.',
      resolve: (post) => (post.deletedAt ? '' : post.body),
    }),
    bodyHtml: t.string({
      resolve: (post) => (post.deletedAt ? '' : renderMarkdown(post.body)),
    }),
    deleted: t.boolean({ resolve: (post) => post.deletedAt !== null }),
    edited: t.boolean({ resolve: (post) => post.editedAt !== null }),
    createdAt: t.field({ type: 'DateTime', resolve: (post) => post.createdAt }),
    editedAt: t.field({ type: 'DateTime', nullable: true, resolve: (post) => post.editedAt }),
    author: t.relation('author', {
      nullable: true,
      description: 'Null when the account is gone; a deleted post keeps its author.',
    }),
    thread: t.relation('thread'),
    parent: t.relation('parent', { nullable: true }),
    replies: t.relation('replies', {
      description: 'Replies to this reply, one level deep, oldest first.',
      query: { orderBy: { id: 'asc' } },
    }),
    reactions: t.field({
      type: [ReactionCountRef],
      description: 'Reaction counts by kind, only kinds with at least one reaction.',
      select: { with: { reactions: { columns: { kind: true, userId: true } } } },
      resolve: (post, _args, ctx) => {
        const counts = new Map<ReactionCount['kind'], ReactionCount>();
        for (const reaction of post.reactions) {
          const entry = counts.get(reaction.kind) ?? {
            kind: reaction.kind,
            count: 0,
            viewerReacted: false,
          };
          entry.count += 1;
          entry.viewerReacted ||= reaction.userId === ctx.viewer?.id;
          counts.set(reaction.kind, entry);
        }
        return REACTION_KINDS.flatMap((kind) => counts.get(kind) ?? []);
      },
    }),
    isAcceptedAnswer: t.boolean({
      select: { with: { thread: { columns: { acceptedPostId: true } } } },
      resolve: (post) => post.thread.acceptedPostId === post.id,
    }),
    viewerCanEdit: t.boolean({
      select: { with: { thread: { columns: { communityId: true } } } },
      resolve: async (post, _args, ctx) =>
        canEditPost(ctx.viewer, post, await ctx.access.membership(post.thread.communityId)),
    }),
    revisions: t.field({
      type: [PostRevision],
      description: 'Earlier bodies of an edited post, oldest first; empty when deleted.',
      select: { with: { revisions: { orderBy: { id: 'asc' } } } },
      resolve: (post) => (post.deletedAt ? [] : post.revisions),
    }),
  }),
});

const PostRevision = builder.drizzleObject('postRevisions', {
  name: 'PostRevision',
  fields: (t) => ({
    body: t.exposeString('body'),
    createdAt: t.field({ type: 'DateTime', resolve: (revision) => revision.createdAt }),
  }),
});

builder.queryFields((t) => ({
  thread: t.drizzleField({
    type: 'threads',
    nullable: true,
    description: 'A thread; null when it does not exist or the viewer may not read it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _parent, args, ctx) => {
      const id = tryParseGlobalId(String(args.id), 'Thread');
      if (id === null || !(await ctx.access.canReadParent('thread', id))) {
        return null;
      }
      // The cursor is read before the row, so an event that lands in between is replayed to the
      // subscriber rather than lost.
      const eventCursor = await ctx.events.latestEventId(topics.thread(id));
      const thread = await ctx.db.query.threads.findFirst(query({ where: { id } }));
      return thread ? Object.assign(thread, { eventCursor }) : null;
    },
  }),
}));

const idInput = (name: string, field: string) =>
  builder.inputType(name, { fields: (f) => ({ [field]: f.id({ required: true }) }) });

const PostIdInput = idInput('PostIdInput', 'postId');

builder.mutationFields((t) => ({
  createThread: t.drizzleField({
    type: 'threads',
    description:
      'Starts a thread. Members post discussions and questions; moderators also post announcements.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateThreadInput', {
          fields: (f) => ({
            communityId: f.id({ required: true }),
            title: f.string({ required: true, description: '1 to 200 characters.' }),
            body: f.string({ required: true, description: 'Markdown, up to 20,000 characters.' }),
            kind: f.field({ type: ThreadKindEnum, defaultValue: 'discussion' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      createThread(ctx, {
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
        title: input.title,
        body: input.body,
        kind: input.kind ?? 'discussion',
      }),
  }),
  createPost: t.drizzleField({
    type: 'posts',
    description: 'Replies to a thread, or with parentId to a top-level reply.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreatePostInput', {
          fields: (f) => ({
            threadId: f.id({ required: true }),
            body: f.string({ required: true, description: 'Markdown, up to 20,000 characters.' }),
            parentId: f.id({ description: 'A top-level reply of the same thread.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      createPost(ctx, {
        threadId: parseGlobalId(String(input.threadId), 'Thread', 'threadId'),
        body: input.body,
        parentId: input.parentId ? parseGlobalId(String(input.parentId), 'Post', 'parentId') : null,
      }),
  }),
  editPost: t.drizzleField({
    type: 'posts',
    description: "Changes the body of the viewer's own post; the earlier body becomes a revision.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('EditPostInput', {
          fields: (f) => ({ postId: f.id({ required: true }), body: f.string({ required: true }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      editPost(ctx, {
        postId: parseGlobalId(String(input.postId), 'Post', 'postId'),
        body: input.body,
      }),
  }),
  deletePost: t.drizzleField({
    type: 'posts',
    description: 'Deletes a post, keeping its place in the thread. The author or a moderator may.',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: PostIdInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      deletePost(ctx, { postId: parseGlobalId(String(input.postId), 'Post', 'postId') }),
  }),
  react: t.drizzleField({
    type: 'posts',
    description: "Adds (active true) or removes the viewer's reaction of one kind.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('ReactInput', {
          fields: (f) => ({
            postId: f.id({ required: true }),
            kind: f.field({ type: ReactionKindEnum, required: true }),
            active: f.boolean({ required: true }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      react(ctx, {
        postId: parseGlobalId(String(input.postId), 'Post', 'postId'),
        kind: input.kind,
        active: input.active,
      }),
  }),
  acceptAnswer: t.drizzleField({
    type: 'threads',
    description: 'Marks a reply as the accepted answer of a question; a null postId clears it.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AcceptAnswerInput', {
          fields: (f) => ({ threadId: f.id({ required: true }), postId: f.id() }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      acceptAnswer(ctx, {
        threadId: parseGlobalId(String(input.threadId), 'Thread', 'threadId'),
        postId: input.postId ? parseGlobalId(String(input.postId), 'Post', 'postId') : null,
      }),
  }),
  pinThread: t.drizzleField({
    type: 'threads',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('PinThreadInput', {
          fields: (f) => ({
            threadId: f.id({ required: true }),
            pinned: f.boolean({ required: true }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      pinThread(ctx, {
        threadId: parseGlobalId(String(input.threadId), 'Thread', 'threadId'),
        pinned: input.pinned,
      }),
  }),
  lockThread: t.drizzleField({
    type: 'threads',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('LockThreadInput', {
          fields: (f) => ({
            threadId: f.id({ required: true }),
            locked: f.boolean({ required: true }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      lockThread(ctx, {
        threadId: parseGlobalId(String(input.threadId), 'Thread', 'threadId'),
        locked: input.locked,
      }),
  }),
}));
