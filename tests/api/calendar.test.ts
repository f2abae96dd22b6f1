/**
 * Calendar files of live sessions, read back with a third-party iCalendar parser (ical.js): the
 * right instants, one UID kept through updates and cancellation, access as in the API, and
 * private feeds whose address can be replaced or revoked.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

interface ParsedEvent {
  uid: string;
  start: number;
  end: number;
  sequence: number;
  summary: string;
  status: string | null;
}

function parse(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      start: event.startDate.toJSDate().getTime(),
      end: event.endDate.toJSDate().getTime(),
      sequence: event.sequence,
      summary: event.summary,
      status: (component.getFirstPropertyValue('status') as string | null) ?? null,
    };
  });
}

describe.each(await databaseKinds())('calendars on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: { id: string; token: string };
  let outsider: { id: string; token: string };
  let publicCommunity: Json;
  let privateCommunity: Json;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    host = await signUpUser(server, { displayName: 'Cal Host' });
    outsider = await signUpUser(server, { displayName: 'Otto Outside' });
    publicCommunity = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Open Calendar', focus: 'STEM', visibility: 'PUBLIC' },
      'id slug calendarUrl',
      host.token,
    );
    privateCommunity = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Closed Calendar', focus: 'STEM', visibility: 'PRIVATE', listed: false },
      'id slug calendarUrl',
      host.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function schedule(communityId: string, title: string, startsInHours = 24): Promise<Json> {
    const startsAt = new Date(Date.now() + startsInHours * 3_600_000);
    startsAt.setUTCSeconds(0, 0);
    const endsAt = new Date(startsAt.getTime() + 90 * 60_000);
    return mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        timeZone: 'America/New_York',
      },
      'id startsAt endsAt calendarUrl',
      host.token,
    );
  }

  /** Fetches a calendar address through the test server, with an optional bearer token. */
  const fetchIcs = (address: string, token?: string) =>
    fetch(`${server.url}${new URL(address).pathname}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  test('session file keeps its UID', async () => {
    const session = await schedule(publicCommunity.id, 'Design sprint');
    const first = await fetchIcs(session.calendarUrl);
    const firstEvents = parse(await first.text());

    const moved = new Date(Date.parse(session.startsAt) + 2 * 3_600_000);
    await mutate(
      server,
      'updateLiveSession',
      'UpdateLiveSessionInput',
      {
        liveSessionId: session.id,
        startsAt: moved.toISOString(),
        endsAt: new Date(moved.getTime() + 3_600_000).toISOString(),
      },
      'id',
      host.token,
    );
    const updated = parse(await (await fetchIcs(session.calendarUrl)).text());
    await mutate(
      server,
      'cancelLiveSession',
      'LiveSessionIdInput',
      { liveSessionId: session.id },
      'id',
      host.token,
    );
    const cancelled = parse(await (await fetchIcs(session.calendarUrl)).text());

    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/calendar');
    expect(firstEvents).toHaveLength(1);
    expect(firstEvents[0]).toMatchObject({
      start: Date.parse(session.startsAt),
      end: Date.parse(session.endsAt),
      summary: 'Design sprint',
    });
    expect(updated[0]?.uid).toBe(firstEvents[0]?.uid);
    expect(updated[0]?.start).toBe(moved.getTime());
    expect(updated[0]?.sequence).toBeGreaterThan(firstEvents[0]?.sequence ?? 0);
    expect(cancelled[0]?.uid).toBe(firstEvents[0]?.uid);
    expect(cancelled[0]?.status).toBe('CANCELLED');
    expect(cancelled[0]?.sequence).toBeGreaterThan(updated[0]?.sequence ?? 0);
  });

  test('files and feeds follow the access rules', async () => {
    const hidden = await schedule(privateCommunity.id, 'Members only');
    await schedule(publicCommunity.id, 'Open office hours');

    const signedOut = await fetchIcs(hidden.calendarUrl);
    const asOutsider = await fetchIcs(hidden.calendarUrl, outsider.token);
    const asHost = await fetchIcs(hidden.calendarUrl, host.token);
    const openFeed = parse(await (await fetchIcs(publicCommunity.calendarUrl)).text());
    const closedFeed = await fetchIcs(privateCommunity.calendarUrl);

    expect(signedOut.status).toBe(404);
    expect(asOutsider.status).toBe(404);
    expect(asHost.status).toBe(200);
    expect(openFeed.map((event) => event.summary)).toContain('Open office hours');
    expect(openFeed.map((event) => event.summary)).not.toContain('Members only');
    expect(closedFeed.status).toBe(404);
  });

  test('personal feed address is replaceable', async () => {
    const attendee = await signUpUser(server, { displayName: 'Ada Attendee' });
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: publicCommunity.id },
      'id',
      attendee.token,
    );
    const going = await schedule(publicCommunity.id, 'Going to this one');
    await schedule(publicCommunity.id, 'Not answered');
    await mutate(
      server,
      'rsvp',
      'RsvpInput',
      { liveSessionId: going.id, status: 'GOING' },
      'id',
      attendee.token,
    );
    const RESET =
      'mutation { resetCalendarFeed { ... on MutationResetCalendarFeedSuccess { data { url } } } }';

    const first = (await server.graphql(RESET, {}, { token: attendee.token })).body.data
      .resetCalendarFeed.data.url;
    const feed = parse(await (await fetchIcs(first)).text());
    const second = (await server.graphql(RESET, {}, { token: attendee.token })).body.data
      .resetCalendarFeed.data.url;
    const oldAddress = await fetchIcs(first);
    const newAddress = await fetchIcs(second);
    await server.graphql(
      'mutation { revokeCalendarFeed { __typename } }',
      {},
      { token: attendee.token },
    );
    const revoked = await fetchIcs(second);

    expect(feed.map((event) => event.summary)).toEqual(['Going to this one']);
    expect(oldAddress.status).toBe(404);
    expect(newAddress.status).toBe(200);
    expect(revoked.status).toBe(404);
  });
});
