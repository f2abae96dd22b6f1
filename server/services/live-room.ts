import { and, desc, eq, sql } from 'drizzle-orm';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Transaction } from '../../drizzle/db.ts';
import {
  chatMessages,
  liveHands,
  liveQuestions,
  liveQuestionVotes,
  liveSessionMutes,
  liveSessions,
  MAX_SLOW_MODE_SECONDS,
  memberships,
  users,
} from '../../drizzle/tables/index.ts';
import {
  canActInLiveRoom,
  canBeMutedInLiveSession,
  canChatInLiveSession,
  canManageLiveSession,
  canParticipate,
  type MembershipAccess,
  type Viewer,
} from '../auth/access.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { rejectWhileMutedInCommunity } from './community-mute.ts';
import { limitContentWrites } from './content-limits.ts';
import {
  type EventRecorder,
  requireViewer,
  runInTransaction,
  type ServiceContext,
  sendSignal,
  topics,
} from './context.ts';
import {
  type ChatMessageRow,
  type LiveSessionRow,
  loadReadableLiveSession,
} from './live-session.ts';
import { displayNameOf } from './presence.ts';

export type LiveQuestionRow = typeof liveQuestions.$inferSelect;

export const CHAT_MESSAGE_MAX_LENGTH = 2000;
export const QUESTION_MAX_LENGTH = 500;
/** The quick reactions a participant can send. */
export const REACTION_EMOJIS = ['👍', '👏', '❤️', '😂', '🎉', '🤔', '💡', '🙌'] as const;
/** Typing signals: one per person and room every 2 seconds; more are dropped. */
export const TYPING_INTERVAL_SECONDS = 2;
/** Quick reactions: 10 per person and room in 10 seconds. */
export const REACTIONS_PER_WINDOW = 10;
export const REACTION_WINDOW_SECONDS = 10;
/** Chat messages, edits and questions together: 10 per person and room in 10 seconds. */
export const ROOM_WRITES_PER_WINDOW = 10;
export const ROOM_WRITE_WINDOW_SECONDS = 10;

// These limits are kept in this process's memory, one set per database, so a person whose
// requests reach several server processes may send a little more. Slow mode applies across
// processes, because it is checked in the database.
// NOTE: the flood limits are per process. Keeping them in PostgreSQL or Redis would make them
// apply across processes.
const signalLimiters = new WeakMap<
  object,
  { typing: RateLimiterMemory; reaction: RateLimiterMemory; writes: RateLimiterMemory }
>();

function limitersFor(db: object) {
  let limiters = signalLimiters.get(db);
  if (!limiters) {
    limiters = {
      typing: new RateLimiterMemory({ points: 1, duration: TYPING_INTERVAL_SECONDS }),
      reaction: new RateLimiterMemory({
        points: REACTIONS_PER_WINDOW,
        duration: REACTION_WINDOW_SECONDS,
      }),
      writes: new RateLimiterMemory({
        points: ROOM_WRITES_PER_WINDOW,
        duration: ROOM_WRITE_WINDOW_SECONDS,
      }),
    };
    signalLimiters.set(db, limiters);
  }
  return limiters;
}

/**
 * Counts one chat message, edit or question of the viewer in a room against the flood limit of
 * 10 in 10 seconds, which applies to moderators too. Throws RateLimitedError past it.
 */
async function limitRoomWrites(ctx: ServiceContext, room: RoomState): Promise<void> {
  const wait = await consume(
    limitersFor(ctx.db).writes,
    `${room.liveSession.id}:${room.viewer.id}`,
  );
  if (wait > 0) {
    throw new RateLimitedError(
      wait,
      `At most ${ROOM_WRITES_PER_WINDOW} messages, edits and questions in ${ROOM_WRITE_WINDOW_SECONDS} seconds; try again in ${wait} seconds.`,
    );
  }
}

interface RoomState {
  liveSession: LiveSessionRow;
  membership: (MembershipAccess & { mutedUntil?: string | null }) | null;
  viewer: Viewer;
  muted: boolean;
  moderator: boolean;
}

/** Loads a live session the viewer can read, with whether they moderate it or are muted in it. */
async function loadRoom(ctx: ServiceContext, liveSessionId: number): Promise<RoomState> {
  const viewer = requireViewer(ctx);
  const { liveSession, membership } = await loadReadableLiveSession(ctx, liveSessionId);
  const moderator = canManageLiveSession(viewer, liveSession, membership);
  const muted = moderator ? false : await isMuted(ctx, liveSession.id, viewer.id);
  return { liveSession, membership, viewer, muted, moderator };
}

export async function isMuted(
  ctx: Pick<ServiceContext, 'db'>,
  liveSessionId: number,
  userId: number,
): Promise<boolean> {
  const [row] = await ctx.db
    .select({ userId: liveSessionMutes.userId })
    .from(liveSessionMutes)
    .where(
      and(eq(liveSessionMutes.liveSessionId, liveSessionId), eq(liveSessionMutes.userId, userId)),
    );
  return row !== undefined;
}

function rejectRoomAction(room: RoomState, action: string): never {
  const { liveSession, membership, muted } = room;
  if (!canParticipate(membership)) {
    throw new ForbiddenError(`Join this community to ${action}.`);
  }
  if (muted) {
    throw new ForbiddenError(
      `A moderator muted you in this live session, so you cannot ${action}.`,
    );
  }
  if (liveSession.status !== 'live' && liveSession.status !== 'scheduled') {
    throw new ForbiddenError(
      `Live session ${liveSession.id} is ${liveSession.status}; its chat and Q&A are closed.`,
    );
  }
  throw new ForbiddenError(`Live session ${liveSession.id} is not live, so you cannot ${action}.`);
}

/** Seconds the viewer must still wait under slow mode; 0 when they may send now. */
export async function slowModeWait(
  db: ServiceContext['db'] | Transaction,
  liveSession: Pick<LiveSessionRow, 'id' | 'slowModeSeconds'>,
  userId: number,
): Promise<number> {
  if (liveSession.slowModeSeconds <= 0) {
    return 0;
  }
  const [last] = await db
    .select({ createdAt: chatMessages.createdAt })
    .from(chatMessages)
    .where(and(eq(chatMessages.liveSessionId, liveSession.id), eq(chatMessages.authorId, userId)))
    .orderBy(desc(chatMessages.createdAt))
    .limit(1);
  if (!last) {
    return 0;
  }
  const waitMs = Date.parse(last.createdAt) + liveSession.slowModeSeconds * 1000 - Date.now();
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}

/**
 * Posts to a live session's chat, and publishes CHAT_MESSAGE. The message takes the session's
 * next sequence number. Slow mode and mutes are checked while the session's row is locked, so two
 * quick messages cannot both slip through. Moderators are exempt from slow mode.
 */
export async function sendChatMessage(
  ctx: ServiceContext,
  input: { liveSessionId: number; body: string },
): Promise<ChatMessageRow> {
  requireViewer(ctx);
  const validator = new InputValidator();
  const body = validator.text('body', input.body, {
    max: CHAT_MESSAGE_MAX_LENGTH,
    multiline: true,
  });
  validator.check();
  const room = await loadRoom(ctx, input.liveSessionId);
  if (!canChatInLiveSession(room.liveSession, room.membership, room.muted)) {
    rejectRoomAction(room, 'chat');
  }
  rejectWhileMutedInCommunity(room.membership, 'chat');
  await limitRoomWrites(ctx, room);
  await limitContentWrites(ctx, 'chatMessage');

  return runInTransaction(ctx, async (tx, recorder) => {
    const [numbered] = await tx
      .update(liveSessions)
      .set({ chatSequence: sql`${liveSessions.chatSequence} + 1` })
      .where(eq(liveSessions.id, room.liveSession.id))
      .returning({
        sequence: liveSessions.chatSequence,
        slowModeSeconds: liveSessions.slowModeSeconds,
        status: liveSessions.status,
      });
    if (!numbered) {
      throw new NotFoundError(`Live session ${room.liveSession.id} not found.`);
    }
    // Checked again under the lock: the session may have ended, or the person been muted, since.
    const mutedNow =
      !room.moderator && (await isMuted({ db: tx }, room.liveSession.id, room.viewer.id));
    if (
      !canChatInLiveSession(
        { ...room.liveSession, status: numbered.status },
        room.membership,
        mutedNow,
      )
    ) {
      rejectRoomAction(
        { ...room, muted: mutedNow, liveSession: { ...room.liveSession, ...numbered } },
        'chat',
      );
    }
    if (!room.moderator) {
      const wait = await slowModeWait(
        tx,
        { id: room.liveSession.id, slowModeSeconds: numbered.slowModeSeconds },
        room.viewer.id,
      );
      if (wait > 0) {
        throw new RateLimitedError(
          wait,
          `Slow mode is on: one message every ${numbered.slowModeSeconds} seconds. Try again in ${wait} seconds.`,
        );
      }
    }
    const [message] = await tx
      .insert(chatMessages)
      .values({
        liveSessionId: room.liveSession.id,
        authorId: room.viewer.id,
        sequence: numbered.sequence,
        body,
      })
      .returning();
    if (!message) {
      throw new Error('Inserting a chat message returned no row');
    }
    await recorder.record(topics.liveSession(room.liveSession.id), 'chat_message', {
      chatMessageId: message.id,
    });
    return message;
  });
}

async function loadMessage(ctx: ServiceContext, chatMessageId: number) {
  const [message] = await ctx.db
    .select()
    .from(chatMessages)
    .where(eq(chatMessages.id, chatMessageId));
  if (!message) {
    throw new NotFoundError(
      `Chat message ${chatMessageId} not found, or you do not have access to it.`,
    );
  }
  const room = await loadRoom(ctx, message.liveSessionId).catch((error: unknown) => {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(
        `Chat message ${chatMessageId} not found, or you do not have access to it.`,
      );
    }
    throw error;
  });
  return { message, room };
}

/** Changes the text of the viewer's own message while the chat is open. Publishes CHAT_MESSAGE_EDITED. */
export async function editChatMessage(
  ctx: ServiceContext,
  input: { chatMessageId: number; body: string },
): Promise<ChatMessageRow> {
  const validator = new InputValidator();
  const body = validator.text('body', input.body, {
    max: CHAT_MESSAGE_MAX_LENGTH,
    multiline: true,
  });
  validator.check();
  const { message, room } = await loadMessage(ctx, input.chatMessageId);
  if (message.authorId !== room.viewer.id) {
    throw new ForbiddenError('Only its author can edit a chat message.');
  }
  if (message.deletedAt) {
    throw new ConflictError(`Chat message ${message.id} was deleted and cannot be edited.`);
  }
  if (!canChatInLiveSession(room.liveSession, room.membership, room.muted)) {
    rejectRoomAction(room, 'edit messages');
  }
  rejectWhileMutedInCommunity(room.membership, 'edit messages');
  await limitRoomWrites(ctx, room);
  return runInTransaction(ctx, async (tx, recorder) => {
    const [updated] = await tx
      .update(chatMessages)
      .set({ body, editedAt: sql`now()` })
      .where(and(eq(chatMessages.id, message.id), sql`${chatMessages.deletedAt} is null`))
      .returning();
    if (!updated) {
      throw new ConflictError(`Chat message ${message.id} was deleted and cannot be edited.`);
    }
    await recorder.record(topics.liveSession(message.liveSessionId), 'chat_message_edited', {
      chatMessageId: message.id,
    });
    return updated;
  });
}

/**
 * Deletes a chat message: its author, muted or not, or a moderator (the host, owners and
 * facilitators), at any time. The row stays, emptied, so the sequence keeps no holes. A
 * moderator's deletion goes to the audit log with the removed text. Publishes
 * CHAT_MESSAGE_DELETED.
 */
export async function deleteChatMessage(
  ctx: ServiceContext,
  input: { chatMessageId: number },
): Promise<ChatMessageRow> {
  const { message, room } = await loadMessage(ctx, input.chatMessageId);
  const own = message.authorId === room.viewer.id;
  if (!own && !room.moderator) {
    throw new ForbiddenError('Only its author or a moderator can delete a chat message.');
  }
  if (message.deletedAt) {
    return message;
  }
  return runInTransaction(
    ctx,
    async (tx, recorder) =>
      (await deleteChatMessageInTransaction(tx, recorder, {
        message,
        communityId: room.liveSession.communityId,
        actorId: room.viewer.id,
      })) ?? message,
  );
}

/**
 * Empties a chat message inside the caller's transaction, which has checked who may. A deletion
 * by anyone but the author goes to the audit log with the removed text. Publishes
 * CHAT_MESSAGE_DELETED. Returns null when the message was already deleted.
 */
export async function deleteChatMessageInTransaction(
  tx: Transaction,
  recorder: EventRecorder,
  input: { message: ChatMessageRow; communityId: number; actorId: number; reason?: string },
): Promise<ChatMessageRow | null> {
  const { message, actorId } = input;
  const own = message.authorId === actorId;
  const [deleted] = await tx
    .update(chatMessages)
    .set({ body: '', deletedAt: sql`now()`, deletedById: actorId })
    .where(and(eq(chatMessages.id, message.id), sql`${chatMessages.deletedAt} is null`))
    .returning();
  if (!deleted) {
    return null;
  }
  if (!own) {
    await recordAudit(tx, {
      actorId,
      action: 'live_session.message_removed',
      communityId: input.communityId,
      subjectUserId: message.authorId,
      details: {
        liveSessionId: message.liveSessionId,
        chatMessageId: message.id,
        sequence: message.sequence,
        body: message.body,
        ...(input.reason !== undefined && { reason: input.reason }),
      },
    });
  }
  await recorder.record(topics.liveSession(message.liveSessionId), 'chat_message_deleted', {
    chatMessageId: message.id,
    byModerator: !own,
  });
  return deleted;
}

/**
 * Mutes or unmutes a person in one live session: a muted person can read but not chat, ask,
 * raise a hand or react. Moderators only; the host, owners and facilitators cannot be muted.
 * Publishes PARTICIPANT_MUTED or PARTICIPANT_UNMUTED when something changed.
 */
export async function setParticipantMuted(
  ctx: ServiceContext,
  input: { liveSessionId: number; userId: number; muted: boolean },
): Promise<LiveSessionRow> {
  const room = await loadRoom(ctx, input.liveSessionId);
  if (!room.moderator) {
    throw new ForbiddenError(
      'Only the host or a facilitator can mute people in this live session.',
    );
  }
  const [target] = await ctx.db
    .select({ id: users.id, role: memberships.role, status: memberships.status })
    .from(users)
    .leftJoin(
      memberships,
      and(
        eq(memberships.userId, users.id),
        eq(memberships.communityId, room.liveSession.communityId),
      ),
    )
    .where(eq(users.id, input.userId));
  if (!target) {
    throw ValidationError.of('userId', 'names no person');
  }
  if (input.muted && target.status !== 'active') {
    throw ValidationError.of(
      'userId',
      'is not a member of this community; only members can chat, so only they can be muted',
    );
  }
  const targetMembership =
    target.role && target.status ? { role: target.role, status: target.status } : null;
  if (
    input.muted &&
    !canBeMutedInLiveSession(
      target.id,
      room.liveSession,
      targetMembership as MembershipAccess | null,
    )
  ) {
    throw new ForbiddenError('The host, owners and facilitators cannot be muted.');
  }
  return runInTransaction(ctx, async (tx, recorder) => {
    const changed = input.muted
      ? await tx
          .insert(liveSessionMutes)
          .values({
            liveSessionId: room.liveSession.id,
            userId: target.id,
            mutedById: room.viewer.id,
          })
          .onConflictDoNothing()
          .returning({ userId: liveSessionMutes.userId })
      : await tx
          .delete(liveSessionMutes)
          .where(
            and(
              eq(liveSessionMutes.liveSessionId, room.liveSession.id),
              eq(liveSessionMutes.userId, target.id),
            ),
          )
          .returning({ userId: liveSessionMutes.userId });
    if (changed.length > 0) {
      if (input.muted) {
        // A muted person's raised hand goes down with the mute.
        const lowered = await tx
          .delete(liveHands)
          .where(
            and(eq(liveHands.liveSessionId, room.liveSession.id), eq(liveHands.userId, target.id)),
          )
          .returning({ userId: liveHands.userId });
        if (lowered.length > 0) {
          await recorder.record(topics.liveSession(room.liveSession.id), 'hand_lowered', {
            userId: target.id,
          });
        }
      }
      await recordAudit(tx, {
        actorId: room.viewer.id,
        action: input.muted ? 'live_session.participant_muted' : 'live_session.participant_unmuted',
        communityId: room.liveSession.communityId,
        subjectUserId: target.id,
        details: { liveSessionId: room.liveSession.id },
      });
      await recorder.record(
        topics.liveSession(room.liveSession.id),
        input.muted ? 'participant_muted' : 'participant_unmuted',
        { userId: target.id },
      );
    }
    return room.liveSession;
  });
}

/**
 * Sets slow mode: every participant but the moderators waits this many seconds between two chat
 * messages; 0 turns it off. Moderators only. Publishes UPDATED.
 */
export async function setChatSlowMode(
  ctx: ServiceContext,
  input: { liveSessionId: number; seconds: number },
): Promise<LiveSessionRow> {
  if (
    !Number.isInteger(input.seconds) ||
    input.seconds < 0 ||
    input.seconds > MAX_SLOW_MODE_SECONDS
  ) {
    throw ValidationError.of(
      'seconds',
      `must be a whole number from 0 (off) to ${MAX_SLOW_MODE_SECONDS}`,
    );
  }
  const room = await loadRoom(ctx, input.liveSessionId);
  if (!room.moderator) {
    throw new ForbiddenError('Only the host or a facilitator can change slow mode.');
  }
  if (room.liveSession.status === 'ended' || room.liveSession.status === 'cancelled') {
    throw new ConflictError(`Live session ${room.liveSession.id} is ${room.liveSession.status}.`);
  }
  return runInTransaction(ctx, async (tx, recorder) => {
    const [updated] = await tx
      .update(liveSessions)
      .set({ slowModeSeconds: input.seconds })
      .where(eq(liveSessions.id, room.liveSession.id))
      .returning();
    await recorder.record(topics.liveSession(room.liveSession.id), 'updated', {
      slowModeSeconds: input.seconds,
    });
    return updated ?? room.liveSession;
  });
}

/** Asks a question in the session's Q&A; members who may chat. Publishes QUESTION_ASKED. */
export async function askQuestion(
  ctx: ServiceContext,
  input: { liveSessionId: number; body: string },
): Promise<LiveQuestionRow> {
  requireViewer(ctx);
  const validator = new InputValidator();
  const body = validator.text('body', input.body, { max: QUESTION_MAX_LENGTH, multiline: true });
  validator.check();
  const room = await loadRoom(ctx, input.liveSessionId);
  if (!canChatInLiveSession(room.liveSession, room.membership, room.muted)) {
    rejectRoomAction(room, 'ask questions');
  }
  rejectWhileMutedInCommunity(room.membership, 'ask questions');
  await limitRoomWrites(ctx, room);
  return runInTransaction(ctx, async (tx, recorder) => {
    const [question] = await tx
      .insert(liveQuestions)
      .values({ liveSessionId: room.liveSession.id, authorId: room.viewer.id, body })
      .returning();
    if (!question) {
      throw new Error('Inserting a question returned no row');
    }
    await recorder.record(topics.liveSession(room.liveSession.id), 'question_asked', {
      questionId: question.id,
    });
    return question;
  });
}

async function loadQuestion(ctx: ServiceContext, questionId: number) {
  const [question] = await ctx.db
    .select()
    .from(liveQuestions)
    .where(eq(liveQuestions.id, questionId));
  const notFound = () =>
    new NotFoundError(`Question ${questionId} not found, or you do not have access to it.`);
  if (!question) {
    throw notFound();
  }
  const room = await loadRoom(ctx, question.liveSessionId).catch((error: unknown) => {
    throw error instanceof NotFoundError ? notFound() : error;
  });
  return { question, room };
}

/**
 * Upvotes an open question, or takes the viewer's upvote back. Each person counts once: a second
 * upvote changes nothing. Members of the community may vote, muted or not. Publishes
 * QUESTION_UPDATED when the count changed.
 */
export async function voteOnQuestion(
  ctx: ServiceContext,
  input: { questionId: number; vote: boolean },
): Promise<LiveQuestionRow> {
  const { question, room } = await loadQuestion(ctx, input.questionId);
  if (!canChatInLiveSession(room.liveSession, room.membership, false)) {
    rejectRoomAction({ ...room, muted: false }, 'vote');
  }
  if (question.status !== 'open') {
    throw new ConflictError(`Question ${question.id} is ${question.status}; votes are closed.`);
  }
  return runInTransaction(ctx, async (tx, recorder) => {
    const changed = input.vote
      ? await tx
          .insert(liveQuestionVotes)
          .values({ questionId: question.id, userId: room.viewer.id })
          .onConflictDoNothing()
          .returning({ userId: liveQuestionVotes.userId })
      : await tx
          .delete(liveQuestionVotes)
          .where(
            and(
              eq(liveQuestionVotes.questionId, question.id),
              eq(liveQuestionVotes.userId, room.viewer.id),
            ),
          )
          .returning({ userId: liveQuestionVotes.userId });
    if (changed.length === 0) {
      return question;
    }
    const [updated] = await tx
      .update(liveQuestions)
      .set({ voteCount: sql`${liveQuestions.voteCount} + ${input.vote ? 1 : -1}` })
      .where(eq(liveQuestions.id, question.id))
      .returning();
    await recorder.record(topics.liveSession(question.liveSessionId), 'question_updated', {
      questionId: question.id,
    });
    return updated ?? question;
  });
}

/**
 * Marks a question answered or dismissed, or opens it again; moderators only. Publishes
 * QUESTION_UPDATED.
 */
export async function resolveQuestion(
  ctx: ServiceContext,
  input: { questionId: number; status: LiveQuestionRow['status'] },
): Promise<LiveQuestionRow> {
  const { question, room } = await loadQuestion(ctx, input.questionId);
  if (!room.moderator) {
    throw new ForbiddenError('Only the host or a facilitator can answer or dismiss questions.');
  }
  if (question.status === input.status) {
    return question;
  }
  return runInTransaction(ctx, async (tx, recorder) => {
    const [updated] = await tx
      .update(liveQuestions)
      .set({
        status: input.status,
        resolvedAt: input.status === 'open' ? null : sql`now()`,
        resolvedById: input.status === 'open' ? null : room.viewer.id,
      })
      .where(eq(liveQuestions.id, question.id))
      .returning();
    await recorder.record(topics.liveSession(question.liveSessionId), 'question_updated', {
      questionId: question.id,
    });
    return updated ?? question;
  });
}

/** Puts the viewer's hand up, at the end of the queue; while the session is live. Publishes HAND_RAISED. */
export async function raiseHand(
  ctx: ServiceContext,
  input: { liveSessionId: number },
): Promise<LiveSessionRow> {
  const room = await loadRoom(ctx, input.liveSessionId);
  if (!canActInLiveRoom(room.liveSession, room.membership, room.muted)) {
    rejectRoomAction(room, 'raise your hand');
  }
  return runInTransaction(ctx, async (tx, recorder) => {
    const raised = await tx
      .insert(liveHands)
      .values({ liveSessionId: room.liveSession.id, userId: room.viewer.id })
      .onConflictDoNothing()
      .returning({ userId: liveHands.userId });
    if (raised.length > 0) {
      await recorder.record(topics.liveSession(room.liveSession.id), 'hand_raised', {
        userId: room.viewer.id,
      });
    }
    return room.liveSession;
  });
}

/**
 * Lowers a raised hand: the viewer's own, or anyone's for a moderator (after calling on them).
 * Publishes HAND_LOWERED when a hand was up.
 */
export async function lowerHand(
  ctx: ServiceContext,
  input: { liveSessionId: number; userId?: number | null },
): Promise<LiveSessionRow> {
  const room = await loadRoom(ctx, input.liveSessionId);
  const userId = input.userId ?? room.viewer.id;
  if (userId !== room.viewer.id && !room.moderator) {
    throw new ForbiddenError("Only the host or a facilitator can lower someone else's hand.");
  }
  return runInTransaction(ctx, async (tx, recorder) => {
    const lowered = await tx
      .delete(liveHands)
      .where(and(eq(liveHands.liveSessionId, room.liveSession.id), eq(liveHands.userId, userId)))
      .returning({ userId: liveHands.userId });
    if (lowered.length > 0) {
      await recorder.record(topics.liveSession(room.liveSession.id), 'hand_lowered', { userId });
    }
    return room.liveSession;
  });
}

async function consume(limiter: RateLimiterMemory, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    }
    throw rejection;
  }
}

/**
 * Sends a quick reaction to everyone in the room while the session is live. Reactions are
 * passing signals, never stored; each person may send 10 in 10 seconds per room.
 */
export async function sendReaction(
  ctx: ServiceContext,
  input: { liveSessionId: number; emoji: string },
): Promise<void> {
  if (!(REACTION_EMOJIS as readonly string[]).includes(input.emoji)) {
    throw ValidationError.of('emoji', `must be one of ${REACTION_EMOJIS.join(' ')}`);
  }
  const room = await loadRoom(ctx, input.liveSessionId);
  if (!canActInLiveRoom(room.liveSession, room.membership, room.muted)) {
    rejectRoomAction(room, 'react');
  }
  const wait = await consume(
    limitersFor(ctx.db).reaction,
    `${room.liveSession.id}:${room.viewer.id}`,
  );
  if (wait > 0) {
    throw new RateLimitedError(
      wait,
      `At most ${REACTIONS_PER_WINDOW} reactions in ${REACTION_WINDOW_SECONDS} seconds; try again in ${wait} seconds.`,
    );
  }
  sendSignal(ctx, topics.liveRoom(room.liveSession.id), 'reaction', room.viewer.id, {
    displayName: await displayNameOf(ctx.db, room.viewer.id),
    emoji: input.emoji,
  });
}

/**
 * Sends a typing signal to the room. At most one per person and room goes out every 2 seconds,
 * and the others are dropped. Returns whether this one was sent.
 */
export async function sendTyping(
  ctx: ServiceContext,
  input: { liveSessionId: number },
): Promise<boolean> {
  const room = await loadRoom(ctx, input.liveSessionId);
  if (!canChatInLiveSession(room.liveSession, room.membership, room.muted)) {
    rejectRoomAction(room, 'chat');
  }
  if ((await consume(limitersFor(ctx.db).typing, `${room.liveSession.id}:${room.viewer.id}`)) > 0) {
    return false;
  }
  sendSignal(ctx, topics.liveRoom(room.liveSession.id), 'typing', room.viewer.id, {
    displayName: await displayNameOf(ctx.db, room.viewer.id),
  });
  return true;
}
