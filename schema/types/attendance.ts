import { encodeGlobalID, resolveOffsetConnection } from '@pothos/plugin-relay';
import {
  type AttendanceAdjustment,
  type AttendanceEntry,
  adjustAttendance,
  canManageAttendance,
  closeAttendanceReport,
  countAttendance,
  creditedMinutes,
  listAttendance,
  loadPdTranscript,
  MAX_ADJUSTED_MINUTES,
  MAX_ADJUSTMENT_REASON_LENGTH,
  measuredMinutes,
  minutesToHours,
  type PdTranscript,
  type PdTranscriptEntry,
} from '../../server/services/attendance.ts';
import type { LiveSessionRow } from '../../server/services/live-session.ts';
import {
  HEARTBEAT_INTERVAL_MS,
  isPresentSql,
  leaveLiveRoom,
  MAX_CREDITED_GAP_MS,
  presentCountSql,
  sendHeartbeat,
} from '../../server/services/presence.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';

const AttendanceAdjustmentRef = builder
  .objectRef<AttendanceAdjustment>('LiveAttendanceAdjustment')
  .implement({
    description: "A host's change to the minutes credited to one person for a live session.",
    fields: (t) => ({
      adjustedBy: t.drizzleField({
        type: 'users',
        nullable: true,
        description: 'Who made the change; null when that account was deleted.',
        resolve: (query, adjustment, _args, ctx) =>
          adjustment.adjustedById === null
            ? null
            : ctx.db.query.users.findFirst(query({ where: { id: adjustment.adjustedById } })),
      }),
      createdAt: t.field({
        type: 'DateTime',
        description: 'When the change was made.',
        resolve: (adjustment) => adjustment.createdAt,
      }),
      minutesBefore: t.exposeInt('minutesBefore', {
        description: 'The credited minutes before the change.',
      }),
      minutesAfter: t.exposeInt('minutesAfter', {
        description: 'The credited minutes the change set.',
      }),
      reason: t.exposeString('reason', { description: 'Why, as the host wrote it.' }),
    }),
  });

const AttendanceEntryRef = builder.objectRef<AttendanceEntry>('LiveAttendanceEntry').implement({
  description:
    "One person's attendance of a live session: the time measured from the heartbeats of their open, visible room while the session was live, and any host adjustment.",
  fields: (t) => ({
    person: t.drizzleField({
      type: 'users',
      description: 'Who attended.',
      resolve: async (query, entry, _args, ctx) => {
        const person = await ctx.db.query.users.findFirst(query({ where: { id: entry.userId } }));
        if (!person) {
          throw new Error(`User ${entry.userId} of an attendance entry no longer exists`);
        }
        return person;
      },
    }),
    firstJoinedAt: t.field({
      type: 'DateTime',
      description:
        'When they were first in the room while the session was live; for someone a host added by hand, when the session started.',
      resolve: (entry) => entry.firstJoinedAt,
    }),
    lastLeftAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When they last left the room or timed out; null while they are in it, or when they were never measured.',
      resolve: (entry) => entry.lastLeftAt,
    }),
    measuredSeconds: t.exposeInt('secondsPresent', {
      description: `Seconds measured: each heartbeat adds the time since the previous one, at most ${MAX_CREDITED_GAP_MS / 1000}, when the previous one reported the room visible.`,
    }),
    measuredMinutes: t.int({
      description: 'measuredSeconds in whole minutes, rounded to the nearest minute.',
      resolve: (entry) => measuredMinutes(entry.secondsPresent),
    }),
    adjustedMinutes: t.exposeInt('adjustedMinutes', {
      nullable: true,
      description: 'Minutes a host set with adjustAttendance; null when they were never adjusted.',
    }),
    creditedMinutes: t.int({
      description: 'The minutes that count: adjustedMinutes when set, else measuredMinutes.',
      resolve: (entry) => creditedMinutes(entry),
    }),
    adjustments: t.field({
      type: [AttendanceAdjustmentRef],
      description: 'Every change a host made to these minutes, oldest first.',
      resolve: (entry) => entry.adjustments,
    }),
  }),
});

const AttendanceReportRef = builder
  .objectRef<{ liveSession: LiveSessionRow }>('LiveAttendanceReport')
  .implement({
    description:
      "A live session's attendance, for its host and the community's owners and facilitators.",
    fields: (t) => ({
      final: t.boolean({
        description:
          'Whether a host closed the report with closeAttendanceReport; a closed report takes no more adjustments.',
        resolve: (report) => report.liveSession.attendanceClosedAt !== null,
      }),
      closedAt: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'When the report was closed; null while it is open.',
        resolve: (report) => report.liveSession.attendanceClosedAt,
      }),
      closedBy: t.drizzleField({
        type: 'users',
        nullable: true,
        description:
          'Who closed the report; null while it is open or when that account was deleted.',
        resolve: (query, report, _args, ctx) =>
          report.liveSession.attendanceClosedById === null
            ? null
            : ctx.db.query.users.findFirst(
                query({ where: { id: report.liveSession.attendanceClosedById } }),
              ),
      }),
      entryCount: t.int({
        description: 'How many people the report lists.',
        resolve: (report, _args, ctx) => countAttendance(ctx.db, report.liveSession.id),
      }),
      csvUrl: t.string({
        description:
          'Address of the report as a CSV download, with a header row; it answers only the same people, as whoever the request signs in as.',
        resolve: (report, _args, ctx) =>
          `${ctx.publicUrl}/live-sessions/${encodeURIComponent(encodeGlobalID('LiveSession', report.liveSession.id))}/attendance.csv`,
      }),
      entries: t.connection({
        type: AttendanceEntryRef,
        description: 'One entry per person measured or added by a host, by when they first joined.',
        resolve: (report, args, ctx) =>
          resolveOffsetConnection({ args }, ({ limit, offset }) =>
            listAttendance(ctx.db, report.liveSession.id, { limit, offset }),
          ),
      }),
    }),
  });

const PdTranscriptEntryRef = builder.objectRef<PdTranscriptEntry>('PdTranscriptEntry').implement({
  description: 'An ended live session on a professional development transcript.',
  fields: (t) => ({
    liveSession: t.drizzleField({
      type: 'liveSessions',
      nullable: true,
      description: 'The live session; null when the viewer can no longer read its community.',
      resolve: async (query, entry, _args, ctx) =>
        (await ctx.access.canReadParent('liveSession', entry.liveSessionId))
          ? ctx.db.query.liveSessions.findFirst(query({ where: { id: entry.liveSessionId } }))
          : null,
    }),
    communityName: t.exposeString('communityName', {
      description: 'The name of its community.',
    }),
    title: t.exposeString('title', { description: 'The title of the live session.' }),
    date: t.exposeString('date', {
      description: 'The day it started in its time zone, as YYYY-MM-DD.',
    }),
    startedAt: t.field({
      type: 'DateTime',
      description: 'When the host started it, or its planned start when that was not recorded.',
      resolve: (entry) => entry.startedAt,
    }),
    endedAt: t.field({
      type: 'DateTime',
      description: 'When the host ended it, or its planned end when that was not recorded.',
      resolve: (entry) => entry.endedAt,
    }),
    timeZone: t.exposeString('timeZone', {
      description: "The host's IANA time zone, such as America/Chicago.",
    }),
    creditedMinutes: t.exposeInt('creditedMinutes', {
      description: 'The minutes credited: adjusted by a host when set, else measured.',
    }),
    creditedHours: t.float({
      description: 'creditedMinutes in hours, rounded to one decimal.',
      resolve: (entry) => minutesToHours(entry.creditedMinutes),
    }),
    measuredMinutes: t.exposeInt('measuredMinutes', {
      description: 'The minutes measured from heartbeats in the room, whatever a host set.',
    }),
    adjusted: t.exposeBoolean('adjusted', {
      description: 'Whether a host set the credited minutes by hand; the report shows who and why.',
    }),
    final: t.exposeBoolean('final', {
      description:
        'Whether the host closed the attendance report, so that the minutes no longer change.',
    }),
  }),
});

const PdTranscriptRef = builder.objectRef<PdTranscript>('PdTranscript').implement({
  description:
    "The viewer's professional development transcript: the ended live sessions they attended with more than 0 credited minutes.",
  fields: (t) => ({
    entries: t.field({
      type: [PdTranscriptEntryRef],
      description: 'One entry per session, oldest first.',
      resolve: (transcript) => transcript.entries,
    }),
    totalMinutes: t.exposeInt('totalMinutes', {
      description: 'The credited minutes of all entries.',
    }),
    totalHours: t.float({
      description: 'totalMinutes in hours, rounded to one decimal.',
      resolve: (transcript) => minutesToHours(transcript.totalMinutes),
    }),
    csvUrl: t.string({
      description:
        'Address of the transcript as a CSV download; it answers the signed-in viewer only.',
      resolve: (_transcript, _args, ctx) => `${ctx.publicUrl}/account/pd-transcript.csv`,
    }),
  }),
});

builder.drizzleObjectFields('liveSessions', (t) => ({
  presentCount: t.int({
    description: `How many people are in its room now: those whose last heartbeat is within the presence timeout (PRESENCE_TIMEOUT_MS). 0 once it has ended or been cancelled.`,
    select: (_args, ctx) => ({
      extras: { presentCount: (table) => presentCountSql(table, ctx.presenceTimeoutMs) },
    }),
    resolve: (liveSession) => liveSession.presentCount,
  }),
  presentParticipants: t.drizzleConnection({
    type: 'users',
    description:
      'The people in its room now, as presentCount counts them, by display name. Empty once it has ended or been cancelled.',
    resolve: (query, liveSession, _args, ctx) =>
      ctx.db.query.users.findMany(
        query({
          where: {
            RAW: (table) => isPresentSql(liveSession, table.id, ctx.presenceTimeoutMs),
          },
          orderBy: { displayName: 'asc', id: 'asc' },
        }),
      ),
  }),
  attendanceReport: t.field({
    type: AttendanceReportRef,
    nullable: true,
    description:
      "Who attended and for how long; null for anyone but its host and the community's owners and facilitators.",
    resolve: async (liveSession, _args, ctx) =>
      (await canManageAttendance(ctx.access, liveSession)) ? { liveSession } : null,
  }),
}));

builder.drizzleObjectFields('users', (t) => ({
  pdTranscript: t.field({
    type: PdTranscriptRef,
    nullable: true,
    description:
      'Professional development transcript of the live sessions this person attended; null for anyone but the person themself.',
    authScopes: (user) => ({ isViewer: user.id }),
    unauthorizedResolver: () => null,
    resolve: (user, _args, ctx) => loadPdTranscript(ctx.db, user.id),
  }),
}));

builder.mutationFields((t) => ({
  liveRoomHeartbeat: t.drizzleField({
    type: 'liveSessions',
    description: `Tells that the viewer is in a live session's room, which must be scheduled or live: send one every ${HEARTBEAT_INTERVAL_MS / 1000} seconds, and at once when the room is shown or hidden. The first one sends a PRESENCE signal on liveRoomSignals; while the session is live each adds to the viewer's attendance.`,
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('LiveRoomHeartbeatInput', {
          description: "A heartbeat of the viewer's open room.",
          fields: (f) => ({
            liveSessionId: f.id({ required: true, description: 'The live session.' }),
            visible: f.boolean({
              required: true,
              description:
                'Whether the room is on screen now, such as a browser tab that is not hidden; the time until the next heartbeat counts toward attendance only when true.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      sendHeartbeat(ctx, {
        liveSessionId: parseGlobalId(String(input.liveSessionId), 'LiveSession', 'liveSessionId'),
        visible: input.visible,
      }),
  }),
  leaveLiveRoom: t.drizzleField({
    type: 'liveSessions',
    description:
      "Takes the viewer out of a live session's room; others get a PRESENCE signal when the viewer was in it. Without it, the viewer leaves when their heartbeats stop for the presence timeout.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('LeaveLiveRoomInput', {
          description: 'The room to leave.',
          fields: (f) => ({
            liveSessionId: f.id({ required: true, description: 'The live session.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      leaveLiveRoom(ctx, {
        liveSessionId: parseGlobalId(String(input.liveSessionId), 'LiveSession', 'liveSessionId'),
      }),
  }),
  adjustAttendance: t.field({
    type: AttendanceEntryRef,
    description:
      "Sets the minutes credited to one person for a live session that is live or has ended, with a reason kept in the report's history; its host or the community's owners and facilitators. It may add someone who was never measured, such as a person who joined by phone. A ConflictError once the report is closed.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AdjustAttendanceInput', {
          description: 'The credited minutes of one person, and why.',
          fields: (f) => ({
            liveSessionId: f.id({ required: true, description: 'The live session.' }),
            userId: f.id({
              required: true,
              description: 'The person, who must be able to read the session.',
            }),
            minutes: f.int({
              required: true,
              description: `The minutes to credit, 0 to ${MAX_ADJUSTED_MINUTES}; they replace the measured minutes.`,
            }),
            reason: f.string({
              required: true,
              description: `Why, 1 to ${MAX_ADJUSTMENT_REASON_LENGTH} characters, such as "joined by phone".`,
            }),
          }),
        }),
      }),
    },
    resolve: (_parent, { input }, ctx) =>
      adjustAttendance(ctx, {
        liveSessionId: parseGlobalId(String(input.liveSessionId), 'LiveSession', 'liveSessionId'),
        userId: parseGlobalId(String(input.userId), 'User', 'userId'),
        minutes: input.minutes,
        reason: input.reason,
      }),
  }),
  closeAttendanceReport: t.drizzleField({
    type: 'liveSessions',
    description:
      "Makes a live session's attendance report final once the session has ended; its host or the community's owners and facilitators. A closed report cannot be reopened or adjusted.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CloseAttendanceReportInput', {
          description: 'The live session whose report to close.',
          fields: (f) => ({
            liveSessionId: f.id({ required: true, description: 'The live session.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      closeAttendanceReport(ctx, {
        liveSessionId: parseGlobalId(String(input.liveSessionId), 'LiveSession', 'liveSessionId'),
      }),
  }),
}));
