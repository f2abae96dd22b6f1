import { REACTION_KINDS, THREAD_KINDS } from '../../drizzle/tables/index.ts';
import {
  canAcceptAnswer,
  canEditPost,
  canModerateCommunity,
  canReplyToThread,
} from '../../server/auth/access.ts';
import {
  visiblePostCondition,
  visibleThreadCondition,
} from '../../server/auth/content-visibility.ts';
import { RateLimitedError } from '../../server/errors.ts';
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
import { mayShowAuthor, visibleText } from '../content-visibility.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId, tryParseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

export const ThreadKindEnum = enumFromValues(
  'ThreadKind',
  THREAD_KINDS,
  'A discussion; a question, which can have one accepted answer; or an announcement, which only moderators post and reply to.',
);
export const ReactionKindEnum = enumFromValues(
  'ReactionKind',
  REACTION_KINDS,
  'A kind of reaction to a post; each person gives each kind at most once per post.',
);

interface ReactionCount {
  kind: (typeof REACTION_KINDS)[number];
  count: number;
  viewerReacted: boolean;
}

const ReactionCountRef = builder.objectRef<ReactionCount>('ReactionCount').implement({
  description: 'How many people reacted to a post with one kind of reaction.',
  fields: (t) => ({
    kind: t.field({
      type: ReactionKindEnum,
      description: 'The kind of reaction.',
      resolve: (reaction) => reaction.kind,
    }),
    count: t.exposeInt('count', { description: 'People who reacted with this kind; at least 1.' }),
    viewerReacted: t.exposeBoolean('viewerReacted', {
      description: 'Whether the viewer is one of them.',
    }),
  }),
});

export const Thread = builder.drizzleNode('threads', {
  name: 'Thread',
  description: 'A discussion, question or announcement in a community, with its replies.',
  id: { column: (thread) => thread.id },
  authScopes: (thread) => ({ readCommunity: thread.communityId }),
  fields: (t) => ({
    title: t.string({
      description:
        'Up to 200 characters; empty for a removed or held thread the viewer may not see, as when an event names it.',
      resolve: (thread, _args, ctx) => visibleText(ctx, thread.communityId, thread, thread.title),
    }),
    body: t.string({
      description: 'Markdown, as written; empty where the title is.',
      resolve: (thread, _args, ctx) => visibleText(ctx, thread.communityId, thread, thread.body),
    }),
    bodyHtml: t.string({
      description: 'The body rendered to sanitized HTML; empty where the title is.',
      resolve: async (thread, _args, ctx) =>
        renderMarkdown(await visibleText(ctx, thread.communityId, thread, thread.body)),
    }),
    removed: t.boolean({
      description:
        "Whether a facilitator removed it; only the community's moderators still see a removed thread.",
      resolve: (thread) => thread.removedAt !== null,
    }),
    held: t.boolean({
      description:
        'Whether it waits for review (a new account posted a link); until approved only its author and the moderators see it.',
      resolve: (thread) => thread.heldAt !== null,
    }),
    removalReason: t.string({
      nullable: true,
      description: "Why it was removed; for the community's moderators only, null for others.",
      resolve: async (thread, _args, ctx) =>
        thread.removedAt !== null && (await ctx.access.moderatesContent(thread.communityId))
          ? thread.removalReason
          : null,
    }),
    kind: t.field({
      type: ThreadKindEnum,
      description: 'Discussion, question or announcement.',
      resolve: (thread) => thread.kind,
    }),
    pinned: t.exposeBoolean('pinned', {
      description:
        "Whether an owner or facilitator pinned it to the top of the community's threads.",
    }),
    locked: t.exposeBoolean('locked', {
      description:
        'Whether an owner or facilitator locked it; a locked thread takes replies from owners and facilitators only.',
    }),
    replyCount: t.exposeInt('replyCount', {
      description:
        'Replies ever posted, deleted ones included, and also the held, removed and blocked ones that `posts` leaves out for the viewer.',
    }),
    lastActivityAt: t.field({
      type: 'DateTime',
      description: 'When it was started or last got a reply.',
      resolve: (thread) => thread.lastActivityAt,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was started.',
      resolve: (thread) => thread.createdAt,
    }),
    community: t.relation('community', { description: 'The community it belongs to.' }),
    author: t.relation('author', {
      nullable: true,
      description:
        'Null when the account was deleted, and when the thread is removed or held and the viewer may not see it.',
      authScopes: async (thread, _args, ctx) =>
        mayShowAuthor(ctx, thread, async () => thread.communityId),
      unauthorizedResolver: () => null,
    }),
    acceptedAnswer: t.relation('acceptedPost', {
      nullable: true,
      description:
        'The reply accepted as the answer to a question; null when none is, for other kinds, and when the viewer may not see that reply.',
      query: (_args, ctx) => ({
        where: { RAW: (table) => visiblePostCondition(ctx.viewer, table) },
      }),
    }),
    viewerCanReply: t.boolean({
      description:
        'Whether the viewer may reply: members may unless it is locked or an announcement; owners and facilitators always may.',
      resolve: async (thread, _args, ctx) =>
        canReplyToThread(await ctx.access.membership(thread.communityId), thread),
    }),
    viewerCanModerate: t.boolean({
      description:
        'Whether the viewer is an owner or facilitator of its community, who may pin, lock and delete.',
      resolve: async (thread, _args, ctx) =>
        canModerateCommunity(await ctx.access.membership(thread.communityId)),
    }),
    viewerCanAcceptAnswer: t.boolean({
      description:
        "Whether the viewer may pick the accepted answer: in a question, its author or the community's owners and facilitators.",
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
      description:
        'Top-level replies, oldest first; each carries its own replies. Leaves out replies the viewer may not see: removed ones (except for moderators), held ones (except for moderators and their author) and those of people blocked either way.',
      query: (_args, ctx) => ({
        where: { depth: 0, RAW: (table) => visiblePostCondition(ctx.viewer, table) },
        orderBy: { id: 'asc' },
      }),
    }),
    latestReply: t.field({
      type: PostRef,
      nullable: true,
      description:
        'The newest reply that is not deleted and that the viewer may see, at any depth; null when there is none. For previews such as the feed widget.',
      // Loaded with the thread, so a list of threads costs no query per thread.
      select: (_args, ctx, nestedSelection) => ({
        with: {
          posts: nestedSelection({
            where: {
              deletedAt: { isNull: true },
              RAW: (table) => visiblePostCondition(ctx.viewer, table),
            },
            orderBy: { id: 'desc' as const },
            limit: 1,
          }),
        },
      }),
      resolve: (thread) => thread.posts[0] ?? null,
    }),
  }),
});

export const PostRef = builder.drizzleNode('posts', {
  name: 'Post',
  description: 'A reply in a thread. A deleted post keeps its place with an empty body.',
  id: { column: (post) => post.id },
  authScopes: (post) => ({ readThread: post.threadId }),
  fields: (t) => ({
    body: t.string({
      description:
        'Markdown, as written; empty when deleted, and when removed or held and the viewer may not see it.',
      select: { with: { thread: { columns: { communityId: true } } } },
      resolve: (post, _args, ctx) =>
        post.deletedAt ? '' : visibleText(ctx, post.thread.communityId, post, post.body),
    }),
    bodyHtml: t.string({
      description: 'The body rendered to sanitized HTML; empty where the body is.',
      select: { with: { thread: { columns: { communityId: true } } } },
      resolve: async (post, _args, ctx) =>
        post.deletedAt
          ? ''
          : renderMarkdown(await visibleText(ctx, post.thread.communityId, post, post.body)),
    }),
    removed: t.boolean({
      description:
        "Whether a facilitator removed it; only the community's moderators still see a removed reply.",
      resolve: (post) => post.removedAt !== null,
    }),
    held: t.boolean({
      description:
        'Whether it waits for review (a new account posted a link); until approved only its author and the moderators see it.',
      resolve: (post) => post.heldAt !== null,
    }),
    removalReason: t.string({
      nullable: true,
      description: "Why it was removed; for the community's moderators only, null for others.",
      select: { with: { thread: { columns: { communityId: true } } } },
      resolve: async (post, _args, ctx) =>
        post.removedAt !== null && (await ctx.access.moderatesContent(post.thread.communityId))
          ? post.removalReason
          : null,
    }),
    deleted: t.boolean({
      description: 'Whether its author or a moderator deleted it.',
      resolve: (post) => post.deletedAt !== null,
    }),
    edited: t.boolean({
      description: 'Whether its body was changed after posting.',
      resolve: (post) => post.editedAt !== null,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was posted.',
      resolve: (post) => post.createdAt,
    }),
    editedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its body was last changed; null when never.',
      resolve: (post) => post.editedAt,
    }),
    author: t.relation('author', {
      nullable: true,
      description:
        'Null when the account is gone, and when the post is removed or held and the viewer may not see it; a deleted post keeps its author.',
      authScopes: async (post, _args, ctx) =>
        mayShowAuthor(ctx, post, () => ctx.access.communityIdOf('thread', post.threadId)),
      unauthorizedResolver: () => null,
    }),
    thread: t.relation('thread', { description: 'The thread it belongs to.' }),
    parent: t.relation('parent', {
      nullable: true,
      description:
        'The top-level reply it replies to; null for a top-level reply, and for one the viewer may not see (as in Thread.posts).',
      query: (_args, ctx) => ({
        where: { RAW: (table) => visiblePostCondition(ctx.viewer, table) },
      }),
    }),
    replies: t.relation('replies', {
      description:
        'Replies to this reply, one level deep, oldest first, without those the viewer may not see (as in Thread.posts).',
      query: (_args, ctx) => ({
        where: { RAW: (table) => visiblePostCondition(ctx.viewer, table) },
        orderBy: { id: 'asc' },
      }),
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
      description: "Whether it is its thread's accepted answer.",
      select: { with: { thread: { columns: { acceptedPostId: true } } } },
      resolve: (post) => post.thread.acceptedPostId === post.id,
    }),
    viewerCanEdit: t.boolean({
      description:
        'Whether the viewer may edit it: its author, while an active member, unless it is deleted.',
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
  description: 'An earlier body of an edited post.',
  fields: (t) => ({
    body: t.exposeString('body', { description: 'Markdown, as it was before the edit.' }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the edit replaced this body.',
      resolve: (revision) => revision.createdAt,
    }),
  }),
});

builder.queryFields((t) => ({
  thread: t.drizzleField({
    type: 'threads',
    nullable: true,
    description:
      'A thread; null when it does not exist or the viewer may not read it: a removed thread shows only to moderators, a held one to moderators and its author, and none to people its author blocked or who blocked its author.',
    args: { id: t.arg.id({ required: true, description: "The thread's global id." }) },
    resolve: async (query, _parent, args, ctx) => {
      const id = tryParseGlobalId(String(args.id), 'Thread');
      if (id === null || !(await ctx.access.canReadParent('thread', id))) {
        return null;
      }
      // The cursor is read before the row, so an event that lands in between is replayed to the
      // subscriber rather than lost.
      const eventCursor = await ctx.events.latestEventId(topics.thread(id));
      const thread = await ctx.db.query.threads.findFirst(
        query({ where: { id, RAW: (table) => visibleThreadCondition(ctx.viewer, table) } }),
      );
      return thread ? Object.assign(thread, { eventCursor }) : null;
    },
  }),
}));

const PostIdInput = builder.inputType('PostIdInput', {
  description: 'Names a post.',
  fields: (f) => ({ postId: f.id({ required: true, description: 'The post.' }) }),
});

builder.mutationFields((t) => ({
  createThread: t.drizzleField({
    type: 'threads',
    description:
      "Starts a thread. Members post discussions and questions; moderators also post announcements. Past the flood limit (3 threads a minute, 1 for accounts younger than NEW_ACCOUNT_DAYS) returns RateLimitedError and writes nothing. A new account's thread with a link is held for review: `held` is true and only its author and the moderators see it until a facilitator approves it.",
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateThreadInput', {
          description: 'A new thread.',
          fields: (f) => ({
            communityId: f.id({ required: true, description: 'The community to post in.' }),
            title: f.string({ required: true, description: '1 to 200 characters.' }),
            body: f.string({ required: true, description: 'Markdown, up to 20,000 characters.' }),
            kind: f.field({
              type: ThreadKindEnum,
              defaultValue: 'discussion',
              description: 'Only owners and facilitators post an ANNOUNCEMENT.',
            }),
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
    description:
      "Replies to a thread, or with parentId to a top-level reply. Past the flood limit (10 replies a minute, 3 for accounts younger than NEW_ACCOUNT_DAYS) returns RateLimitedError and writes nothing. A new account's reply with a link is held for review: `held` is true and only its author and the moderators see it until a facilitator approves it.",
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreatePostInput', {
          description: 'A reply to a thread, or to one of its top-level replies.',
          fields: (f) => ({
            threadId: f.id({ required: true, description: 'The thread.' }),
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
          description: 'A post of the viewer and its new body.',
          fields: (f) => ({
            postId: f.id({ required: true, description: 'The post.' }),
            body: f.string({ required: true, description: 'Markdown, up to 20,000 characters.' }),
          }),
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
          description: 'A post, a kind of reaction, and whether to add or remove it.',
          fields: (f) => ({
            postId: f.id({ required: true, description: 'The post.' }),
            kind: f.field({
              type: ReactionKindEnum,
              required: true,
              description: 'The kind of reaction.',
            }),
            active: f.boolean({
              required: true,
              description: "True adds the viewer's reaction; false removes it.",
            }),
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
          description: 'A question thread and the reply to accept as its answer.',
          fields: (f) => ({
            threadId: f.id({ required: true, description: 'The question thread.' }),
            postId: f.id({
              description: 'A reply in the thread that is not deleted; null clears the answer.',
            }),
          }),
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
    description:
      "Pins or unpins a thread; owners and facilitators only. Pinned threads come first in a community's threads.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('PinThreadInput', {
          description: 'A thread and whether it is pinned.',
          fields: (f) => ({
            threadId: f.id({ required: true, description: 'The thread.' }),
            pinned: f.boolean({ required: true, description: 'True pins it; false unpins it.' }),
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
    description:
      'Locks or unlocks a thread; owners and facilitators only. A locked thread takes replies from owners and facilitators only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('LockThreadInput', {
          description: 'A thread and whether it is locked.',
          fields: (f) => ({
            threadId: f.id({ required: true, description: 'The thread.' }),
            locked: f.boolean({ required: true, description: 'True locks it; false unlocks it.' }),
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
