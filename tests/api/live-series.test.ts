/**
 * Recurring live sessions. Occurrences keep their local wall-clock time across daylight-saving
 * changes, with RFC 5545's rule for skipped and repeated hours. Each occurrence is a live session
 * of its own, invalid input writes nothing, and only the host or a facilitator manages a series.
 * The dates are in 2099, where the time-zone rules of today are projected forward.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import { liveSessions } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const SERIES_FIELDS = `id title summary timeZone frequency interval monthlyKind startTime until count
  cancelledAt viewerCanManage host { displayName } community { name }
  occurrences(first: 60) { nodes { id startsAt endsAt occurrenceIndex status detachedFromSeries series { id } } }`;
const SCHEDULE = `mutation($input: ScheduleLiveSeriesInput!) { scheduleLiveSeries(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationScheduleLiveSeriesSuccess { data { ${SERIES_FIELDS} } } } }`;
const SERIES = `query($id: ID!) { node(id: $id) { ... on LiveSeries { ${SERIES_FIELDS} } } }`;
const OCCURRENCES = `query($id: ID!) { node(id: $id) { ... on LiveSeries {
  occurrences(first: 60) { nodes { id title startsAt status detachedFromSeries rsvpCount viewerRsvp } } } } }`;

const HOUR = 3_600_000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

interface Person {
  id: string;
  token: string;
}

describe.each(await databaseKinds())('live series on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: Person;
  let member: Person;
  let otherMember: Person;
  let stranger: Person;
  let communityId: string;
  let privateCommunityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    host = await signUpUser(server, { displayName: 'Hana Host' });
    member = await signUpUser(server, { displayName: 'Milo Member' });
    otherMember = await signUpUser(server, { displayName: 'Olga Other' });
    stranger = await signUpUser(server, { displayName: 'Stan Stranger' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Weekly Office Hours', focus: 'LEADERSHIP', visibility: 'PUBLIC' },
        'id',
        host.token,
      )
    ).id;
    privateCommunityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Closed Office Hours', focus: 'STEM', visibility: 'PRIVATE', listed: false },
        'id',
        host.token,
      )
    ).id;
    for (const person of [member, otherMember]) {
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        person.token,
      );
    }
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const scheduleRaw = (fields: Record<string, unknown>, token = host.token) =>
    server.graphql(
      SCHEDULE,
      {
        input: {
          communityId,
          title: 'Office hours',
          timeZone: 'America/New_York',
          frequency: 'WEEKLY',
          interval: 1,
          joinUrl: 'https://meet.example.org/office-hours',
          ...fields,
        },
      },
      { token },
    );

  async function schedule(fields: Record<string, unknown>, token = host.token): Promise<Json> {
    const result = await scheduleRaw(fields, token);
    const payload = result.body.data?.scheduleLiveSeries;
    if (payload?.__typename !== 'MutationScheduleLiveSeriesSuccess') {
      throw new Error(`scheduleLiveSeries returned ${JSON.stringify(result.body)}`);
    }
    return payload.data;
  }

  const startsOf = (series: Json): string[] =>
    series.occurrences.nodes.map((occurrence: Json) => occurrence.startsAt);

  /** Returns the fields of a weekly series from next week, for tests that need no fixed date. */
  function soonFields(count: number): Record<string, unknown> {
    const startsAt = new Date(Date.now() + 7 * 24 * HOUR);
    startsAt.setUTCMinutes(0, 0, 0);
    return {
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + HOUR).toISOString(),
      timeZone: 'UTC',
      count,
    };
  }

  async function countRows(): Promise<{ series: number; sessions: number }> {
    const [row] = rowsOf(
      await server.database.db.execute(
        sql`select (select count(*)::int from live_series) as series, (select count(*)::int from live_sessions) as sessions`,
      ),
    );
    return { series: Number(row?.series), sessions: Number(row?.sessions) };
  }

  const rowId = (globalId: string) => Number(decodeGlobalID(globalId).id);

  describe('daylight-saving changes', () => {
    test('keeps 16:00 New York across the March change', async () => {
      const series = await schedule({
        startsAt: '2099-03-03T16:00:00-05:00',
        endsAt: '2099-03-03T17:00:00-05:00',
        count: 4,
      });

      expect(startsOf(series)).toEqual([
        '2099-03-03T21:00:00.000Z',
        '2099-03-10T20:00:00.000Z',
        '2099-03-17T20:00:00.000Z',
        '2099-03-24T20:00:00.000Z',
      ]);
      expect(series.occurrences.nodes.map((occurrence: Json) => occurrence.endsAt)).toEqual([
        '2099-03-03T22:00:00.000Z',
        '2099-03-10T21:00:00.000Z',
        '2099-03-17T21:00:00.000Z',
        '2099-03-24T21:00:00.000Z',
      ]);
      expect(series.summary).toBe('Every week on Tuesday at 16:00 (America/New_York), 4 times');
      expect(series.startTime).toBe('16:00');
      expect(
        series.occurrences.nodes.map((occurrence: Json) => occurrence.occurrenceIndex),
      ).toEqual([0, 1, 2, 3]);
      expect(
        series.occurrences.nodes.every((occurrence: Json) => occurrence.series.id === series.id),
      ).toBe(true);
    });

    test('keeps 16:00 New York across the November change', async () => {
      const series = await schedule({
        startsAt: '2099-10-27T16:00:00-04:00',
        endsAt: '2099-10-27T17:00:00-04:00',
        until: '2099-11-10',
      });

      expect(startsOf(series)).toEqual([
        '2099-10-27T20:00:00.000Z',
        '2099-11-03T21:00:00.000Z',
        '2099-11-10T21:00:00.000Z',
      ]);
      expect(series.summary).toBe(
        'Every week on Tuesday at 16:00 (America/New_York), until November 10, 2099',
      );
      expect(series.until).toBe('2099-11-10');
      expect(series.count).toBeNull();
    });

    test('repeats every two weeks', async () => {
      const series = await schedule({
        startsAt: '2099-03-03T16:00:00-05:00',
        endsAt: '2099-03-03T17:00:00-05:00',
        interval: 2,
        count: 3,
      });

      expect(startsOf(series)).toEqual([
        '2099-03-03T21:00:00.000Z',
        '2099-03-17T20:00:00.000Z',
        '2099-03-31T20:00:00.000Z',
      ]);
      expect(series.summary).toBe('Every 2 weeks on Tuesday at 16:00 (America/New_York), 3 times');
    });

    test('finds the last Friday of each month', async () => {
      const series = await schedule({
        startsAt: '2099-01-30T15:30:00-05:00',
        endsAt: '2099-01-30T16:30:00-05:00',
        frequency: 'MONTHLY',
        monthlyKind: 'LAST_WEEKDAY',
        count: 4,
      });

      expect(startsOf(series)).toEqual([
        '2099-01-30T20:30:00.000Z',
        '2099-02-27T20:30:00.000Z',
        '2099-03-27T19:30:00.000Z',
        '2099-04-24T19:30:00.000Z',
      ]);
      expect(series.summary).toBe(
        'Every month on the last Friday at 15:30 (America/New_York), 4 times',
      );
      expect(series.monthlyKind).toBe('LAST_WEEKDAY');
    });

    test('finds the second Tuesday of each month', async () => {
      const series = await schedule({
        startsAt: '2099-03-10T16:00:00-04:00',
        endsAt: '2099-03-10T17:00:00-04:00',
        frequency: 'MONTHLY',
        monthlyKind: 'NTH_WEEKDAY',
        count: 3,
      });

      expect(startsOf(series)).toEqual([
        '2099-03-10T20:00:00.000Z',
        '2099-04-14T20:00:00.000Z',
        '2099-05-12T20:00:00.000Z',
      ]);
      expect(series.summary).toBe(
        'Every month on the second Tuesday at 16:00 (America/New_York), 3 times',
      );
    });

    test('skips months without the 31st', async () => {
      const series = await schedule({
        startsAt: '2099-01-31T10:00:00-05:00',
        endsAt: '2099-01-31T11:00:00-05:00',
        frequency: 'MONTHLY',
        monthlyKind: 'DAY_OF_MONTH',
        count: 3,
      });

      expect(startsOf(series)).toEqual([
        '2099-01-31T15:00:00.000Z',
        '2099-03-31T14:00:00.000Z',
        '2099-05-31T14:00:00.000Z',
      ]);
      expect(series.summary).toBe('Every month on the 31st at 10:00 (America/New_York), 3 times');
    });

    test('keeps 09:00 Berlin across its March change', async () => {
      const series = await schedule({
        startsAt: '2099-03-23T09:00:00+01:00',
        endsAt: '2099-03-23T10:00:00+01:00',
        timeZone: 'Europe/Berlin',
        count: 2,
      });

      expect(startsOf(series)).toEqual(['2099-03-23T08:00:00.000Z', '2099-03-30T07:00:00.000Z']);
    });

    test('keeps 18:00 Sydney across its April change', async () => {
      const series = await schedule({
        startsAt: '2099-04-02T18:00:00+11:00',
        endsAt: '2099-04-02T19:00:00+11:00',
        timeZone: 'Australia/Sydney',
        count: 2,
      });

      expect(startsOf(series)).toEqual(['2099-04-02T07:00:00.000Z', '2099-04-09T08:00:00.000Z']);
    });

    test('moves a skipped time past the gap', async () => {
      // 02:30 on March 8, 2099 does not exist in New York: clocks go from 02:00 to 03:00.
      const series = await schedule({
        startsAt: '2099-03-01T02:30:00-05:00',
        endsAt: '2099-03-01T03:30:00-05:00',
        timeZone: 'America/New_York',
        frequency: 'WEEKLY',
        count: 3,
      });

      expect(startsOf(series)).toEqual([
        '2099-03-01T07:30:00.000Z',
        '2099-03-08T07:30:00.000Z',
        '2099-03-15T06:30:00.000Z',
      ]);
    });

    test('takes the earlier of a repeated time', async () => {
      // 01:30 on November 1, 2099 happens twice in New York: first in EDT, then in EST.
      const series = await schedule({
        startsAt: '2099-10-25T01:30:00-04:00',
        endsAt: '2099-10-25T02:00:00-04:00',
        count: 3,
      });

      expect(startsOf(series)).toEqual([
        '2099-10-25T05:30:00.000Z',
        '2099-11-01T05:30:00.000Z',
        '2099-11-08T06:30:00.000Z',
      ]);
    });

    test('keeps a first start in the repeated hour', async () => {
      const series = await schedule({
        startsAt: '2099-11-01T01:30:00-05:00',
        endsAt: '2099-11-01T02:00:00-05:00',
        count: 2,
      });

      expect(startsOf(series)).toEqual(['2099-11-01T06:30:00.000Z', '2099-11-08T06:30:00.000Z']);
      expect(series.summary).toBe('Every week on Sunday at 01:30 (America/New_York), 2 times');
    });
  });

  describe('scheduleLiveSeries', () => {
    test('creates occurrences and one community event', async () => {
      const before = await countRows();
      const eventsBefore = await communityEvents();

      const series = await schedule({ ...soonFields(5), capacity: 12 });
      const after = await countRows();
      const eventsAfter = await communityEvents();

      expect(after).toEqual({ series: before.series + 1, sessions: before.sessions + 5 });
      expect(eventsAfter).toHaveLength(eventsBefore.length + 1);
      expect(eventsAfter.at(-1)).toEqual({
        liveSessionId: rowId(series.occurrences.nodes[0].id),
        liveSeriesId: rowId(series.id),
      });
      expect(series).toMatchObject({
        title: 'Office hours',
        timeZone: 'UTC',
        frequency: 'WEEKLY',
        interval: 1,
        count: 5,
        cancelledAt: null,
        viewerCanManage: true,
        host: { displayName: 'Hana Host' },
        community: { name: 'Weekly Office Hours' },
      });
    });

    async function communityEvents(): Promise<Json[]> {
      const rows = rowsOf(
        await server.database.db.execute(
          sql`select payload from events where topic = ${`community:${rowId(communityId)}`} and type = 'live_session_scheduled' order by id`,
        ),
      );
      return rows.map((row) =>
        typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
      );
    }

    test('gives each occurrence its own calendar entry', async () => {
      const series = await schedule({ ...soonFields(3), title: 'Calendar office hours' });
      const community = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on Community { calendarUrl } } }',
        { id: communityId },
      );

      const response = await fetch(
        `${server.url}${new URL(community.body.data.node.calendarUrl).pathname}`,
      );
      const calendar = new ICAL.Component(ICAL.parse(await response.text()));
      const entries = calendar
        .getAllSubcomponents('vevent')
        .map((component) => new ICAL.Event(component))
        .filter((event) => event.summary === 'Calendar office hours');

      expect(entries).toHaveLength(3);
      expect(new Set(entries.map((event) => event.uid)).size).toBe(3);
      expect(entries.map((event) => event.startDate.toJSDate().toISOString())).toEqual(
        startsOf(series),
      );
    });

    const ONE_HOUR = { startsAt: '2099-03-03T16:00:00-05:00', endsAt: '2099-03-03T17:00:00-05:00' };
    test.each([
      [
        'an end before the start',
        { ...ONE_HOUR, endsAt: '2099-03-03T15:00:00-05:00', count: 2 },
        'endsAt',
      ],
      [
        'more than twelve hours',
        { ...ONE_HOUR, endsAt: '2099-03-04T05:00:00-05:00', count: 2 },
        'endsAt',
      ],
      ['a start in the past', { startsAt: inHours(-5), endsAt: inHours(-4), count: 2 }, 'startsAt'],
      [
        'an unknown time zone',
        { ...ONE_HOUR, timeZone: 'Mars/Olympus_Mons', count: 2 },
        'timeZone',
      ],
      ['a weekly interval of 5', { ...ONE_HOUR, interval: 5, count: 2 }, 'interval'],
      ['an interval of 0', { ...ONE_HOUR, interval: 0, count: 2 }, 'interval'],
      [
        'a monthly interval of 13',
        { ...ONE_HOUR, frequency: 'MONTHLY', monthlyKind: 'DAY_OF_MONTH', interval: 13, count: 2 },
        'interval',
      ],
      ['neither until nor count', { ...ONE_HOUR }, 'until'],
      ['both until and count', { ...ONE_HOUR, until: '2099-04-01', count: 2 }, 'until'],
      ['a count of 53', { ...ONE_HOUR, count: 53 }, 'count'],
      ['a count of 0', { ...ONE_HOUR, count: 0 }, 'count'],
      ['53 weekly occurrences', { ...ONE_HOUR, until: '2100-03-03' }, 'until'],
      ['an until past one year', { ...ONE_HOUR, interval: 4, until: '2100-03-04' }, 'until'],
      ['an until before the start', { ...ONE_HOUR, until: '2099-03-02' }, 'until'],
      ['an impossible until', { ...ONE_HOUR, until: '2099-02-30' }, 'until'],
      [
        'a count past one year',
        { ...ONE_HOUR, frequency: 'MONTHLY', monthlyKind: 'DAY_OF_MONTH', interval: 6, count: 4 },
        'count',
      ],
      [
        'a monthly series without a kind',
        { ...ONE_HOUR, frequency: 'MONTHLY', count: 2 },
        'monthlyKind',
      ],
      [
        'a weekly series with a kind',
        { ...ONE_HOUR, monthlyKind: 'NTH_WEEKDAY', count: 2 },
        'monthlyKind',
      ],
      [
        'a fifth Tuesday',
        {
          startsAt: '2099-03-31T16:00:00-04:00',
          endsAt: '2099-03-31T17:00:00-04:00',
          frequency: 'MONTHLY',
          monthlyKind: 'NTH_WEEKDAY',
          count: 2,
        },
        'monthlyKind',
      ],
      [
        'a Friday that is not the last',
        {
          startsAt: '2099-01-23T15:30:00-05:00',
          endsAt: '2099-01-23T16:30:00-05:00',
          frequency: 'MONTHLY',
          monthlyKind: 'LAST_WEEKDAY',
          count: 2,
        },
        'monthlyKind',
      ],
    ])('rejects %s and writes nothing', async (_name, fields, path) => {
      const before = await countRows();

      const result = await scheduleRaw(fields);
      const after = await countRows();

      expect(result.body.data.scheduleLiveSeries.__typename).toBe('ValidationError');
      expect(
        result.body.data.scheduleLiveSeries.issues.map((issue: Json) => issue.path[0]),
      ).toContain(path);
      expect(after).toEqual(before);
    });

    test('accepts 52 weekly occurrences', async () => {
      const series = await schedule({
        startsAt: '2099-03-03T16:00:00-05:00',
        endsAt: '2099-03-03T17:00:00-05:00',
        until: '2100-03-01',
      });

      expect(series.occurrences.nodes).toHaveLength(52);
      expect(series.occurrences.nodes.at(-1).startsAt).toBe('2100-02-23T21:00:00.000Z');
    });
  });

  describe('occurrences', () => {
    test('take RSVPs one by one', async () => {
      const series = await schedule(soonFields(4));
      const ids = series.occurrences.nodes.map((occurrence: Json) => occurrence.id);

      await mutate(
        server,
        'rsvp',
        'RsvpInput',
        { liveSessionId: ids[2], status: 'GOING' },
        'id',
        member.token,
      );
      const seen = (await server.graphql(OCCURRENCES, { id: series.id }, { token: member.token }))
        .body.data.node.occurrences.nodes;

      expect(seen[2]).toMatchObject({ rsvpCount: 1, viewerRsvp: 'GOING' });
      expect(seen[3]).toMatchObject({ rsvpCount: 0, viewerRsvp: null });
      expect(seen[1]).toMatchObject({ rsvpCount: 0, viewerRsvp: null });
    });

    test('move one at a time and stay in the series', async () => {
      const series = await schedule(soonFields(4));
      const before = startsOf(series);
      const moved = new Date(Date.parse(before[1] ?? '') + 24 * HOUR);

      const updated = await mutate(
        server,
        'updateLiveSession',
        'UpdateLiveSessionInput',
        {
          liveSessionId: series.occurrences.nodes[1].id,
          startsAt: moved.toISOString(),
          endsAt: new Date(moved.getTime() + HOUR).toISOString(),
        },
        'startsAt detachedFromSeries occurrenceIndex series { id }',
        host.token,
      );
      const after = (await server.graphql(SERIES, { id: series.id })).body.data.node;

      expect(updated).toEqual({
        startsAt: moved.toISOString(),
        detachedFromSeries: true,
        occurrenceIndex: 1,
        series: { id: series.id },
      });
      expect(startsOf(after)).toEqual([before[0], moved.toISOString(), before[2], before[3]]);
      expect(
        after.occurrences.nodes.map((occurrence: Json) => occurrence.detachedFromSeries),
      ).toEqual([false, true, false, false]);
    });

    test('cancel one at a time', async () => {
      const series = await schedule(soonFields(3));

      await mutate(
        server,
        'cancelLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: series.occurrences.nodes[1].id },
        'id',
        host.token,
      );
      const after = (await server.graphql(SERIES, { id: series.id })).body.data.node;

      expect(after.occurrences.nodes.map((occurrence: Json) => occurrence.status)).toEqual([
        'SCHEDULED',
        'CANCELLED',
        'SCHEDULED',
      ]);
      expect(after.cancelledAt).toBeNull();
    });
  });

  describe('cancelLiveSeries', () => {
    const CANCEL = `mutation($input: LiveSeriesIdInput!) { cancelLiveSeries(input: $input) {
      __typename ... on Error { message } ... on MutationCancelLiveSeriesSuccess { data { cancelledAt } } } }`;

    test('cancels only future scheduled occurrences', async () => {
      const series = await schedule(soonFields(5));
      const ids: string[] = series.occurrences.nodes.map((occurrence: Json) => occurrence.id);
      await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: ids[0] },
        'id',
        host.token,
      );
      await mutate(
        server,
        'cancelLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: ids[1] },
        'id',
        host.token,
      );
      // An occurrence whose start has passed without the host starting it.
      await server.database.db
        .update(liveSessions)
        .set({ startsAt: inHours(-2), endsAt: inHours(-1) })
        .where(eq(liveSessions.id, rowId(ids[2] ?? '')));
      const moved = new Date(Date.parse(series.occurrences.nodes[3].startsAt) + HOUR);
      await mutate(
        server,
        'updateLiveSession',
        'UpdateLiveSessionInput',
        {
          liveSessionId: ids[3],
          startsAt: moved.toISOString(),
          endsAt: new Date(moved.getTime() + HOUR).toISOString(),
        },
        'id',
        host.token,
      );
      const events = collect(
        server.socket({ token: member.token }),
        'subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) { type liveSession { status } } }',
        { id: ids[4] },
      );
      await events.settle();

      const result = await server.graphql(
        CANCEL,
        { input: { liveSeriesId: series.id } },
        { token: host.token },
      );
      const event = (await events.next()).data.liveSessionEvents;
      const again = await server.graphql(
        CANCEL,
        { input: { liveSeriesId: series.id } },
        { token: host.token },
      );
      const after = (await server.graphql(SERIES, { id: series.id })).body.data.node;
      const statusEvents = rowsOf(
        await server.database.db.execute(
          sql`select topic from events where type = 'status_changed' and payload->>'status' = 'cancelled' and topic in (${sql.join(
            ids.map((id) => sql`${`live-session:${rowId(id)}`}`),
            sql`, `,
          )}) order by id`,
        ),
      );
      await events.close();

      expect(result.body.data.cancelLiveSeries.__typename).toBe('MutationCancelLiveSeriesSuccess');
      expect(result.body.data.cancelLiveSeries.data.cancelledAt).not.toBeNull();
      expect(after.occurrences.nodes.map((occurrence: Json) => occurrence.status)).toEqual([
        'LIVE',
        'CANCELLED',
        'SCHEDULED',
        'CANCELLED',
        'CANCELLED',
      ]);
      expect(event).toEqual({ type: 'STATUS_CHANGED', liveSession: { status: 'CANCELLED' } });
      expect(statusEvents.map((row) => row.topic)).toEqual(
        [1, 3, 4].map((index) => `live-session:${rowId(ids[index] ?? '')}`),
      );
      expect(again.body.data.cancelLiveSeries.__typename).toBe('ConflictError');
    });

    test('is for the host or a facilitator', async () => {
      const series = await schedule(soonFields(2), member.token);

      const byOtherMember = await server.graphql(
        CANCEL,
        { input: { liveSeriesId: series.id } },
        { token: otherMember.token },
      );
      const afterRefusal = (await server.graphql(SERIES, { id: series.id })).body.data.node;
      const byOwner = await server.graphql(
        CANCEL,
        { input: { liveSeriesId: series.id } },
        { token: host.token },
      );

      expect(byOtherMember.body.data.cancelLiveSeries.__typename).toBe('ForbiddenError');
      expect(afterRefusal.cancelledAt).toBeNull();
      expect(afterRefusal.occurrences.nodes.map((occurrence: Json) => occurrence.status)).toEqual([
        'SCHEDULED',
        'SCHEDULED',
      ]);
      expect(byOwner.body.data.cancelLiveSeries.__typename).toBe('MutationCancelLiveSeriesSuccess');
    });
  });

  describe('updateLiveSeries', () => {
    const UPDATE = `mutation($input: UpdateLiveSeriesInput!) { updateLiveSeries(input: $input) {
      __typename ... on Error { message } ... on MutationUpdateLiveSeriesSuccess { data { title } } } }`;

    test('changes future occurrences that were not moved', async () => {
      const series = await schedule(soonFields(3));
      const ids: string[] = series.occurrences.nodes.map((occurrence: Json) => occurrence.id);
      await mutate(
        server,
        'updateLiveSession',
        'UpdateLiveSessionInput',
        { liveSessionId: ids[1], title: 'Special edition' },
        'id',
        host.token,
      );

      const result = await server.graphql(
        UPDATE,
        { input: { liveSeriesId: series.id, title: 'Renamed office hours' } },
        { token: host.token },
      );
      const byMember = await server.graphql(
        UPDATE,
        { input: { liveSeriesId: series.id, title: 'Taken over' } },
        { token: member.token },
      );
      const after = (await server.graphql(OCCURRENCES, { id: series.id })).body.data.node;

      expect(result.body.data.updateLiveSeries.data.title).toBe('Renamed office hours');
      expect(byMember.body.data.updateLiveSeries.__typename).toBe('ForbiddenError');
      expect(after.occurrences.nodes.map((occurrence: Json) => occurrence.title)).toEqual([
        'Renamed office hours',
        'Special edition',
        'Renamed office hours',
      ]);
    });
  });

  describe('updateLiveSeries capacity', () => {
    test('gives new seats to the waitlist', async () => {
      const series = await schedule({ ...soonFields(2), capacity: 1 });
      const first = series.occurrences.nodes[0].id;
      for (const person of [member, otherMember]) {
        await mutate(
          server,
          'rsvp',
          'RsvpInput',
          { liveSessionId: first, status: 'GOING' },
          'id',
          person.token,
        );
      }
      const seatBefore = await viewerSeat(first, otherMember.token);

      const updated = await mutate(
        server,
        'updateLiveSeries',
        'UpdateLiveSeriesInput',
        { liveSeriesId: series.id, capacity: 2 },
        'capacity occurrences(first: 5) { nodes { capacity } }',
        host.token,
      );
      const seatAfter = await viewerSeat(first, otherMember.token);

      expect(seatBefore).toBe('WAITLISTED');
      expect(seatAfter).toBe('CONFIRMED');
      expect(updated.capacity).toBe(2);
      expect(updated.occurrences.nodes).toEqual([{ capacity: 2 }, { capacity: 2 }]);
    });

    async function viewerSeat(liveSessionId: string, token: string): Promise<string | null> {
      const result = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { viewerSeat } }',
        { id: liveSessionId },
        { token },
      );
      return result.body.data.liveSession.viewerSeat;
    }
  });

  describe('access', () => {
    test('keeps non-members out of a private community', async () => {
      const before = await countRows();

      const result = await scheduleRaw(
        { ...soonFields(2), communityId: privateCommunityId },
        stranger.token,
      );
      const after = await countRows();

      expect(result.body.data.scheduleLiveSeries.__typename).toBe('NotFoundError');
      expect(after).toEqual(before);
    });

    test('keeps non-members from scheduling in a public community', async () => {
      const result = await scheduleRaw(soonFields(2), stranger.token);

      expect(result.body.data.scheduleLiveSeries.__typename).toBe('ForbiddenError');
    });

    test('hides a private series from non-members', async () => {
      const series = await schedule({ ...soonFields(2), communityId: privateCommunityId });

      const seen = await server.graphql(SERIES, { id: series.id }, { token: stranger.token });

      expect(seen.body.data.node).toBeNull();
    });
  });
});
