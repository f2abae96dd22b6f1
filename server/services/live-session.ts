import { and, asc, eq, sql } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import {
  type chatMessages,
  type LIVE_SESSION_STATUSES,
  liveHands,
  liveSessions,
  MAX_CAPACITY,
  type RSVP_STATUSES,
  rsvps,
} from '../../drizzle/tables/index.ts';
import { canManageLiveSession, canParticipate } from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { canonicalTimeZone, InputValidator, isTimeZone, parseHttpUrl } from '../validation.ts';
import { applyBadgeRules } from './badge-rule-awards.ts';
import {
  type EventRecorder,
  requireViewer,
  runInTransaction,
  type ServiceContext,
  topics,
} from './context.ts';
import { notify } from './thread.ts';

export type LiveSessionRow = typeof liveSessions.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;
export type LiveSessionStatus = (typeof LIVE_SESSION_STATUSES)[number];
export type RsvpStatus = (typeof RSVP_STATUSES)[number];

export const MAX_LIVE_SESSION_MS = 12 * 60 * 60 * 1000;
/** A new session may start this far in the past, for clocks that differ a little. */
const START_GRACE_MS = 5 * 60 * 1000;

export async function loadReadableLiveSession(ctx: ServiceContext, liveSessionId: number) {
  const [liveSession] = await ctx.db
    .select()
    .from(liveSessions)
    .where(eq(liveSessions.id, liveSessionId));
  if (!liveSession) {
    throw new NotFoundError(
      `Live session ${liveSessionId} not found, or you do not have access to it.`,
    );
  }
  const { membership } = await ctx.access.requireReadable(
    liveSession.communityId,
    `Live session ${liveSessionId}`,
  );
  return { liveSession, membership };
}

export interface ScheduleFields {
  title?: string | null;
  description?: string | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  timeZone?: string | null;
  joinUrl?: string | null;
  /** Seats for confirmed attendees; on a change, 0 removes the limit. */
  capacity?: number | null;
}

/** Checks the fields of a new or changed live session, and returns them cleaned up. */
export function validateSchedule(input: ScheduleFields, current: LiveSessionRow | null) {
  const validator = new InputValidator();
  const title = validator.optionalText('title', input.title, { max: 200 });
  const description = validator.optionalText('description', input.description, {
    min: 0,
    max: 5000,
    multiline: true,
  });
  let timeZone = input.timeZone?.trim();
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    validator.add(
      'timeZone',
      `"${timeZone.slice(0, 64)}" is not an IANA time zone such as America/Chicago`,
    );
  } else if (timeZone !== undefined) {
    timeZone = canonicalTimeZone(timeZone);
  }
  const joinUrl = input.joinUrl ? parseHttpUrl(validator, 'joinUrl', input.joinUrl) : input.joinUrl;

  const startsAt = input.startsAt ?? (current ? new Date(current.startsAt) : null);
  const endsAt = input.endsAt ?? (current ? new Date(current.endsAt) : null);
  if (startsAt && endsAt) {
    if (endsAt.getTime() <= startsAt.getTime()) {
      validator.add('endsAt', 'must be after startsAt');
    } else if (endsAt.getTime() - startsAt.getTime() > MAX_LIVE_SESSION_MS) {
      validator.add('endsAt', 'a live session lasts at most 12 hours');
    }
  }
  if (input.startsAt && input.startsAt.getTime() < Date.now() - START_GRACE_MS) {
    validator.add('startsAt', 'must not be in the past');
  }
  const lowest = current ? 0 : 1;
  if (
    input.capacity !== undefined &&
    input.capacity !== null &&
    (input.capacity < lowest || input.capacity > MAX_CAPACITY)
  ) {
    validator.add(
      'capacity',
      `must be from ${lowest} to ${MAX_CAPACITY}${current ? ' (0 removes the limit)' : ''}`,
    );
  }
  validator.check();
  const capacity =
    input.capacity === undefined || input.capacity === null
      ? undefined
      : input.capacity === 0
        ? null
        : input.capacity;
  return { title, description, timeZone, joinUrl, startsAt, endsAt, capacity };
}

/**
 * Schedules a live session in a community; members may host. Publishes LIVE_SESSION_SCHEDULED
 * to the community.
 */
export async function scheduleLiveSession(
  ctx: ServiceContext,
  input: ScheduleFields & {
    communityId: number;
    title: string;
    startsAt: Date;
    endsAt: Date;
    timeZone: string;
  },
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const fields = validateSchedule(input, null);
  const { membership } = await ctx.access.requireReadable(input.communityId);
  if (!canParticipate(membership)) {
    throw new ForbiddenError('Join this community to schedule a live session.');
  }

  return runInTransaction(ctx, async (tx, recorder) => {
    const [liveSession] = await tx
      .insert(liveSessions)
      .values({
        communityId: input.communityId,
        hostId: viewer.id,
        title: fields.title ?? '',
        description: fields.description ?? '',
        startsAt: input.startsAt.toISOString(),
        endsAt: input.endsAt.toISOString(),
        timeZone: fields.timeZone ?? input.timeZone,
        joinUrl: fields.joinUrl || null,
        capacity: fields.capacity ?? null,
      })
      .returning();
    if (!liveSession) {
      throw new Error('Inserting a live session returned no row');
    }
    await recorder.record(topics.community(input.communityId), 'live_session_scheduled', {
      liveSessionId: liveSession.id,
    });
    return liveSession;
  });
}

/**
 * Changes a scheduled live session; host or facilitator. Publishes UPDATED. A changed occurrence of
 * a series is marked detached from it, so that later changes to the series leave it alone.
 */
export async function updateLiveSession(
  ctx: ServiceContext,
  input: ScheduleFields & { liveSessionId: number },
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const { liveSession, membership } = await loadReadableLiveSession(ctx, input.liveSessionId);
  if (!canManageLiveSession(viewer, liveSession, membership)) {
    throw new ForbiddenError('Only the host or a facilitator can change this live session.');
  }
  if (liveSession.status === 'ended' || liveSession.status === 'cancelled') {
    throw new ConflictError(
      `Live session ${liveSession.id} has ${liveSession.status === 'ended' ? 'ended' : 'been cancelled'} and cannot be changed.`,
    );
  }
  const fields = validateSchedule(input, liveSession);

  return runInTransaction(ctx, async (tx, recorder) => {
    const [updated] = await tx
      .update(liveSessions)
      .set({
        ...(fields.title !== undefined && { title: fields.title }),
        ...(fields.description !== undefined && { description: fields.description }),
        ...(fields.timeZone !== undefined && { timeZone: fields.timeZone }),
        ...(fields.joinUrl !== undefined && { joinUrl: fields.joinUrl || null }),
        ...(input.startsAt && { startsAt: input.startsAt.toISOString() }),
        ...(input.endsAt && { endsAt: input.endsAt.toISOString() }),
        ...(fields.capacity !== undefined && { capacity: fields.capacity }),
        ...(liveSession.seriesId !== null && { detachedFromSeries: true }),
        revision: sql`${liveSessions.revision} + 1`,
      })
      .where(eq(liveSessions.id, liveSession.id))
      .returning();
    if (updated && fields.capacity !== undefined) {
      await fillFreeSeats(tx, recorder, updated);
    }
    await recorder.record(topics.liveSession(liveSession.id), 'updated', {});
    return updated ?? liveSession;
  });
}

const TRANSITIONS: Record<
  'start' | 'end' | 'cancel',
  { from: LiveSessionStatus[]; to: LiveSessionStatus }
> = {
  start: { from: ['scheduled'], to: 'live' },
  end: { from: ['live'], to: 'ended' },
  cancel: { from: ['scheduled'], to: 'cancelled' },
};

/**
 * Moves a live session to its next status: start (scheduled to live), end (live to ended) or
 * cancel (scheduled to cancelled). Host or facilitator. Publishes STATUS_CHANGED.
 */
export async function changeLiveSessionStatus(
  ctx: ServiceContext,
  input: { liveSessionId: number; action: 'start' | 'end' | 'cancel' },
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const { liveSession, membership } = await loadReadableLiveSession(ctx, input.liveSessionId);
  if (!canManageLiveSession(viewer, liveSession, membership)) {
    throw new ForbiddenError(
      `Only the host or a facilitator can ${input.action} this live session.`,
    );
  }
  const transition = TRANSITIONS[input.action];

  return runInTransaction(ctx, async (tx, recorder) => {
    // The status check and the change are one statement, so two concurrent requests cannot both
    // move the same session.
    const [updated] = await tx
      .update(liveSessions)
      .set({
        status: transition.to,
        revision: sql`${liveSessions.revision} + 1`,
        // A session opened early moves its planned times earlier, keeping its length, so that
        // calendars and lists show the day it really happened.
        ...(transition.to === 'live' && {
          startedAt: sql`now()`,
          startsAt: sql`least(${liveSessions.startsAt}, now())`,
          endsAt: sql`${liveSessions.endsAt} - greatest(${liveSessions.startsAt} - now(), interval '0')`,
        }),
        // NOTE: a session ended early keeps its planned end, so calendars still show that end.
        ...(transition.to === 'ended' && { endedAt: sql`now()` }),
      })
      .where(
        sql`${liveSessions.id} = ${liveSession.id} and ${liveSessions.status} in (${sql.join(
          transition.from.map((status) => sql`${status}`),
          sql`, `,
        )})`,
      )
      .returning();
    if (!updated) {
      throw new ConflictError(
        `Live session ${liveSession.id} is ${liveSession.status}; only a ${transition.from.join(' or ')} session can ${input.action === 'cancel' ? 'be cancelled' : input.action}.`,
      );
    }
    if (transition.to === 'ended') {
      await tx.delete(liveHands).where(eq(liveHands.liveSessionId, liveSession.id));
      await applyBadgeRules(tx, recorder, {
        kind: 'attendance_changed',
        liveSessionId: liveSession.id,
      });
    }
    await recorder.record(topics.liveSession(liveSession.id), 'status_changed', {
      status: transition.to,
    });
    return updated;
  });
}

/**
 * Records the viewer's RSVP; members only, before the session ends. With a capacity, GOING takes
 * a free seat or joins the end of the waitlist, and giving up a seat passes it to the first person
 * waiting, who is notified. The session's row is locked meanwhile, so simultaneous RSVPs cannot
 * confirm more people than there are seats.
 */
export async function rsvpToLiveSession(
  ctx: ServiceContext,
  input: { liveSessionId: number; status: RsvpStatus },
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const { liveSession, membership } = await loadReadableLiveSession(ctx, input.liveSessionId);
  if (!canParticipate(membership)) {
    throw new ForbiddenError('Join this community to RSVP.');
  }
  if (liveSession.status === 'ended' || liveSession.status === 'cancelled') {
    throw new ConflictError(
      `Live session ${liveSession.id} is ${liveSession.status}; RSVPs are closed.`,
    );
  }
  return runInTransaction(ctx, async (tx, recorder) => {
    const [locked] = await tx
      .select()
      .from(liveSessions)
      .where(eq(liveSessions.id, liveSession.id))
      .for('update');
    if (!locked) {
      throw new NotFoundError(`Live session ${liveSession.id} not found.`);
    }
    const [current] = await tx
      .select()
      .from(rsvps)
      .where(and(eq(rsvps.liveSessionId, locked.id), eq(rsvps.userId, viewer.id)));
    let seat: RsvpSeat | null = null;
    let waitlistedAt: string | null = null;
    if (input.status === 'going') {
      if (current?.status === 'going' && current.seat) {
        // Saying GOING again keeps the seat, or the place in the waitlist.
        seat = current.seat;
        waitlistedAt = current.waitlistedAt;
      } else {
        const confirmed = await confirmedCount(tx, locked.id);
        seat = locked.capacity === null || confirmed < locked.capacity ? 'confirmed' : 'waitlisted';
        waitlistedAt = seat === 'waitlisted' ? new Date().toISOString() : null;
      }
    }
    await tx
      .insert(rsvps)
      .values({
        liveSessionId: locked.id,
        userId: viewer.id,
        status: input.status,
        seat,
        waitlistedAt,
      })
      .onConflictDoUpdate({
        target: [rsvps.liveSessionId, rsvps.userId],
        set: { status: input.status, seat, waitlistedAt },
      });
    if (current?.seat === 'confirmed' && seat !== 'confirmed') {
      await fillFreeSeats(tx, recorder, locked);
    }
    return locked;
  });
}

export type RsvpSeat = 'confirmed' | 'waitlisted';

async function confirmedCount(tx: Transaction, liveSessionId: number): Promise<number> {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(rsvps)
    .where(and(eq(rsvps.liveSessionId, liveSessionId), eq(rsvps.seat, 'confirmed')));
  return row?.count ?? 0;
}

/**
 * Gives free seats to the people waiting, first come first served, and notifies each. The caller
 * holds the session's row lock.
 */
export async function fillFreeSeats(
  tx: Transaction,
  recorder: EventRecorder,
  liveSession: LiveSessionRow,
): Promise<void> {
  const free =
    liveSession.capacity === null
      ? MAX_CAPACITY
      : liveSession.capacity - (await confirmedCount(tx, liveSession.id));
  if (free <= 0) {
    return;
  }
  const promoted = await tx
    .select({ id: rsvps.id, userId: rsvps.userId })
    .from(rsvps)
    .where(and(eq(rsvps.liveSessionId, liveSession.id), eq(rsvps.seat, 'waitlisted')))
    .orderBy(asc(rsvps.waitlistedAt), asc(rsvps.id))
    .limit(free);
  for (const row of promoted) {
    await tx
      .update(rsvps)
      .set({ seat: 'confirmed', waitlistedAt: null })
      .where(eq(rsvps.id, row.id));
    await notify(tx, recorder, row.userId, 'seat_confirmed', {
      communityId: liveSession.communityId,
      liveSessionId: liveSession.id,
    });
  }
}
