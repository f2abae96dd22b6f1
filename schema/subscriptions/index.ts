import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { liveSessions } from '../../drizzle/tables/index.ts';
import { canManageLiveSession } from '../../server/auth/access.ts';
import { NotFoundError, UnauthenticatedError } from '../../server/errors.ts';
import type { RoomSignal } from '../../server/pubsub/event-bus.ts';
import type { EventRow } from '../../server/pubsub/event-hub.ts';
import { canReadBadgeAward, loadBadgeAward } from '../../server/services/badge-award-access.ts';
import { topics } from '../../server/services/context.ts';
import { countUnreadNotifications } from '../../server/services/notification.ts';
import { builder } from '../builder.ts';
import { canSeeThreadById } from '../content-visibility.ts';
import { parseExistingEventCursor, parseGlobalId } from '../ids.ts';
import { enumFromValues } from '../types/enums.ts';
import { Notification } from '../types/notification.ts';
import { CONTENT_REMOVAL_EVENT_TYPES, contentEventIdFields } from './content-events.ts';
import { hideEither, hideInvisibleContent } from './content-hide.ts';
import { loadOncePerEvent } from './shared-load.ts';
import { payloadId, type Recipient, streamSignals, streamTopic, unwrap } from './stream.ts';

const ThreadActivityType = enumFromValues(
  'ThreadActivityType',
  [
    'post_added',
    'post_edited',
    'post_deleted',
    'reaction_changed',
    'thread_updated',
    ...CONTENT_REMOVAL_EVENT_TYPES,
  ] as const,
  'What changed in a thread: a reply added, edited or deleted, a reaction, the thread itself (pinned, locked or its accepted answer), or a moderator removed or restored a reply or the thread.',
);
export const LIVE_SESSION_EVENT_TYPES = [
  'chat_message',
  'chat_message_edited',
  'chat_message_deleted',
  'question_asked',
  'question_updated',
  'hand_raised',
  'hand_lowered',
  'participant_muted',
  'participant_unmuted',
  'status_changed',
  'updated',
] as const;

const LiveSessionEventType = enumFromValues(
  'LiveSessionEventType',
  LIVE_SESSION_EVENT_TYPES,
  'What happened in a live session: chat, Q&A, the raise-hand queue, moderation, its status or its details.',
);

const LiveRoomSignalType = enumFromValues(
  'LiveRoomSignalType',
  ['typing', 'reaction', 'presence'] as const,
  'A passing signal in a live session room: someone typing, a quick reaction, or someone arriving or leaving.',
);
const CommunityActivityType = enumFromValues(
  'CommunityActivityType',
  [
    'thread_created',
    'reply_posted',
    'live_session_scheduled',
    'badge_awarded',
    ...CONTENT_REMOVAL_EVENT_TYPES,
  ] as const,
  'What happened in a community: a new thread, a reply, a scheduled live session, a badge award, or a moderator removed or restored a thread or reply.',
);

const EVENT_ID_DESCRIPTION =
  'The id of this event; pass the last one received as `after` to resume.';

type TopicEvent = EventRow & { subjectId: number };

function topicId(event: EventRow): number {
  return Number(event.topic.slice(event.topic.lastIndexOf(':') + 1));
}

const ThreadActivityEvent = builder.objectRef<TopicEvent>('ThreadActivityEvent').implement({
  description: 'A change in a thread. Pass eventId as `after` when resubscribing to resume.',
  fields: (t) => ({
    ...contentEventIdFields(t),
    eventId: t.string({ description: EVENT_ID_DESCRIPTION, resolve: (event) => String(event.id) }),
    type: t.field({
      type: ThreadActivityType,
      description: 'What changed.',
      resolve: (event) => event.type as 'post_added',
    }),
    thread: t.drizzleField({
      type: 'threads',
      description: 'The thread, as it is when the event is delivered.',
      resolve: (query, event, _args, ctx) =>
        loadOncePerEvent(
          ctx.events,
          event,
          ctx.db.query.threads.findFirst(query({ where: { id: event.subjectId } })),
        ).then(found(event)),
    }),
    post: t.drizzleField({
      type: 'posts',
      nullable: true,
      description: 'The reply added, edited, deleted or reacted to; null for THREAD_UPDATED.',
      resolve: (query, event, _args, ctx) => {
        const postId = payloadId(event, 'postId');
        return postId
          ? loadOncePerEvent(
              ctx.events,
              event,
              ctx.db.query.posts.findFirst(query({ where: { id: postId } })),
            )
          : null;
      },
    }),
  }),
});

const LiveSessionEvent = builder.objectRef<TopicEvent>('LiveSessionEvent').implement({
  description: 'A chat message, a status change or an update of the details of a live session.',
  fields: (t) => ({
    eventId: t.string({ description: EVENT_ID_DESCRIPTION, resolve: (event) => String(event.id) }),
    type: t.field({
      type: LiveSessionEventType,
      description: 'What happened.',
      resolve: (event) => event.type as 'chat_message',
    }),
    liveSession: t.drizzleField({
      type: 'liveSessions',
      description: 'The live session, as it is when the event is delivered.',
      resolve: (query, event, _args, ctx) =>
        loadOncePerEvent(
          ctx.events,
          event,
          ctx.db.query.liveSessions.findFirst(query({ where: { id: event.subjectId } })),
        ).then(found(event)),
    }),
    question: t.drizzleField({
      type: 'liveQuestions',
      nullable: true,
      description:
        'The question asked, voted on, answered or dismissed, for QUESTION_ASKED and QUESTION_UPDATED; null for other types.',
      resolve: (query, event, _args, ctx) => {
        const id = payloadId(event, 'questionId');
        return id
          ? loadOncePerEvent(
              ctx.events,
              event,
              ctx.db.query.liveQuestions.findFirst(query({ where: { id } })),
            )
          : null;
      },
    }),
    participant: t.drizzleField({
      type: 'users',
      nullable: true,
      description:
        'The person whose hand went up or down, or who was muted or unmuted; null for other types.',
      resolve: (query, event, _args, ctx) => {
        const id = payloadId(event, 'userId');
        return id
          ? loadOncePerEvent(
              ctx.events,
              event,
              ctx.db.query.users.findFirst(query({ where: { id } })),
            )
          : null;
      },
    }),
    chatMessage: t.drizzleField({
      type: 'chatMessages',
      nullable: true,
      description:
        'The message sent, edited or deleted, for the CHAT_MESSAGE types; null for other types.',
      resolve: (query, event, _args, ctx) => {
        const id = payloadId(event, 'chatMessageId');
        return id
          ? loadOncePerEvent(
              ctx.events,
              event,
              ctx.db.query.chatMessages.findFirst(query({ where: { id } })),
            )
          : null;
      },
    }),
  }),
});

const LiveRoomSignal = builder.objectRef<RoomSignal>('LiveRoomSignal').implement({
  description:
    'A passing signal in a live session room. Signals are not stored: a subscriber gets those sent while it listens, and nothing is replayed.',
  fields: (t) => ({
    type: t.field({
      type: LiveRoomSignalType,
      description: 'What kind of signal.',
      resolve: (signal) => signal.type as 'typing',
    }),
    userId: t.id({
      description: 'Global id of the User who sent it, or who arrived or left.',
      resolve: (signal) => encodeGlobalID('User', signal.userId),
    }),
    displayName: t.string({
      description: 'That person’s display name when the signal was sent.',
      resolve: (signal) => String(signal.payload.displayName ?? ''),
    }),
    sentAt: t.field({
      type: 'DateTime',
      description: 'When it was sent.',
      resolve: (signal) => signal.sentAt,
    }),
    emoji: t.string({
      nullable: true,
      description: 'The reaction, for REACTION; null for other types.',
      resolve: (signal) => (typeof signal.payload.emoji === 'string' ? signal.payload.emoji : null),
    }),
    present: t.boolean({
      nullable: true,
      description:
        'For PRESENCE: true when the person arrived, false when they left or timed out; null for other types.',
      resolve: (signal) =>
        typeof signal.payload.present === 'boolean' ? signal.payload.present : null,
    }),
    presentCount: t.int({
      nullable: true,
      description: 'For PRESENCE: how many people are in the room after the change.',
      resolve: (signal) =>
        typeof signal.payload.presentCount === 'number' ? signal.payload.presentCount : null,
    }),
  }),
});

const CommunityActivityEvent = builder.objectRef<TopicEvent>('CommunityActivityEvent').implement({
  description: 'A new thread, reply, live session or badge award in a community.',
  fields: (t) => ({
    ...contentEventIdFields(t),
    eventId: t.string({ description: EVENT_ID_DESCRIPTION, resolve: (event) => String(event.id) }),
    type: t.field({
      type: CommunityActivityType,
      description: 'What happened.',
      resolve: (event) => event.type as 'thread_created',
    }),
    community: t.drizzleField({
      type: 'communities',
      description: 'The community, as it is when the event is delivered.',
      resolve: (query, event, _args, ctx) =>
        loadOncePerEvent(
          ctx.events,
          event,
          ctx.db.query.communities.findFirst(query({ where: { id: event.subjectId } })),
        ).then(found(event)),
    }),
    thread: t.drizzleField({
      type: 'threads',
      nullable: true,
      description:
        'The new thread, for THREAD_CREATED; the thread replied to, for REPLY_POSTED; null for other types.',
      resolve: (query, event, _args, ctx) => {
        const id = payloadId(event, 'threadId');
        return id
          ? loadOncePerEvent(
              ctx.events,
              event,
              ctx.db.query.threads.findFirst(query({ where: { id } })),
            )
          : null;
      },
    }),
    post: t.drizzleField({
      type: 'posts',
      nullable: true,
      description: 'The new reply, for REPLY_POSTED; null for other types.',
      resolve: (query, event, _args, ctx) => {
        const id = payloadId(event, 'postId');
        return id
          ? loadOncePerEvent(
              ctx.events,
              event,
              ctx.db.query.posts.findFirst(query({ where: { id } })),
            )
          : null;
      },
    }),
    liveSession: t.drizzleField({
      type: 'liveSessions',
      nullable: true,
      description: 'The scheduled live session, for LIVE_SESSION_SCHEDULED; null for other types.',
      resolve: (query, event, _args, ctx) => {
        const id = payloadId(event, 'liveSessionId');
        return id
          ? loadOncePerEvent(
              ctx.events,
              event,
              ctx.db.query.liveSessions.findFirst(query({ where: { id } })),
            )
          : null;
      },
    }),
    badgeAward: t.drizzleField({
      type: 'badgeAwards',
      nullable: true,
      description:
        'The award, for BADGE_AWARDED; null for other types, and when the viewer may not see it because its recipient keeps badges private.',
      resolve: async (query, event, _args, ctx) => {
        const id = payloadId(event, 'awardId');
        const award = id ? await loadBadgeAward(ctx.db, id) : null;
        // Null rather than the type's access error, so the event still arrives without the award.
        if (!award || !(await canReadBadgeAward(ctx, award))) {
          return null;
        }
        return loadOncePerEvent(
          ctx.events,
          event,
          ctx.db.query.badgeAwards.findFirst(query({ where: { id: award.id } })),
        );
      },
    }),
  }),
});

const NotificationEvent = builder.objectRef<TopicEvent>('NotificationEvent').implement({
  description: 'A new notification for the viewer, with the unread count after it.',
  fields: (t) => ({
    eventId: t.string({ description: EVENT_ID_DESCRIPTION, resolve: (event) => String(event.id) }),
    notification: t.drizzleField({
      type: Notification,
      description: 'The new notification.',
      resolve: (query, event, _args, ctx) =>
        ctx.db.query.notifications
          .findFirst(query({ where: { id: payloadId(event, 'notificationId') ?? -1 } }))
          .then(found(event)),
    }),
    unreadCount: t.int({
      description: "The viewer's unread notifications when the event is delivered.",
      resolve: (_event, _args, ctx) =>
        ctx.viewer ? countUnreadNotifications(ctx.db, ctx.viewer.id) : 0,
    }),
  }),
});

function found<T>(event: EventRow) {
  return (row: T | undefined): T => {
    if (!row) {
      throw new NotFoundError(`The subject of event ${event.id} no longer exists.`);
    }
    return row;
  };
}

const AFTER_DESCRIPTION =
  'The last eventId received; the events after it are replayed first, in order and once.';

builder.subscriptionType({
  description:
    'Live events over WebSocket or server-sent events. Each event has an eventId; pass the last one as `after` to resume without a gap.',
  fields: (t) => ({
    threadActivity: t.field({
      type: ThreadActivityEvent,
      description: 'Replies added, edited or deleted, reactions, and thread changes.',
      args: {
        threadId: t.arg.id({ required: true, description: 'The thread to follow.' }),
        after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
      },
      subscribe: async (_root, args, ctx) => {
        const threadId = parseGlobalId(String(args.threadId), 'Thread', 'threadId');
        const after = await parseExistingEventCursor(args.after, () => ctx.events.latestEventId());
        if (
          !(await ctx.access.canReadParent('thread', threadId)) ||
          !(await canSeeThreadById(ctx, threadId))
        ) {
          throw new NotFoundError(
            `Thread ${args.threadId} not found, or you do not have access to it.`,
          );
        }
        return streamTopic(ctx, {
          topic: topics.thread(threadId),
          after,
          mayRead: (access) => access.canReadParent('thread', threadId),
          communityId: await ctx.access.communityIdOf('thread', threadId),
          hide: hideInvisibleContent(ctx.db),
        });
      },
      resolve: (item) => ({ ...unwrap(item), subjectId: topicId(unwrap(item)) }),
    }),
    liveSessionEvents: t.field({
      type: LiveSessionEvent,
      description:
        'The lasting events of a live session room: chat messages and their edits and deletions, questions and votes, raised hands, mutes, status and detail changes. Pass `after` to resume without a gap.',
      args: {
        liveSessionId: t.arg.id({ required: true, description: 'The live session to follow.' }),
        after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
      },
      subscribe: async (_root, args, ctx) => {
        const liveSessionId = parseGlobalId(
          String(args.liveSessionId),
          'LiveSession',
          'liveSessionId',
        );
        const after = await parseExistingEventCursor(args.after, () => ctx.events.latestEventId());
        if (!(await ctx.access.canReadParent('liveSession', liveSessionId))) {
          throw new NotFoundError(
            `Live session ${args.liveSessionId} not found, or you do not have access to it.`,
          );
        }
        // Loaded at the first mute event, not for every subscriber.
        let host: Promise<{ hostId: number | null; communityId: number } | undefined> | null = null;
        const loadHost = () => {
          host ??= ctx.db
            .select({ hostId: liveSessions.hostId, communityId: liveSessions.communityId })
            .from(liveSessions)
            .where(eq(liveSessions.id, liveSessionId))
            .then(([row]) => row);
          return host;
        };
        // Mutes are between the moderators and the person muted: other subscribers skip them.
        const hideMute = async (event: EventRow, { viewer, access }: Recipient) => {
          if (event.type !== 'participant_muted' && event.type !== 'participant_unmuted') {
            return false;
          }
          const liveSession = await loadHost();
          if (!viewer || !liveSession || payloadId(event, 'userId') === viewer.id) {
            return !viewer || !liveSession;
          }
          const membership = await access.fresh().membership(liveSession.communityId);
          return !canManageLiveSession(
            viewer,
            { hostId: liveSession.hostId, status: 'live' },
            membership,
          );
        };
        return streamTopic(ctx, {
          topic: topics.liveSession(liveSessionId),
          after,
          mayRead: (access) => access.canReadParent('liveSession', liveSessionId),
          communityId: await ctx.access.communityIdOf('liveSession', liveSessionId),
          hide: hideEither(hideMute, hideInvisibleContent(ctx.db)),
        });
      },
      resolve: (item) => ({ ...unwrap(item), subjectId: topicId(unwrap(item)) }),
    }),
    liveRoomSignals: t.field({
      type: LiveRoomSignal,
      description:
        'Passing signals of a live session room: typing, quick reactions and presence. Not replayed; for the room’s lasting events use liveSessionEvents.',
      args: {
        liveSessionId: t.arg.id({ required: true, description: 'The live session to follow.' }),
      },
      subscribe: async (_root, args, ctx) => {
        const liveSessionId = parseGlobalId(
          String(args.liveSessionId),
          'LiveSession',
          'liveSessionId',
        );
        if (!(await ctx.access.canReadParent('liveSession', liveSessionId))) {
          throw new NotFoundError(
            `Live session ${args.liveSessionId} not found, or you do not have access to it.`,
          );
        }
        return streamSignals(
          ctx,
          topics.liveRoom(liveSessionId),
          (access) => access.canReadParent('liveSession', liveSessionId),
          await ctx.access.communityIdOf('liveSession', liveSessionId),
        );
      },
      resolve: (item) => unwrap(item),
    }),
    communityActivity: t.field({
      type: CommunityActivityEvent,
      description: 'New threads, replies, live sessions and badge awards of a community.',
      args: {
        communityId: t.arg.id({ required: true, description: 'The community to follow.' }),
        after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
      },
      subscribe: async (_root, args, ctx) => {
        const communityId = parseGlobalId(String(args.communityId), 'Community', 'communityId');
        const after = await parseExistingEventCursor(args.after, () => ctx.events.latestEventId());
        if (!(await ctx.access.canRead(communityId))) {
          throw new NotFoundError(
            `Community ${args.communityId} not found, or you do not have access to it.`,
          );
        }
        return streamTopic(ctx, {
          topic: topics.community(communityId),
          after,
          mayRead: (access) => access.canRead(communityId),
          communityId,
          hide: hideInvisibleContent(ctx.db),
        });
      },
      resolve: (item) => ({ ...unwrap(item), subjectId: topicId(unwrap(item)) }),
    }),
    viewerNotifications: t.field({
      type: NotificationEvent,
      description:
        "The viewer's new notifications of every kind (see NotificationKind), such as replies, mentions, followed threads, badges and moderation outcomes.",
      args: { after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }) },
      subscribe: async (_root, args, ctx) => {
        if (!ctx.viewer) {
          throw new UnauthenticatedError('Sign in to receive notifications.');
        }
        const after = await parseExistingEventCursor(args.after, () => ctx.events.latestEventId());
        return streamTopic(ctx, {
          topic: topics.user(ctx.viewer.id),
          after,
          mayRead: async () => true,
          communityId: null,
        });
      },
      resolve: (item) => ({ ...unwrap(item), subjectId: topicId(unwrap(item)) }),
    }),
  }),
});
