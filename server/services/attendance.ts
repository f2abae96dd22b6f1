import { aliasedTable, and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../drizzle/db.ts';
import { rowsOf } from '../../drizzle/db.ts';
import {
  communities,
  liveAttendance,
  liveAttendanceAdjustments,
  liveSessions,
  users,
} from '../../drizzle/tables/index.ts';
import { canManageLiveSession } from '../auth/access.ts';
import type { ViewerAccess } from '../auth/viewer-access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { applyBadgeRules } from './badge-rule-awards.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';
import { type LiveSessionRow, loadReadableLiveSession } from './live-session.ts';

/** Maximum minutes a host can credit one person for one session: the 12 hours a session may last. */
export const MAX_ADJUSTED_MINUTES = 720;
export const MAX_ADJUSTMENT_REASON_LENGTH = 500;

export interface AttendanceAdjustment {
  adjustedById: number | null;
  /** Null when the account of the person who made the change was deleted. */
  adjustedByName: string | null;
  minutesBefore: number;
  minutesAfter: number;
  reason: string;
  createdAt: string;
}

/** One person's attendance of one live session, as the host's report shows it. */
export interface AttendanceEntry {
  liveSessionId: number;
  userId: number;
  displayName: string;
  firstJoinedAt: string;
  lastLeftAt: string | null;
  secondsPresent: number;
  adjustedMinutes: number | null;
  /** Oldest first. */
  adjustments: AttendanceAdjustment[];
}

/** Whole minutes of measured time, rounded to the nearest minute. */
export function measuredMinutes(secondsPresent: number): number {
  return Math.round(secondsPresent / 60);
}

/** Returns the credited minutes: the host's adjusted minutes when set, else the measured ones. */
export function creditedMinutes(entry: {
  secondsPresent: number;
  adjustedMinutes: number | null;
}): number {
  return entry.adjustedMinutes ?? measuredMinutes(entry.secondsPresent);
}

/** Hours with one decimal, rounded to the nearest tenth. */
export function minutesToHours(minutes: number): number {
  return Math.round(minutes / 6) / 10;
}

/**
 * Converts a timestamptz as PostgreSQL prints it, such as "2026-12-04 12:47:11.123456+00", to
 * an ISO 8601 instant in UTC.
 */
export function isoInstant(text: string): string {
  return new Date(text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')).toISOString();
}

/** Reports whether the viewer may read and change the session's attendance: its managers. */
export async function canManageAttendance(
  access: ViewerAccess,
  liveSession: Pick<LiveSessionRow, 'communityId' | 'hostId' | 'status'>,
): Promise<boolean> {
  if (!access.viewer || !(await access.canRead(liveSession.communityId))) {
    return false;
  }
  const membership = await access.membership(liveSession.communityId);
  return canManageLiveSession(access.viewer, liveSession, membership);
}

async function loadManagedLiveSession(
  ctx: ServiceContext,
  liveSessionId: number,
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const { liveSession, membership } = await loadReadableLiveSession(ctx, liveSessionId);
  if (!canManageLiveSession(viewer, liveSession, membership)) {
    throw new ForbiddenError(
      'Only the host or a facilitator can see or change the attendance of this live session.',
    );
  }
  return liveSession;
}

/**
 * Loads the attendance of a live session, ordered by when people first joined, with each entry's
 * adjustments. `userId` narrows it to one person; `limit` and `offset` page through it.
 */
export async function listAttendance(
  db: Executor,
  liveSessionId: number,
  options: { userId?: number; limit?: number; offset?: number } = {},
): Promise<AttendanceEntry[]> {
  const query = db
    .select({
      liveSessionId: liveAttendance.liveSessionId,
      userId: liveAttendance.userId,
      displayName: users.displayName,
      firstJoinedAt: liveAttendance.firstJoinedAt,
      lastLeftAt: liveAttendance.lastLeftAt,
      secondsPresent: liveAttendance.secondsPresent,
      adjustedMinutes: liveAttendance.adjustedMinutes,
    })
    .from(liveAttendance)
    .innerJoin(users, eq(users.id, liveAttendance.userId))
    .where(
      and(
        eq(liveAttendance.liveSessionId, liveSessionId),
        options.userId === undefined ? undefined : eq(liveAttendance.userId, options.userId),
      ),
    )
    .orderBy(asc(liveAttendance.firstJoinedAt), asc(liveAttendance.userId))
    .$dynamic();
  if (options.limit !== undefined) {
    query.limit(options.limit);
  }
  if (options.offset !== undefined) {
    query.offset(options.offset);
  }
  const rows = await query;
  if (rows.length === 0) {
    return [];
  }

  const adjustedBy = aliasedTable(users, 'adjusted_by');
  const adjustments = await db
    .select({
      userId: liveAttendanceAdjustments.userId,
      adjustedById: liveAttendanceAdjustments.adjustedById,
      adjustedByName: adjustedBy.displayName,
      minutesBefore: liveAttendanceAdjustments.minutesBefore,
      minutesAfter: liveAttendanceAdjustments.minutesAfter,
      reason: liveAttendanceAdjustments.reason,
      createdAt: liveAttendanceAdjustments.createdAt,
    })
    .from(liveAttendanceAdjustments)
    .leftJoin(adjustedBy, eq(adjustedBy.id, liveAttendanceAdjustments.adjustedById))
    .where(
      and(
        eq(liveAttendanceAdjustments.liveSessionId, liveSessionId),
        inArray(
          liveAttendanceAdjustments.userId,
          rows.map((row) => row.userId),
        ),
      ),
    )
    .orderBy(asc(liveAttendanceAdjustments.id));
  return rows.map((row) => ({
    ...row,
    adjustments: adjustments
      .filter((adjustment) => adjustment.userId === row.userId)
      .map(({ userId: _userId, ...adjustment }) => adjustment),
  }));
}

/** Counts the people in a live session's attendance report. */
export async function countAttendance(db: Executor, liveSessionId: number): Promise<number> {
  const [row] = await db
    .select({ count: count() })
    .from(liveAttendance)
    .where(eq(liveAttendance.liveSessionId, liveSessionId));
  return row?.count ?? 0;
}

/**
 * Loads a live session's whole attendance report for the CSV download, or null when the viewer
 * may not see it, which includes sessions that do not exist.
 */
export async function loadAttendanceReport(
  db: Executor,
  access: ViewerAccess,
  liveSessionId: number,
): Promise<{ liveSession: LiveSessionRow; entries: AttendanceEntry[] } | null> {
  const [liveSession] = await db
    .select()
    .from(liveSessions)
    .where(eq(liveSessions.id, liveSessionId));
  if (!liveSession || !(await canManageAttendance(access, liveSession))) {
    return null;
  }
  return { liveSession, entries: await listAttendance(db, liveSessionId) };
}

function validateAdjustment(input: { minutes: number; reason: string }): string {
  const validator = new InputValidator();
  if (
    !Number.isInteger(input.minutes) ||
    input.minutes < 0 ||
    input.minutes > MAX_ADJUSTED_MINUTES
  ) {
    validator.add('minutes', `must be a whole number from 0 to ${MAX_ADJUSTED_MINUTES}`);
  }
  const reason = validator.text('reason', input.reason, {
    max: MAX_ADJUSTMENT_REASON_LENGTH,
    multiline: true,
  });
  validator.check();
  return reason;
}

/**
 * Checks whom a host may credit: someone other than themselves who was measured in the room, or
 * an active member of the community (who joined by phone, say). Throws NotFoundError, or a
 * ValidationError or ForbiddenError on `userId`.
 */
async function requireCreditablePerson(
  ctx: ServiceContext,
  liveSession: LiveSessionRow,
  userId: number,
  viewerId: number,
): Promise<void> {
  if (userId === viewerId) {
    throw new ForbiddenError(
      'You cannot adjust your own attendance; another host or facilitator of the community can.',
    );
  }
  const [person] = rowsOf(
    await ctx.db.execute(
      sql`select u.display_name,
          exists (select 1 from live_attendance a
            where a.live_session_id = ${liveSession.id} and a.user_id = u.id) as measured,
          exists (select 1 from memberships m
            where m.community_id = ${liveSession.communityId} and m.user_id = u.id
              and m.status = 'active') as member
        from users u where u.id = ${userId}`,
    ),
  ).map((row) => ({
    displayName: String(row.display_name),
    measured: Boolean(row.measured),
    member: Boolean(row.member),
  }));
  if (!person) {
    throw new NotFoundError(`User ${userId} not found.`);
  }
  if (!person.measured && !person.member) {
    throw ValidationError.of(
      'userId',
      `${person.displayName} was not in the room and is not a member of this community, so no attendance can be credited to them`,
    );
  }
}

/**
 * Returns the most minutes one can be credited for a session: its planned length, or the time it
 * actually ran when that was longer.
 */
// NOTE: within this limit a host may credit an active member who never joined the room; the
// transcript marks such minutes as adjusted.
function sessionMinutes(liveSession: LiveSessionRow): number {
  const planned = Date.parse(liveSession.endsAt) - Date.parse(liveSession.startsAt);
  const ran =
    liveSession.startedAt && liveSession.endedAt
      ? Date.parse(liveSession.endedAt) - Date.parse(liveSession.startedAt)
      : 0;
  return Math.min(MAX_ADJUSTED_MINUTES, Math.ceil(Math.max(planned, ran) / 60_000));
}

/**
 * Sets the minutes credited to one person for a live session that is live or has ended; its host
 * or the community's owners and facilitators. It may add someone who was never measured, such as
 * a person who joined by phone. The adjustment history and the audit log get a row in the same
 * transaction. ConflictError once the report is closed, or before the session started.
 */
export async function adjustAttendance(
  ctx: ServiceContext,
  input: { liveSessionId: number; userId: number; minutes: number; reason: string },
): Promise<AttendanceEntry> {
  const viewer = requireViewer(ctx);
  const reason = validateAdjustment(input);
  const liveSession = await loadManagedLiveSession(ctx, input.liveSessionId);
  if (liveSession.status !== 'live' && liveSession.status !== 'ended') {
    throw new ConflictError(
      `Live session ${liveSession.id} is ${liveSession.status}; attendance can be adjusted once it has started.`,
    );
  }
  const limit = sessionMinutes(liveSession);
  if (input.minutes > limit) {
    throw ValidationError.of(
      'minutes',
      `must be at most ${limit}, the length of the session in minutes`,
    );
  }
  await requireCreditablePerson(ctx, liveSession, input.userId, viewer.id);

  return runInTransaction(ctx, async (tx, recorder) => {
    // The share lock makes a concurrent closeAttendanceReport wait for this change, or this
    // change see the report closed.
    const [locked] = await tx
      .select({ attendanceClosedAt: liveSessions.attendanceClosedAt })
      .from(liveSessions)
      .where(eq(liveSessions.id, liveSession.id))
      .for('share');
    if (!locked || locked.attendanceClosedAt) {
      throw new ConflictError(
        `The attendance report of live session ${liveSession.id} is closed; it can no longer be adjusted.`,
      );
    }
    await tx
      .insert(liveAttendance)
      .values({
        liveSessionId: liveSession.id,
        userId: input.userId,
        // Someone never measured, such as a person who joined by phone, joined at the start.
        firstJoinedAt: liveSession.startedAt ?? liveSession.startsAt,
      })
      .onConflictDoNothing();
    const [current] = await tx
      .select()
      .from(liveAttendance)
      .where(
        and(
          eq(liveAttendance.liveSessionId, liveSession.id),
          eq(liveAttendance.userId, input.userId),
        ),
      )
      .for('update');
    if (!current) {
      throw new Error(`Attendance of user ${input.userId} in ${liveSession.id} has no row`);
    }
    const minutesBefore = creditedMinutes(current);
    await tx
      .update(liveAttendance)
      .set({ adjustedMinutes: input.minutes })
      .where(
        and(
          eq(liveAttendance.liveSessionId, liveSession.id),
          eq(liveAttendance.userId, input.userId),
        ),
      );
    await tx.insert(liveAttendanceAdjustments).values({
      liveSessionId: liveSession.id,
      userId: input.userId,
      adjustedById: viewer.id,
      minutesBefore,
      minutesAfter: input.minutes,
      reason,
    });
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'live_session.attendance_adjusted',
      communityId: liveSession.communityId,
      subjectUserId: input.userId,
      details: { liveSessionId: liveSession.id, minutesBefore, minutesAfter: input.minutes },
    });
    await applyBadgeRules(tx, recorder, {
      kind: 'attendance_changed',
      liveSessionId: liveSession.id,
      userId: input.userId,
    });
    const [entry] = await listAttendance(tx, liveSession.id, { userId: input.userId });
    if (!entry) {
      throw new Error(`Attendance of user ${input.userId} in ${liveSession.id} has no row`);
    }
    return entry;
  });
}

/**
 * Makes a live session's attendance report final, after the session ended; its host or the
 * community's owners and facilitators. A closed report cannot be reopened: ConflictError when it
 * is already closed or the session has not ended.
 */
export async function closeAttendanceReport(
  ctx: ServiceContext,
  input: { liveSessionId: number },
): Promise<LiveSessionRow> {
  const viewer = requireViewer(ctx);
  const liveSession = await loadManagedLiveSession(ctx, input.liveSessionId);
  if (liveSession.status !== 'ended') {
    throw new ConflictError(
      `Live session ${liveSession.id} is ${liveSession.status}; its attendance report can be closed once it has ended.`,
    );
  }

  return runInTransaction(ctx, async (tx) => {
    const [closed] = await tx
      .update(liveSessions)
      .set({ attendanceClosedAt: sql`now()`, attendanceClosedById: viewer.id })
      .where(and(eq(liveSessions.id, liveSession.id), isNull(liveSessions.attendanceClosedAt)))
      .returning();
    if (!closed) {
      throw new ConflictError(
        `The attendance report of live session ${liveSession.id} is already closed; a closed report cannot be reopened.`,
      );
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'live_session.attendance_closed',
      communityId: liveSession.communityId,
      details: { liveSessionId: liveSession.id },
    });
    return closed;
  });
}

/** One ended live session on a person's professional development transcript. */
export interface PdTranscriptEntry {
  liveSessionId: number;
  communityName: string;
  title: string;
  /** The day it started, in its time zone, as YYYY-MM-DD. */
  date: string;
  /** When the host started and ended it, or the planned times when those were not recorded. */
  startedAt: string;
  endedAt: string;
  timeZone: string;
  creditedMinutes: number;
  /** Minutes measured from heartbeats, whatever a host set. */
  measuredMinutes: number;
  /** Whether a host set the minutes by hand. */
  adjusted: boolean;
  /** Whether the host closed the attendance report, so that the minutes no longer change. */
  final: boolean;
}

export interface PdTranscript {
  entries: PdTranscriptEntry[];
  totalMinutes: number;
}

function localDate(instant: string, timeZone: string): string {
  // The en-CA locale writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
}

/**
 * Builds a person's professional development transcript: the ended live sessions they attended,
 * oldest first, leaving out those with 0 credited minutes. It keeps sessions of communities the
 * person can no longer read, since they did attend.
 */
export async function loadPdTranscript(db: Executor, userId: number): Promise<PdTranscript> {
  const rows = await db
    .select({
      liveSessionId: liveSessions.id,
      communityName: communities.name,
      title: liveSessions.title,
      startsAt: liveSessions.startsAt,
      endsAt: liveSessions.endsAt,
      startedAt: liveSessions.startedAt,
      endedAt: liveSessions.endedAt,
      timeZone: liveSessions.timeZone,
      attendanceClosedAt: liveSessions.attendanceClosedAt,
      secondsPresent: liveAttendance.secondsPresent,
      adjustedMinutes: liveAttendance.adjustedMinutes,
    })
    .from(liveAttendance)
    .innerJoin(liveSessions, eq(liveSessions.id, liveAttendance.liveSessionId))
    .innerJoin(communities, eq(communities.id, liveSessions.communityId))
    .where(and(eq(liveAttendance.userId, userId), eq(liveSessions.status, 'ended')))
    .orderBy(
      asc(sql`coalesce(${liveSessions.startedAt}, ${liveSessions.startsAt})`),
      asc(liveSessions.id),
    );
  const entries = rows
    .map((row) => {
      const startedAt = isoInstant(row.startedAt ?? row.startsAt);
      return {
        liveSessionId: row.liveSessionId,
        communityName: row.communityName,
        title: row.title,
        date: localDate(startedAt, row.timeZone),
        startedAt,
        endedAt: isoInstant(row.endedAt ?? row.endsAt),
        timeZone: row.timeZone,
        creditedMinutes: creditedMinutes(row),
        measuredMinutes: measuredMinutes(row.secondsPresent),
        adjusted: row.adjustedMinutes !== null,
        final: row.attendanceClosedAt !== null,
      };
    })
    .filter((entry) => entry.creditedMinutes > 0);
  return {
    entries,
    totalMinutes: entries.reduce((total, entry) => total + entry.creditedMinutes, 0),
  };
}
