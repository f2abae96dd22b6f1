/**
 * Attendance of live sessions: minutes measured from room heartbeats, host adjustments with their
 * history, closing the report, its CSV download, and each attendee's professional development
 * transcript. Elapsed time is simulated by moving `last_seen_at` back in the database.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  auditLog,
  liveAttendance,
  liveAttendanceAdjustments,
  livePresence,
  memberships,
  users,
} from '../../drizzle/tables/index.ts';
import { createLogger } from '../../server/log.ts';
import type { EventNotice } from '../../server/pubsub/event-bus.ts';
import { createAuthSession } from '../../server/services/account.ts';
import { sweepPresence } from '../../server/services/presence.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

interface Person {
  id: string;
  rowId: number;
  token: string;
  displayName: string;
}

const HEARTBEAT = `mutation($input: LiveRoomHeartbeatInput!) { liveRoomHeartbeat(input: $input) {
  __typename ... on Error { message } ... on MutationLiveRoomHeartbeatSuccess { data { presentCount } } } }`;
const LEAVE = `mutation($input: LeaveLiveRoomInput!) { leaveLiveRoom(input: $input) {
  __typename ... on Error { message } } }`;
const ADJUST = `mutation($input: AdjustAttendanceInput!) { adjustAttendance(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationAdjustAttendanceSuccess { data { creditedMinutes adjustedMinutes measuredMinutes
    person { displayName } adjustments { minutesBefore minutesAfter reason } } } } }`;
const CLOSE = `mutation($input: CloseAttendanceReportInput!) { closeAttendanceReport(input: $input) {
  __typename ... on Error { message } ... on MutationCloseAttendanceReportSuccess { data { id } } } }`;
const REPORT = `query($id: ID!) { liveSession(id: $id) { attendanceReport {
  final closedAt closedBy { displayName } entryCount csvUrl
  entries(first: 100) { nodes { person { id displayName } firstJoinedAt lastLeftAt measuredSeconds
    measuredMinutes adjustedMinutes creditedMinutes
    adjustments { adjustedBy { displayName } createdAt minutesBefore minutesAfter reason } } } } } }`;
const TRANSCRIPT = `query { viewer { pdTranscript { totalMinutes totalHours csvUrl
  entries { communityName title date startedAt endedAt timeZone creditedMinutes creditedHours
    measuredMinutes adjusted final liveSession { id } } } } }`;

/** Reads the row id inside a Relay global id. */
function rowIdOf(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
}

/** Parses RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index++;
    } else {
      cell += char;
    }
  }
  return rows;
}

describe.each(await databaseKinds())('live session attendance on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: Person;
  let communityId: string;
  let counter = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // No sweep runs during a test, so that only the heartbeats below change presence.
    server = await startTestServer({ database, env: { PRESENCE_SWEEP_INTERVAL_MS: '600000' } });
    const signedUp = await signUpUser(server, { displayName: 'Hana Host' });
    host = {
      ...signedUp,
      rowId: rowIdOf(signedUp.id),
      displayName: 'Hana Host',
    };
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Attendance Circle', focus: 'STEM', visibility: 'PRIVATE' },
        'id',
        host.token,
      )
    ).id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  /** Creates a person straight in the database, since sign-ups are rate limited per address. */
  async function member(displayName: string, inCommunity = communityId): Promise<Person> {
    counter += 1;
    const [user] = await server.database.db
      .insert(users)
      .values({ email: `attendance${counter}@example.org`, displayName })
      .returning();
    if (!user) {
      throw new Error('Inserting a user returned no row');
    }
    await server.database.db.insert(memberships).values({
      communityId: rowIdOf(inCommunity),
      userId: user.id,
      role: 'member',
      status: 'active',
    });
    const { token } = await createAuthSession(server.database.db, user, 'bearer');
    return { id: encodeGlobalID('User', user.id), rowId: user.id, token, displayName };
  }

  async function schedule(title: string, token = host.token, inCommunity = communityId) {
    const session = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId: inCommunity,
        title,
        startsAt: new Date(Date.now() + 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_660_000).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id',
      token,
    );
    return session.id as string;
  }

  const changeStatus = (action: 'start' | 'end', liveSessionId: string, token = host.token) =>
    mutate(
      server,
      `${action}LiveSession`,
      'LiveSessionIdInput',
      { liveSessionId },
      'status',
      token,
    );

  const heartbeat = async (person: Person, liveSessionId: string, visible = true) =>
    (
      await server.graphql(
        HEARTBEAT,
        { input: { liveSessionId, visible } },
        { token: person.token },
      )
    ).body.data.liveRoomHeartbeat;

  /**
   * Moves a person's last heartbeat back, as if that many seconds had passed since it. The
   * session's start moves back too, since time before the start never counts.
   */
  async function elapse(person: Person, liveSessionId: string, seconds: number): Promise<void> {
    const interval = sql`${`${seconds} seconds`}::interval`;
    await server.database.db.execute(
      sql`update live_presence set last_seen_at = last_seen_at - ${interval},
        joined_at = joined_at - ${interval}
        where live_session_id = ${rowIdOf(liveSessionId)} and user_id = ${person.rowId}`,
    );
    await server.database.db.execute(
      sql`update live_sessions set started_at = started_at - ${interval}
        where id = ${rowIdOf(liveSessionId)}`,
    );
  }

  async function attendanceRow(person: Person, liveSessionId: string) {
    const [row] = await server.database.db
      .select()
      .from(liveAttendance)
      .where(
        and(
          eq(liveAttendance.liveSessionId, rowIdOf(liveSessionId)),
          eq(liveAttendance.userId, person.rowId),
        ),
      );
    return row ?? null;
  }

  const report = async (liveSessionId: string, token = host.token): Promise<Json> =>
    (await server.graphql(REPORT, { id: liveSessionId }, { token })).body;

  const adjust = async (input: Record<string, unknown>, token = host.token): Promise<Json> =>
    (await server.graphql(ADJUST, { input }, { token })).body.data.adjustAttendance;

  const close = async (liveSessionId: string, token = host.token): Promise<Json> =>
    (await server.graphql(CLOSE, { input: { liveSessionId } }, { token })).body.data
      .closeAttendanceReport;

  describe('measured minutes', () => {
    test('counts visible time between heartbeats', async () => {
      const visible = await member('Vera Visible');
      const hidden = await member('Hugo Hidden');
      const liveSessionId = await schedule('Visible time');
      await changeStatus('start', liveSessionId);

      await heartbeat(visible, liveSessionId, true);
      await heartbeat(hidden, liveSessionId, false);
      await elapse(visible, liveSessionId, 30);
      await elapse(hidden, liveSessionId, 30);
      const visibleSecond = await heartbeat(visible, liveSessionId, false);
      await heartbeat(hidden, liveSessionId, true);
      await elapse(visible, liveSessionId, 30);
      await elapse(hidden, liveSessionId, 30);
      await heartbeat(visible, liveSessionId, true);
      await heartbeat(hidden, liveSessionId, true);
      const visibleRow = await attendanceRow(visible, liveSessionId);
      const hiddenRow = await attendanceRow(hidden, liveSessionId);

      expect(visibleSecond).toEqual({
        __typename: 'MutationLiveRoomHeartbeatSuccess',
        data: { presentCount: 2 },
      });
      // The 30 s after a visible heartbeat count, and the 30 s after a hidden one do not.
      expect(visibleRow?.secondsPresent).toBeGreaterThanOrEqual(30);
      expect(visibleRow?.secondsPresent).toBeLessThanOrEqual(31);
      expect(hiddenRow?.secondsPresent).toBeGreaterThanOrEqual(30);
      expect(hiddenRow?.secondsPresent).toBeLessThanOrEqual(31);
      expect(visibleRow?.lastLeftAt).toBeNull();
    });

    test('caps the gap between two heartbeats', async () => {
      const sleeper = await member('Sam Sleeper');
      const steady = await member('Stella Steady');
      const liveSessionId = await schedule('Sleeping laptop');
      await changeStatus('start', liveSessionId);

      await heartbeat(sleeper, liveSessionId);
      await heartbeat(steady, liveSessionId);
      await elapse(sleeper, liveSessionId, 55);
      await elapse(steady, liveSessionId, 20);
      await heartbeat(sleeper, liveSessionId);
      await heartbeat(steady, liveSessionId);

      expect((await attendanceRow(sleeper, liveSessionId))?.secondsPresent).toBe(40);
      expect((await attendanceRow(steady, liveSessionId))?.secondsPresent).toBeGreaterThanOrEqual(
        20,
      );
      expect((await attendanceRow(steady, liveSessionId))?.secondsPresent).toBeLessThanOrEqual(21);
    });

    test('counts no time while scheduled or after the end', async () => {
      const early = await member('Ella Early');
      const late = await member('Leo Late');
      const liveSessionId = await schedule('Before and after');

      await heartbeat(early, liveSessionId);
      await heartbeat(late, liveSessionId);
      await elapse(early, liveSessionId, 30);
      await elapse(late, liveSessionId, 30);
      await heartbeat(early, liveSessionId);
      const whileScheduled = await attendanceRow(early, liveSessionId);
      await changeStatus('start', liveSessionId);
      await heartbeat(late, liveSessionId);
      await elapse(late, liveSessionId, 30);
      await heartbeat(late, liveSessionId);
      const beforeEnd = (await attendanceRow(late, liveSessionId))?.secondsPresent ?? 0;
      await changeStatus('end', liveSessionId);
      await elapse(late, liveSessionId, 30);
      const afterEnd = await heartbeat(late, liveSessionId);
      const left = (
        await server.graphql(LEAVE, { input: { liveSessionId } }, { token: late.token })
      ).body.data.leaveLiveRoom;
      const lateRow = await attendanceRow(late, liveSessionId);

      expect(whileScheduled).toBeNull();
      // The 30 s before the start, counted from the session's start, earn nothing.
      expect(beforeEnd).toBeGreaterThanOrEqual(30);
      expect(beforeEnd).toBeLessThanOrEqual(31);
      expect(afterEnd.__typename).toBe('ConflictError');
      expect(left.__typename).toBe('MutationLeaveLiveRoomSuccess');
      expect(lateRow?.secondsPresent).toBe(beforeEnd);
      expect(lateRow?.lastLeftAt).not.toBeNull();
    });

    test('records leaving and closes the room at the end', async () => {
      const leaver = await member('Lena Leaver');
      const stayer = await member('Stan Stayer');
      const liveSessionId = await schedule('Leaving');
      await changeStatus('start', liveSessionId);
      await heartbeat(leaver, liveSessionId);
      await heartbeat(stayer, liveSessionId);

      await server.graphql(LEAVE, { input: { liveSessionId } }, { token: leaver.token });
      const afterLeave = await report(liveSessionId);
      await changeStatus('end', liveSessionId);
      const ended = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { presentCount presentParticipants { nodes { id } } } }',
        { id: liveSessionId },
        { token: stayer.token },
      );
      const signals: EventNotice[] = [];
      const removed = await sweepPresence({
        db: server.database.db,
        log: createLogger('silent'),
        publish: (notices) => signals.push(...notices),
        timeoutMs: 60_000,
      });
      const presence = await server.database.db
        .select()
        .from(livePresence)
        .where(eq(livePresence.liveSessionId, rowIdOf(liveSessionId)));

      const entries = afterLeave.data.liveSession.attendanceReport.entries.nodes;
      expect(
        entries.find((entry: Json) => entry.person.id === leaver.id).lastLeftAt,
      ).not.toBeNull();
      expect(entries.find((entry: Json) => entry.person.id === stayer.id).lastLeftAt).toBeNull();
      expect(ended.body.data.liveSession).toEqual({
        presentCount: 0,
        presentParticipants: { nodes: [] },
      });
      // Rooms of sessions that ended in earlier tests close in the same sweep.
      expect(removed).toBeGreaterThanOrEqual(1);
      const topic = `live-room:${rowIdOf(liveSessionId)}`;
      expect(
        signals.filter((notice) => notice.topic === topic).map((notice) => notice.signal?.payload),
      ).toEqual([{ displayName: 'Stan Stayer', present: false, presentCount: 0 }]);
      expect(presence).toEqual([]);
      expect((await attendanceRow(stayer, liveSessionId))?.lastLeftAt).not.toBeNull();
    });
  });

  describe('host tools', () => {
    test('adjusts attendance with history and closes the report', async () => {
      const attendee = await member('Ada Attendee');
      const caller = await member('Phil Phone');
      const liveSessionId = await schedule('Adjusted');
      await changeStatus('start', liveSessionId);
      await heartbeat(attendee, liveSessionId);
      await heartbeat(caller, liveSessionId, false);
      for (let step = 0; step < 3; step++) {
        await elapse(attendee, liveSessionId, 40);
        await heartbeat(attendee, liveSessionId);
      }

      const first = await adjust({
        liveSessionId,
        userId: attendee.id,
        minutes: 45,
        reason: 'stayed after the recording stopped',
      });
      const second = await adjust({
        liveSessionId,
        userId: attendee.id,
        minutes: 50,
        reason: 'corrected',
      });
      const phone = await member('Paula Phone-In');
      const added = await adjust({
        liveSessionId,
        userId: phone.id,
        minutes: 30,
        reason: 'joined by phone',
      });
      const earlyClose = await close(liveSessionId);
      await changeStatus('end', liveSessionId);
      const closed = await close(liveSessionId);
      const afterClose = await adjust({
        liveSessionId,
        userId: attendee.id,
        minutes: 10,
        reason: 'too late',
      });
      const closedAgain = await close(liveSessionId);
      const body = await report(liveSessionId);
      const audit = await server.database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.subjectUserId, attendee.rowId));

      expect(first.data).toMatchObject({
        measuredMinutes: 2,
        adjustedMinutes: 45,
        creditedMinutes: 45,
        adjustments: [{ minutesBefore: 2, minutesAfter: 45 }],
      });
      expect(second.data.adjustments).toEqual([
        { minutesBefore: 2, minutesAfter: 45, reason: 'stayed after the recording stopped' },
        { minutesBefore: 45, minutesAfter: 50, reason: 'corrected' },
      ]);
      expect(added.data).toMatchObject({
        person: { displayName: 'Paula Phone-In' },
        measuredMinutes: 0,
        creditedMinutes: 30,
      });
      expect(earlyClose.__typename).toBe('ConflictError');
      expect(closed.__typename).toBe('MutationCloseAttendanceReportSuccess');
      expect(afterClose.__typename).toBe('ConflictError');
      expect(closedAgain.__typename).toBe('ConflictError');
      const attendanceReport = body.data.liveSession.attendanceReport;
      expect(attendanceReport).toMatchObject({
        final: true,
        closedBy: { displayName: 'Hana Host' },
        entryCount: 3,
      });
      const byName = new Map<string, Json>(
        attendanceReport.entries.nodes.map((entry: Json) => [entry.person.displayName, entry]),
      );
      expect(byName.get('Ada Attendee')).toMatchObject({
        measuredSeconds: 120,
        measuredMinutes: 2,
        adjustedMinutes: 50,
        creditedMinutes: 50,
      });
      expect(byName.get('Ada Attendee').adjustments[1]).toMatchObject({
        adjustedBy: { displayName: 'Hana Host' },
        minutesBefore: 45,
        minutesAfter: 50,
        reason: 'corrected',
      });
      expect(byName.get('Phil Phone')).toMatchObject({ measuredMinutes: 0, creditedMinutes: 0 });
      expect(byName.get('Paula Phone-In')).toMatchObject({
        adjustedMinutes: 30,
        creditedMinutes: 30,
        lastLeftAt: null,
      });
      expect(audit.map((entry) => entry.action)).toEqual([
        'live_session.attendance_adjusted',
        'live_session.attendance_adjusted',
      ]);
    });

    test('hides the report from members who do not host', async () => {
      const attendee = await member('Otto Other');
      const bystander = await member('Bea Bystander');
      const liveSessionId = await schedule('Not yours');
      await changeStatus('start', liveSessionId);
      await heartbeat(attendee, liveSessionId);
      await heartbeat(bystander, liveSessionId);

      const seen = await report(liveSessionId, bystander.token);
      const adjusted = await adjust(
        { liveSessionId, userId: bystander.id, minutes: 600, reason: 'generous' },
        bystander.token,
      );
      await changeStatus('end', liveSessionId);
      const closed = await close(liveSessionId, bystander.token);
      const forHost = await report(liveSessionId);

      expect(seen.data.liveSession.attendanceReport).toBeNull();
      expect(adjusted.__typename).toBe('ForbiddenError');
      expect(closed.__typename).toBe('ForbiddenError');
      expect(forHost.data.liveSession.attendanceReport.final).toBe(false);
      expect((await attendanceRow(bystander, liveSessionId))?.adjustedMinutes).toBeNull();
    });

    test('lets a facilitator manage a session another member hosts', async () => {
      const memberHost = await member('Mia Memberhost');
      const facilitator = await member('Finn Facilitator');
      await server.database.db
        .update(memberships)
        .set({ role: 'facilitator' })
        .where(eq(memberships.userId, facilitator.rowId));
      const liveSessionId = await schedule('Member hosted', memberHost.token);
      await changeStatus('start', liveSessionId, memberHost.token);
      await heartbeat(memberHost, liveSessionId);
      await heartbeat(facilitator, liveSessionId);

      const adjusted = await adjust(
        { liveSessionId, userId: memberHost.id, minutes: 60, reason: 'hosted the whole hour' },
        facilitator.token,
      );
      const forHost = await report(liveSessionId, memberHost.token);

      expect(adjusted.__typename).toBe('MutationAdjustAttendanceSuccess');
      expect(forHost.data.liveSession.attendanceReport.entryCount).toBe(2);
    });

    test('downloads the report as CSV for its managers only', async () => {
      const tricky = await member('=HYPERLINK("http://evil.example")');
      const plain = await member('Carla, "CSV" Tester');
      const outsider = await member('Olga Outsider');
      const liveSessionId = await schedule('CSV export');
      await changeStatus('start', liveSessionId);
      await heartbeat(tricky, liveSessionId);
      await heartbeat(plain, liveSessionId);
      await elapse(plain, liveSessionId, 40);
      await heartbeat(plain, liveSessionId);
      await adjust({
        liveSessionId,
        userId: plain.id,
        minutes: 5,
        reason: '+ joined late, "by phone"\nsecond line',
      });
      const path = `/live-sessions/${encodeURIComponent(liveSessionId)}/attendance.csv`;

      const forHost = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${host.token}` },
      });
      const text = await forHost.text();
      const denied = await Promise.all(
        [
          fetch(`${server.url}${path}`, {
            headers: { authorization: `Bearer ${outsider.token}` },
          }),
          fetch(`${server.url}${path}`),
          fetch(`${server.url}/live-sessions/${encodeURIComponent(host.id)}/attendance.csv`, {
            headers: { authorization: `Bearer ${host.token}` },
          }),
          fetch(
            `${server.url}/live-sessions/${encodeURIComponent(encodeGlobalID('LiveSession', 999_999))}/attendance.csv`,
            { headers: { authorization: `Bearer ${host.token}` } },
          ),
          fetch(`${server.url}/live-sessions/%E0%A4%A/attendance.csv`),
        ].map(async (response) => {
          const resolved = await response;
          return { status: resolved.status, body: await resolved.text() };
        }),
      );
      const unknownPath = await fetch(`${server.url}/no-such-page`);
      const rows = parseCsv(text);
      const urlInReport = (await report(liveSessionId)).data.liveSession.attendanceReport.csvUrl;

      expect(forHost.status).toBe(200);
      expect(forHost.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(forHost.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
      expect(rows[0]).toEqual([
        'user_id',
        'display_name',
        'first_joined_at',
        'last_left_at',
        'measured_minutes',
        'adjusted_minutes',
        'credited_minutes',
        'adjustments',
      ]);
      expect(rows).toHaveLength(3);
      const trickyRow = rows.find((row) => row[0] === tricky.id);
      const plainRow = rows.find((row) => row[0] === plain.id);
      expect(trickyRow?.[1]).toBe(`'=HYPERLINK("http://evil.example")`);
      expect(trickyRow?.[2]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(trickyRow?.[3]).toBe('');
      expect(plainRow?.slice(1, 2)).toEqual(['Carla, "CSV" Tester']);
      expect(plainRow?.slice(4, 7)).toEqual(['1', '5', '5']);
      expect(plainRow?.[7]).toMatch(
        /^\d{4}-\d{2}-\d{2}T[\d:.]+Z Hana Host: 1 to 5 minutes, \+ joined late, "by phone"\nsecond line$/,
      );
      expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
      expect(denied.map((response) => response.status)).toEqual([404, 404, 404, 404, 404]);
      expect(new Set(denied.map((response) => response.body))).toEqual(new Set(['Not found']));
      expect(unknownPath.status).toBe(404);
      expect(await unknownPath.text()).toBe('Not found');
      expect(urlInReport.endsWith(path)).toBe(true);
    });
  });

  describe('transcript', () => {
    test('lists ended sessions the viewer attended', async () => {
      const attendee = await member('Tara Transcript');
      const other = await member('Owen Otherperson');
      const attended = await schedule('Fractions workshop');
      const skipped = await schedule('Not attended');
      const zero = await schedule('Zero minutes');
      const running = await schedule('Still running');
      for (const liveSessionId of [attended, skipped, zero, running]) {
        await changeStatus('start', liveSessionId);
      }
      await heartbeat(attendee, attended);
      await heartbeat(other, attended);
      await elapse(attendee, attended, 36);
      await heartbeat(attendee, attended);
      await adjust({ liveSessionId: attended, userId: attendee.id, minutes: 50, reason: 'full' });
      await heartbeat(other, skipped);
      await heartbeat(attendee, skipped, false);
      await elapse(other, skipped, 40);
      await heartbeat(other, skipped);
      await heartbeat(attendee, zero);
      await heartbeat(other, zero);
      await heartbeat(attendee, running);
      await heartbeat(other, running);
      await elapse(attendee, running, 40);
      await heartbeat(attendee, running);
      for (const liveSessionId of [attended, skipped, zero]) {
        await changeStatus('end', liveSessionId);
      }
      await close(attended);

      const mine = (await server.graphql(TRANSCRIPT, {}, { token: attendee.token })).body.data
        .viewer.pdTranscript;
      const theirs = (await server.graphql(TRANSCRIPT, {}, { token: other.token })).body.data.viewer
        .pdTranscript;
      const csv = await fetch(`${server.url}/account/pd-transcript.csv`, {
        headers: { authorization: `Bearer ${attendee.token}` },
      });
      const rows = parseCsv(await csv.text());
      const signedOut = await fetch(`${server.url}/account/pd-transcript.csv`);
      const othersProfile = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on User { pdTranscript { totalMinutes } } } }',
        { id: attendee.id },
        { token: other.token },
      );

      expect(mine.entries).toEqual([
        {
          communityName: 'Attendance Circle',
          title: 'Fractions workshop',
          date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          startedAt: expect.any(String),
          endedAt: expect.any(String),
          timeZone: 'America/Chicago',
          creditedMinutes: 50,
          creditedHours: 0.8,
          measuredMinutes: 1,
          adjusted: true,
          final: true,
          liveSession: { id: attended },
        },
      ]);
      expect(mine.totalMinutes).toBe(50);
      expect(mine.totalHours).toBe(0.8);
      expect(Date.parse(mine.entries[0].endedAt)).toBeGreaterThan(
        Date.parse(mine.entries[0].startedAt),
      );
      expect(theirs.entries.map((entry: Json) => entry.title)).toEqual(['Not attended']);
      expect(theirs.entries[0]).toMatchObject({ creditedMinutes: 1, final: false });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-disposition')).toMatch(
        /^attachment; filename="pd-transcript-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(rows).toEqual([
        [
          'community',
          'live_session',
          'date',
          'started_at',
          'ended_at',
          'time_zone',
          'credited_minutes',
          'credited_hours',
          'measured_minutes',
          'adjusted',
          'final',
        ],
        [
          'Attendance Circle',
          'Fractions workshop',
          mine.entries[0].date,
          mine.entries[0].startedAt,
          mine.entries[0].endedAt,
          'America/Chicago',
          '50',
          '0.8',
          '1',
          'true',
          'true',
        ],
      ]);
      expect(signedOut.status).toBe(401);
      expect(othersProfile.body.data.node.pdTranscript).toBeNull();
    });
  });

  describe('bad input', () => {
    test('rejects bad adjustments and changes nothing', async () => {
      const attendee = await member('Bert Badinput');
      const witness = await member('Wanda Witness');
      const liveSessionId = await schedule('Bad input');
      await changeStatus('start', liveSessionId);
      await heartbeat(attendee, liveSessionId);
      await heartbeat(witness, liveSessionId);
      const valid = { liveSessionId, userId: attendee.id, minutes: 10, reason: 'ok' };
      const stranger = await member('Stella Stranger', await otherCommunity());

      const results = {
        negative: await adjust({ ...valid, minutes: -5 }),
        tooMany: await adjust({ ...valid, minutes: 721 }),
        emptyReason: await adjust({ ...valid, reason: '   ' }),
        longReason: await adjust({ ...valid, reason: 'x'.repeat(501) }),
        foreignUser: await adjust({ ...valid, userId: liveSessionId }),
        foreignSession: await adjust({ ...valid, liveSessionId: attendee.id }),
        missingUser: await adjust({ ...valid, userId: encodeGlobalID('User', 999_999) }),
        outsider: await adjust({ ...valid, userId: stranger.id }),
        scheduled: await adjust({ ...valid, liveSessionId: await schedule('Not started') }),
        longerThanSession: await adjust({ ...valid, minutes: 62 }),
        ownAttendance: await adjust({ ...valid, userId: host.id }),
      };
      const heartbeats = {
        foreign: await heartbeat(attendee, attendee.id),
        signedOut: (await server.graphql(HEARTBEAT, { input: { liveSessionId, visible: true } }))
          .body.data.liveRoomHeartbeat,
        outsider: await heartbeat(stranger, liveSessionId),
      };
      const adjustments = await server.database.db
        .select()
        .from(liveAttendanceAdjustments)
        .where(eq(liveAttendanceAdjustments.liveSessionId, rowIdOf(liveSessionId)));

      expect(results.negative.__typename).toBe('ValidationError');
      expect(results.negative.issues[0].path).toEqual(['minutes']);
      expect(results.tooMany.issues[0].path).toEqual(['minutes']);
      expect(results.emptyReason.issues[0]).toEqual({
        path: ['reason'],
        message: 'must not be empty',
      });
      expect(results.longReason.issues[0].path).toEqual(['reason']);
      expect(results.foreignUser.__typename).toBe('ValidationError');
      expect(results.foreignUser.issues[0].path).toEqual(['userId']);
      expect(results.foreignSession.issues[0].path).toEqual(['liveSessionId']);
      expect(results.missingUser.__typename).toBe('NotFoundError');
      expect(results.outsider.__typename).toBe('ValidationError');
      expect(results.outsider.issues[0].path).toEqual(['userId']);
      expect(results.scheduled.__typename).toBe('ConflictError');
      expect(results.longerThanSession.issues[0]).toEqual({
        path: ['minutes'],
        message: 'must be at most 60, the length of the session in minutes',
      });
      expect(results.ownAttendance.__typename).toBe('ForbiddenError');
      expect(heartbeats.foreign.__typename).toBe('ValidationError');
      expect(heartbeats.signedOut.__typename).toBe('UnauthenticatedError');
      expect(heartbeats.outsider.__typename).toBe('NotFoundError');
      expect(adjustments).toEqual([]);
      expect((await attendanceRow(attendee, liveSessionId))?.adjustedMinutes).toBeNull();
      expect(await attendanceRow(stranger, liveSessionId)).toBeNull();
    });
  });

  let second: string | undefined;
  /** Creates, once, a second private community, whose members cannot read the first one. */
  async function otherCommunity(): Promise<string> {
    second ??= (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Other Circle', focus: 'LITERACY', visibility: 'PRIVATE' },
        'id',
        host.token,
      )
    ).id;
    return second as string;
  }
});
