import DataLoader from 'dataloader';
import { FOLLOW_STATES, NOTIFICATION_DELIVERIES } from '../../drizzle/tables/index.ts';
import { ValidationError } from '../../server/errors.ts';
import {
  type FollowState,
  type FollowTarget,
  loadFollowStates,
  loadNotificationSettings,
  type NotificationSettingsRow,
  setFollow,
  updateNotificationSettings,
} from '../../server/services/follow.ts';
import {
  loadUnreadStates,
  markThreadRead,
  type UnreadState,
} from '../../server/services/read-position.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId, tryParseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

export const FollowStateEnum = enumFromValues(
  'FollowState',
  [...FOLLOW_STATES, 'none'] as const,
  "The viewer's choice for a thread or community: following, muted, or none.",
);
export const NotificationDeliveryEnum = enumFromValues(
  'NotificationDelivery',
  NOTIFICATION_DELIVERIES,
  'How notifications reach a person besides the app.',
);

interface ViewerLoaders {
  threadFollows: DataLoader<number, FollowState>;
  communityFollows: DataLoader<number, FollowState>;
  unread: DataLoader<number, UnreadState>;
}

const loadersByContext = new WeakMap<GraphQLContext, ViewerLoaders>();

/**
 * Returns the viewer's loaders of follow states and unread states, so that a list of threads
 * loads each in one statement however many threads it shows.
 */
function viewerLoaders(ctx: GraphQLContext, viewerId: number): ViewerLoaders {
  let loaders = loadersByContext.get(ctx);
  if (!loaders) {
    loaders = {
      threadFollows: new DataLoader((ids) => loadFollowStates(ctx.db, viewerId, 'thread', ids)),
      communityFollows: new DataLoader((ids) =>
        loadFollowStates(ctx.db, viewerId, 'community', ids),
      ),
      unread: new DataLoader((ids) => loadUnreadStates(ctx.db, viewerId, ids)),
    };
    loadersByContext.set(ctx, loaders);
  }
  return loaders;
}

const NO_UNREAD: UnreadState = { unreadCount: 0, firstUnreadPostId: null };

function unreadStateOf(ctx: GraphQLContext, threadId: number): Promise<UnreadState> {
  return ctx.viewer
    ? viewerLoaders(ctx, ctx.viewer.id).unread.load(threadId)
    : Promise.resolve(NO_UNREAD);
}

builder.drizzleObjectFields('threads', (t) => ({
  viewerFollowState: t.field({
    type: FollowStateEnum,
    description:
      'Whether the viewer follows or muted the thread; NONE when signed out. Authors and repliers follow a thread automatically.',
    resolve: (thread, _args, ctx) =>
      ctx.viewer
        ? viewerLoaders(ctx, ctx.viewer.id).threadFollows.load(thread.id)
        : ('none' as const),
  }),
  viewerUnreadCount: t.int({
    description:
      "Replies after the viewer's read position (markThreadRead), not written by the viewer and visible to them; every reply counts when the viewer never opened the thread. 0 when signed out.",
    resolve: async (thread, _args, ctx) => (await unreadStateOf(ctx, thread.id)).unreadCount,
  }),
  viewerFirstUnreadPostId: t.globalID({
    nullable: true,
    description:
      'The Post id of the oldest reply counted in viewerUnreadCount, to jump to; null when there is none or when signed out.',
    resolve: async (thread, _args, ctx) => {
      const { firstUnreadPostId } = await unreadStateOf(ctx, thread.id);
      return firstUnreadPostId === null ? null : { type: 'Post', id: firstUnreadPostId };
    },
  }),
}));

builder.drizzleObjectFields('communities', (t) => ({
  viewerFollowState: t.field({
    type: FollowStateEnum,
    description:
      'Whether the viewer follows the community (notified of new threads) or muted it; NONE when signed out.',
    resolve: (community, _args, ctx) =>
      ctx.viewer
        ? viewerLoaders(ctx, ctx.viewer.id).communityFollows.load(community.id)
        : ('none' as const),
  }),
}));

const NotificationSettingsRef = builder
  .objectRef<NotificationSettingsRow>('NotificationSettings')
  .implement({
    description: 'How notifications reach a person.',
    fields: (t) => ({
      delivery: t.field({
        type: NotificationDeliveryEnum,
        description: 'The channel besides the app; IN_APP until the person chooses.',
        resolve: (settings) => settings.delivery,
      }),
      lastDigestAt: t.field({
        type: 'DateTime',
        nullable: true,
        description:
          'When the current digest period began: the last digest, or the choice of a digest; null for other deliveries.',
        resolve: (settings) => settings.lastDigestAt,
      }),
    }),
  });

builder.drizzleObjectFields('users', (t) => ({
  notificationSettings: t.field({
    type: NotificationSettingsRef,
    nullable: true,
    description: 'How notifications reach the person; null for anyone but the person themself.',
    resolve: (user, _args, ctx) =>
      ctx.viewer?.id === user.id ? loadNotificationSettings(ctx.db, user.id) : null,
  }),
}));

/** Parses a Thread or Community global id into a follow target. */
function parseFollowTarget(value: string): FollowTarget {
  const threadId = tryParseGlobalId(value, 'Thread');
  if (threadId !== null) {
    return { threadId };
  }
  return { communityId: parseGlobalId(value, 'Community', 'targetId') };
}

const SetFollowPayload = builder
  .objectRef<{ target: FollowTarget; state: FollowState }>('SetFollowPayload')
  .implement({
    description: 'The outcome of setFollow.',
    fields: (t) => ({
      state: t.field({
        type: FollowStateEnum,
        description: "The viewer's state now.",
        resolve: (payload) => payload.state,
      }),
      thread: t.drizzleField({
        type: 'threads',
        nullable: true,
        description: 'The thread, when the target was a thread.',
        resolve: (query, payload, _args, ctx) =>
          'threadId' in payload.target
            ? (ctx.db.query.threads.findFirst(query({ where: { id: payload.target.threadId } })) ??
              null)
            : null,
      }),
      community: t.drizzleField({
        type: 'communities',
        nullable: true,
        description: 'The community, when the target was a community.',
        resolve: (query, payload, _args, ctx) =>
          'communityId' in payload.target
            ? (ctx.db.query.communities.findFirst(
                query({ where: { id: payload.target.communityId } }),
              ) ?? null)
            : null,
      }),
    }),
  });

builder.mutationFields((t) => ({
  setFollow: t.field({
    type: SetFollowPayload,
    description:
      'Follows, mutes or clears the choice for a thread or community the viewer may read. Following a thread notifies of its replies (FOLLOWED_REPLY) and following a community of its new threads (NEW_THREAD). Muting stops replies, followed replies, new threads and mentions from it.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SetFollowInput', {
          description: 'A thread or community and the state to set.',
          fields: (f) => ({
            targetId: f.id({ required: true, description: 'A Thread or Community id.' }),
            state: f.field({ type: FollowStateEnum, required: true, description: 'The state.' }),
          }),
        }),
      }),
    },
    resolve: async (_parent, { input }, ctx) => {
      const target = parseFollowTarget(String(input.targetId));
      return { target, state: await setFollow(ctx, target, input.state) };
    },
  }),
  updateNotificationSettings: t.field({
    type: NotificationSettingsRef,
    description:
      "Changes how the viewer's notifications reach them. Choosing a digest starts its period now; notifications from before the change are never mailed.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateNotificationSettingsInput', {
          description: 'The delivery to use.',
          fields: (f) => ({
            delivery: f.field({
              type: NotificationDeliveryEnum,
              required: true,
              description: 'The channel besides the app.',
            }),
          }),
        }),
      }),
    },
    resolve: (_parent, { input }, ctx) => updateNotificationSettings(ctx, input),
  }),
  markThreadRead: t.drizzleField({
    type: 'threads',
    description:
      "Moves the viewer's read position in a thread forward to a reply, or to its newest reply without postId. A position never moves back.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('MarkThreadReadInput', {
          description: 'The thread and the newest reply read.',
          fields: (f) => ({
            threadId: f.id({ required: true, description: 'The thread.' }),
            postId: f.id({
              description: 'A reply of the thread; without it, the newest reply.',
            }),
          }),
        }),
      }),
    },
    resolve: async (query, _parent, { input }, ctx) => {
      const threadId = await markThreadRead(ctx, {
        threadId: parseGlobalId(String(input.threadId), 'Thread', 'threadId'),
        postId: input.postId ? parseGlobalId(String(input.postId), 'Post', 'postId') : null,
      });
      const thread = await ctx.db.query.threads.findFirst(query({ where: { id: threadId } }));
      if (!thread) {
        throw ValidationError.of('threadId', `thread ${threadId} no longer exists`);
      }
      return thread;
    },
  }),
}));
