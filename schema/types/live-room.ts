import { and, eq } from 'drizzle-orm';
import { liveHands, liveSessionMutes, MAX_SLOW_MODE_SECONDS } from '../../drizzle/tables/index.ts';
import { canManageLiveSession } from '../../server/auth/access.ts';
import { notBlockedCondition } from '../../server/auth/content-visibility.ts';
import { RateLimitedError } from '../../server/errors.ts';
import {
  askQuestion,
  CHAT_MESSAGE_MAX_LENGTH,
  deleteChatMessage,
  editChatMessage,
  isMuted,
  lowerHand,
  QUESTION_MAX_LENGTH,
  REACTION_EMOJIS,
  REACTION_WINDOW_SECONDS,
  REACTIONS_PER_WINDOW,
  raiseHand,
  resolveQuestion,
  sendChatMessage,
  sendReaction,
  sendTyping,
  setChatSlowMode,
  setParticipantMuted,
  slowModeWait,
  TYPING_INTERVAL_SECONDS,
  voteOnQuestion,
} from '../../server/services/live-room.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';
import { LiveSessionIdInput, QuestionStatusEnum } from './live-session.ts';

const ROOM_ERRORS = [...COMMON_ERRORS, RateLimitedError];
/** Maximum number of raised hands returned; the rest of the queue waits behind them. */
const HAND_QUEUE_LIMIT = 200;

const QuestionOrderEnum = enumFromValues(
  'QuestionOrder',
  ['votes', 'newest', 'oldest'] as const,
  'How to sort questions: most votes first (then oldest), newest first, or oldest first.',
);

builder.drizzleObject('liveHands', {
  name: 'RaisedHand',
  description: 'A raised hand in the queue of a live session.',
  fields: (t) => ({
    user: t.relation('user', { description: 'Whose hand it is.' }),
    raisedAt: t.field({
      type: 'DateTime',
      description: 'When it went up; the queue is in this order.',
      resolve: (hand) => hand.raisedAt,
    }),
  }),
});

const liveSessionId = (value: string | number) =>
  parseGlobalId(String(value), 'LiveSession', 'liveSessionId');

builder.drizzleObjectFields('liveSessions', (t) => ({
  slowModeSeconds: t.exposeInt('slowModeSeconds', {
    description: `Seconds each participant waits between two chat messages, 0 to ${MAX_SLOW_MODE_SECONDS}; 0 means slow mode is off. The host and facilitators are not limited.`,
  }),
  chatMessageMaxLength: t.int({
    description: 'Maximum length of a chat message, in characters.',
    resolve: () => CHAT_MESSAGE_MAX_LENGTH,
  }),
  questionMaxLength: t.int({
    description: 'Maximum length of a question, in characters.',
    resolve: () => QUESTION_MAX_LENGTH,
  }),
  reactionEmojis: t.stringList({
    description: `The quick reactions one can send; at most ${REACTIONS_PER_WINDOW} in ${REACTION_WINDOW_SECONDS} seconds.`,
    resolve: () => [...REACTION_EMOJIS],
  }),
  typingIntervalSeconds: t.int({
    description: 'Send sendTyping at most this often while typing; more often is dropped.',
    resolve: () => TYPING_INTERVAL_SECONDS,
  }),
  viewerIsMuted: t.boolean({
    description: 'Whether a moderator muted the viewer in this session.',
    resolve: async (liveSession, _args, ctx) =>
      ctx.viewer ? isMuted(ctx, liveSession.id, ctx.viewer.id) : false,
  }),
  viewerCanModerate: t.boolean({
    description:
      'Whether the viewer moderates the room: deletes any message, mutes people, answers questions, lowers hands and sets slow mode.',
    resolve: async (liveSession, _args, ctx) =>
      canManageLiveSession(
        ctx.viewer,
        liveSession,
        await ctx.access.membership(liveSession.communityId),
      ),
  }),
  viewerNextChatAt: t.field({
    type: 'DateTime',
    nullable: true,
    description:
      'When slow mode lets the viewer send the next chat message; null when they may send now.',
    resolve: async (liveSession, _args, ctx) => {
      if (!ctx.viewer || liveSession.slowModeSeconds === 0) {
        return null;
      }
      const membership = await ctx.access.membership(liveSession.communityId);
      if (canManageLiveSession(ctx.viewer, liveSession, membership)) {
        return null;
      }
      const wait = await slowModeWait(ctx.db, liveSession, ctx.viewer.id);
      return wait > 0 ? new Date(Date.now() + wait * 1000) : null;
    },
  }),
  questions: t.relatedConnection('questions', {
    description:
      'The Q&A questions, sorted as asked; answered and dismissed ones included unless filtered. Leaves out the questions of people the viewer blocked or who blocked the viewer.',
    args: {
      orderBy: t.arg({
        type: QuestionOrderEnum,
        defaultValue: 'votes',
        description: 'The sort; by default most votes first.',
      }),
      status: t.arg({
        type: QuestionStatusEnum,
        required: false,
        description: 'Only questions in this state.',
      }),
    },
    query: (args, ctx) => ({
      where: {
        ...(args.status && { status: args.status }),
        RAW: (table) => notBlockedCondition(ctx.viewer, table.authorId),
      },
      orderBy:
        args.orderBy === 'newest'
          ? { id: 'desc' as const }
          : args.orderBy === 'oldest'
            ? { id: 'asc' as const }
            : { voteCount: 'desc' as const, id: 'asc' as const },
    }),
  }),
  raisedHands: t.relation('hands', {
    description: `The raise-hand queue, oldest first, up to ${HAND_QUEUE_LIMIT}. Hands go down when the session ends.`,
    query: { orderBy: { raisedAt: 'asc', userId: 'asc' }, limit: HAND_QUEUE_LIMIT },
  }),
  viewerHandRaised: t.boolean({
    description: 'Whether the viewer’s hand is up.',
    resolve: async (liveSession, _args, ctx) => {
      if (!ctx.viewer || liveSession.status !== 'live') {
        return false;
      }
      const [row] = await ctx.db
        .select({ userId: liveHands.userId })
        .from(liveHands)
        .where(
          and(eq(liveHands.liveSessionId, liveSession.id), eq(liveHands.userId, ctx.viewer.id)),
        );
      return row !== undefined;
    },
  }),
  mutedParticipants: t.drizzleField({
    type: ['users'],
    description: 'People muted in this session; empty for anyone but moderators.',
    resolve: async (query, liveSession, _args, ctx) => {
      const membership = await ctx.access.membership(liveSession.communityId);
      if (!canManageLiveSession(ctx.viewer, liveSession, membership)) {
        return [];
      }
      const muted = await ctx.db
        .select({ userId: liveSessionMutes.userId })
        .from(liveSessionMutes)
        .where(eq(liveSessionMutes.liveSessionId, liveSession.id));
      if (muted.length === 0) {
        return [];
      }
      return ctx.db.query.users.findMany(
        query({
          where: { id: { in: muted.map((row) => row.userId) } },
          orderBy: { displayName: 'asc' },
        }),
      );
    },
  }),
}));

builder.drizzleObjectFields('chatMessages', (t) => ({
  sequence: t.exposeInt('sequence', {
    description: 'Its place in the session’s chat: 1, 2, 3 and so on, without gaps.',
  }),
  editedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When its author last edited it; null if never.',
    resolve: (message) => message.editedAt,
  }),
  deletedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When it was deleted; its body is then empty.',
    resolve: (message) => message.deletedAt,
  }),
  deletedByModerator: t.boolean({
    description: 'Whether someone other than its author (a moderator) deleted it.',
    resolve: (message) =>
      message.deletedAt !== null &&
      message.deletedById !== null &&
      message.deletedById !== message.authorId,
  }),
  viewerCanEdit: t.boolean({
    description: 'Whether the viewer may edit it: their own, not deleted, while the chat is open.',
    resolve: (message, _args, ctx) =>
      message.authorId !== null &&
      ctx.access.isViewer(message.authorId) &&
      message.deletedAt === null,
  }),
}));

const idField = (description: string) => ({ required: true as const, description });

builder.mutationFields((t) => ({
  sendChatMessage: t.drizzleField({
    type: 'chatMessages',
    description: `Posts to a live session's chat, open to members while it is scheduled or live, except people muted in it. At most ${CHAT_MESSAGE_MAX_LENGTH} characters; slow mode may ask to wait (RateLimitedError).`,
    errors: { types: ROOM_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SendChatMessageInput', {
          description: 'A chat message for a live session.',
          fields: (f) => ({
            liveSessionId: f.id(idField('The live session.')),
            body: f.string({
              required: true,
              description: `1 to ${CHAT_MESSAGE_MAX_LENGTH} characters.`,
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      sendChatMessage(ctx, { liveSessionId: liveSessionId(input.liveSessionId), body: input.body }),
  }),
  editChatMessage: t.drizzleField({
    type: 'chatMessages',
    description:
      'Changes the text of the viewer’s own chat message while the chat is open. Subscribers get CHAT_MESSAGE_EDITED.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('EditChatMessageInput', {
          description: 'A chat message and its new text.',
          fields: (f) => ({
            chatMessageId: f.id(idField('The message.')),
            body: f.string({
              required: true,
              description: `1 to ${CHAT_MESSAGE_MAX_LENGTH} characters.`,
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      editChatMessage(ctx, {
        chatMessageId: parseGlobalId(String(input.chatMessageId), 'ChatMessage', 'chatMessageId'),
        body: input.body,
      }),
  }),
  deleteChatMessage: t.drizzleField({
    type: 'chatMessages',
    description:
      'Deletes a chat message: its author while the chat is open, or the host or a facilitator at any time. The message stays in the sequence with an empty body. Subscribers get CHAT_MESSAGE_DELETED.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('DeleteChatMessageInput', {
          description: 'Names a chat message.',
          fields: (f) => ({ chatMessageId: f.id(idField('The message.')) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      deleteChatMessage(ctx, {
        chatMessageId: parseGlobalId(String(input.chatMessageId), 'ChatMessage', 'chatMessageId'),
      }),
  }),
  setChatSlowMode: t.drizzleField({
    type: 'liveSessions',
    description:
      'Sets slow mode for everyone but the host and facilitators; 0 turns it off. Host or facilitator. Subscribers get UPDATED.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SetChatSlowModeInput', {
          description: 'A live session and its slow mode.',
          fields: (f) => ({
            liveSessionId: f.id(idField('The live session.')),
            seconds: f.int({
              required: true,
              description: `Seconds between two messages of one person, 0 to ${MAX_SLOW_MODE_SECONDS}.`,
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      setChatSlowMode(ctx, {
        liveSessionId: liveSessionId(input.liveSessionId),
        seconds: input.seconds,
      }),
  }),
  setParticipantMuted: t.drizzleField({
    type: 'liveSessions',
    description:
      'Mutes or unmutes someone in a live session: muted people read but cannot chat, ask, raise a hand or react. Host or facilitator; they cannot be muted themselves. Subscribers get PARTICIPANT_MUTED or PARTICIPANT_UNMUTED.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SetParticipantMutedInput', {
          description: 'A live session, a person, and whether they are muted.',
          fields: (f) => ({
            liveSessionId: f.id(idField('The live session.')),
            userId: f.id(idField('The person.')),
            muted: f.boolean({ required: true, description: 'True to mute, false to unmute.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      setParticipantMuted(ctx, {
        liveSessionId: liveSessionId(input.liveSessionId),
        userId: parseGlobalId(String(input.userId), 'User', 'userId'),
        muted: input.muted,
      }),
  }),
  askQuestion: t.drizzleField({
    type: 'liveQuestions',
    description: `Asks a question in a live session's Q&A, open like its chat. At most ${QUESTION_MAX_LENGTH} characters. Subscribers get QUESTION_ASKED.`,
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AskQuestionInput', {
          description: 'A question for a live session.',
          fields: (f) => ({
            liveSessionId: f.id(idField('The live session.')),
            body: f.string({
              required: true,
              description: `1 to ${QUESTION_MAX_LENGTH} characters.`,
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      askQuestion(ctx, { liveSessionId: liveSessionId(input.liveSessionId), body: input.body }),
  }),
  voteOnQuestion: t.drizzleField({
    type: 'liveQuestions',
    description:
      'Upvotes an open question, or takes the upvote back; each person counts once, so upvoting twice changes nothing. Subscribers get QUESTION_UPDATED when the count changes.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('VoteOnQuestionInput', {
          description: 'A question and the viewer’s vote.',
          fields: (f) => ({
            questionId: f.id(idField('The question.')),
            vote: f.boolean({
              required: false,
              defaultValue: true,
              description: 'True (the default) to upvote, false to take the upvote back.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      voteOnQuestion(ctx, {
        questionId: parseGlobalId(String(input.questionId), 'LiveQuestion', 'questionId'),
        vote: input.vote ?? true,
      }),
  }),
  setQuestionStatus: t.drizzleField({
    type: 'liveQuestions',
    description:
      'Marks a question ANSWERED or DISMISSED, or OPEN again. Host or facilitator. Subscribers get QUESTION_UPDATED.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SetQuestionStatusInput', {
          description: 'A question and its new state.',
          fields: (f) => ({
            questionId: f.id(idField('The question.')),
            status: f.field({
              type: QuestionStatusEnum,
              required: true,
              description: 'The new state.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      resolveQuestion(ctx, {
        questionId: parseGlobalId(String(input.questionId), 'LiveQuestion', 'questionId'),
        status: input.status,
      }),
  }),
  raiseHand: t.drizzleField({
    type: 'liveSessions',
    description:
      'Puts the viewer’s hand up, at the end of the queue, while the session is live. Subscribers get HAND_RAISED.',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: LiveSessionIdInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      raiseHand(ctx, { liveSessionId: liveSessionId(input.liveSessionId) }),
  }),
  lowerHand: t.drizzleField({
    type: 'liveSessions',
    description:
      'Lowers the viewer’s hand, or, for the host or a facilitator, anyone’s. Subscribers get HAND_LOWERED.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('LowerHandInput', {
          description: 'A live session and whose hand to lower.',
          fields: (f) => ({
            liveSessionId: f.id(idField('The live session.')),
            userId: f.id({ description: 'Whose hand; the viewer’s when omitted.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      lowerHand(ctx, {
        liveSessionId: liveSessionId(input.liveSessionId),
        userId: input.userId ? parseGlobalId(String(input.userId), 'User', 'userId') : null,
      }),
  }),
  sendReaction: t.boolean({
    description: `Sends a quick reaction to everyone in the room while the session is live, as a REACTION signal on liveRoomSignals; not stored. At most ${REACTIONS_PER_WINDOW} in ${REACTION_WINDOW_SECONDS} seconds.`,
    errors: { types: ROOM_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SendReactionInput', {
          description: 'A live session and a reaction.',
          fields: (f) => ({
            liveSessionId: f.id(idField('The live session.')),
            emoji: f.string({
              required: true,
              description: `One of ${REACTION_EMOJIS.join(' ')}.`,
            }),
          }),
        }),
      }),
    },
    resolve: async (_parent, { input }, ctx) => {
      await sendReaction(ctx, {
        liveSessionId: liveSessionId(input.liveSessionId),
        emoji: input.emoji,
      });
      return true;
    },
  }),
  sendTyping: t.boolean({
    description: `Tells the room the viewer is typing, as a TYPING signal on liveRoomSignals. One goes out per ${TYPING_INTERVAL_SECONDS} seconds; the result is false when this one was dropped.`,
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: LiveSessionIdInput }) },
    resolve: (_parent, { input }, ctx) =>
      sendTyping(ctx, { liveSessionId: liveSessionId(input.liveSessionId) }),
  }),
}));
