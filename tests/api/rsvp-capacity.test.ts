/**
 * Live sessions with a capacity: seats go first come first served, later GOING RSVPs wait in
 * line, a freed seat goes to the first in line with a notification, and only people with a seat
 * see the join link. The race runs on the PostgreSQL server, where RSVPs truly run at once.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { memberships, users } from '../../drizzle/tables/index.ts';
import { createAuthSession } from '../../server/services/account.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const RSVP = `mutation($input: RsvpInput!) { rsvp(input: $input) { __typename ... on Error { message } } }`;
const SESSION = `query($id: ID!) { liveSession(id: $id) {
  capacity rsvpCount waitlistCount viewerRsvp viewerSeat viewerWaitlistPosition joinUrl joinUrlAvailableAt } }`;

describe.each(await databaseKinds())('live session capacity on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: { id: string; token: string };
  let communityId: string;
  let counter = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    host = await signUpUser(server, { displayName: 'Hana Host' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Workshop Circle', focus: 'STEM', visibility: 'PUBLIC' },
        'id',
        host.token,
      )
    ).id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  /** Creates members straight in the database, since sign-ups are rate limited per address. */
  async function members(count: number): Promise<{ id: string; token: string }[]> {
    const communityRowId = Number(Buffer.from(communityId, 'base64').toString().split(':')[1]);
    const people: { id: string; token: string }[] = [];
    for (let index = 0; index < count; index++) {
      counter += 1;
      const [user] = await server.database.db
        .insert(users)
        .values({ email: `attendee${counter}@example.org`, displayName: `Attendee ${counter}` })
        .returning();
      if (!user) {
        throw new Error('Inserting a user returned no row');
      }
      await server.database.db
        .insert(memberships)
        .values({ communityId: communityRowId, userId: user.id, role: 'member', status: 'active' });
      const { token } = await createAuthSession(server.database.db, user, 'bearer');
      people.push({ id: encodeGlobalID('User', user.id), token });
    }
    return people;
  }

  async function schedule(capacity: number, startsInMs = 86_400_000): Promise<string> {
    const startsAt = new Date(Date.now() + startsInMs).toISOString();
    const endsAt = new Date(Date.now() + startsInMs + 3_600_000).toISOString();
    const session = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: `Workshop ${capacity}`,
        startsAt,
        endsAt,
        timeZone: 'America/Chicago',
        joinUrl: 'https://meet.example.org/workshop',
        capacity,
      },
      'id',
      host.token,
    );
    return session.id;
  }

  const rsvp = (token: string, liveSessionId: string, status: string) =>
    server.graphql(RSVP, { input: { liveSessionId, status } }, { token });
  const view = async (token: string, id: string): Promise<Json> =>
    (await server.graphql(SESSION, { id }, { token })).body.data.liveSession;

  test('confirms exactly the capacity under simultaneous RSVPs', async () => {
    const people = await members(kind === 'postgres' ? 100 : 40);
    const liveSessionId = await schedule(30);

    const results = await Promise.all(
      people.map((person) => rsvp(person.token, liveSessionId, 'GOING')),
    );
    const views = await Promise.all(people.map((person) => view(person.token, liveSessionId)));
    const positions = views
      .map((seen) => seen.viewerWaitlistPosition)
      .filter((position) => position !== null)
      .sort((a, b) => a - b);

    expect(
      results.every((result) => result.body.data.rsvp.__typename === 'MutationRsvpSuccess'),
    ).toBe(true);
    expect(views.filter((seen) => seen.viewerSeat === 'CONFIRMED')).toHaveLength(30);
    expect(views.filter((seen) => seen.viewerSeat === 'WAITLISTED')).toHaveLength(
      people.length - 30,
    );
    expect(views[0]).toMatchObject({
      capacity: 30,
      rsvpCount: 30,
      waitlistCount: people.length - 30,
    });
    expect(positions).toEqual(Array.from({ length: people.length - 30 }, (_, index) => index + 1));
  }, 120_000);

  test('gives a freed seat to the first in line and notifies them', async () => {
    const [first, second, third] = await members(3);
    const liveSessionId = await schedule(1);
    await rsvp(first?.token ?? '', liveSessionId, 'GOING');
    await rsvp(second?.token ?? '', liveSessionId, 'GOING');
    await rsvp(third?.token ?? '', liveSessionId, 'GOING');
    const notifications = server.subscribe(
      'subscription { viewerNotifications { notification { kind message } } }',
      {},
      { token: second?.token },
    );
    await notifications.settle(200);

    await rsvp(first?.token ?? '', liveSessionId, 'NOT_GOING');
    const event = await notifications.next(5000);
    const seen = await Promise.all(
      [first, second, third].map((person) => view(person?.token ?? '', liveSessionId)),
    );
    await notifications.close();

    expect(event.data.viewerNotifications.notification.kind).toBe('SEAT_CONFIRMED');
    expect(event.data.viewerNotifications.notification.message).toContain('Workshop 1');
    expect(seen.map((session) => session.viewerSeat)).toEqual([null, 'CONFIRMED', 'WAITLISTED']);
    expect(seen[2].viewerWaitlistPosition).toBe(1);
  });

  test('raising the capacity seats the waitlist in order', async () => {
    const people = await members(3);
    const liveSessionId = await schedule(1);
    for (const person of people) {
      await rsvp(person.token, liveSessionId, 'GOING');
    }

    await mutate(
      server,
      'updateLiveSession',
      'UpdateLiveSessionInput',
      { liveSessionId, capacity: 2 },
      'id',
      host.token,
    );
    const seen = await Promise.all(people.map((person) => view(person.token, liveSessionId)));

    expect(seen.map((session) => session.viewerSeat)).toEqual([
      'CONFIRMED',
      'CONFIRMED',
      'WAITLISTED',
    ]);
  });

  test('join link for host and seats', async () => {
    const [confirmed, waiting] = await members(2);
    const soon = await schedule(1, 10 * 60_000);
    const later = await schedule(5);
    await rsvp(confirmed?.token ?? '', soon, 'GOING');
    await rsvp(waiting?.token ?? '', soon, 'GOING');
    await rsvp(confirmed?.token ?? '', later, 'GOING');

    const forHost = await view(host.token, later);
    const soonConfirmed = await view(confirmed?.token ?? '', soon);
    const soonWaiting = await view(waiting?.token ?? '', soon);
    const laterConfirmed = await view(confirmed?.token ?? '', later);

    expect(forHost.joinUrl).toBe('https://meet.example.org/workshop');
    expect(soonConfirmed.joinUrl).toBe('https://meet.example.org/workshop');
    expect(soonWaiting.joinUrl).toBeNull();
    expect(laterConfirmed.joinUrl).toBeNull();
    expect(Date.parse(laterConfirmed.joinUrlAvailableAt)).toBeGreaterThan(Date.now());
  });

  test('rejects a capacity out of range and changes nothing', async () => {
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const endsAt = new Date(Date.now() + 90_000_000).toISOString();
    const result = await server.graphql(
      `mutation($input: ScheduleLiveSessionInput!) { scheduleLiveSession(input: $input) {
        __typename ... on ValidationError { issues { path message } } } }`,
      {
        input: { communityId, title: 'Too big', startsAt, endsAt, timeZone: 'UTC', capacity: 0 },
      },
      { token: host.token },
    );

    expect(result.body.data.scheduleLiveSession.__typename).toBe('ValidationError');
    expect(result.body.data.scheduleLiveSession.issues[0].path).toEqual(['capacity']);
  });
});
