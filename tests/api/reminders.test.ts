/**
 * "Starting soon" reminders go out once per session and person, with two server processes on one
 * PostgreSQL database (and one Redis) checking at the same time, and with a process started later.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { notifications } from '../../drizzle/tables/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable, TEST_REDIS_URL } from '../helpers/services.ts';

const ready = await servicesAvailable('postgres', 'redis');
const FAST = { REMINDER_INTERVAL_MS: '150' };

describe.skipIf(!ready)('live session reminders across two server processes', () => {
  let database: TestDatabase;
  let first: TestServer;
  let second: TestServer;
  let third: TestServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    first = await startTestServer({ database, redisUrl: TEST_REDIS_URL, env: FAST });
    second = await startTestServer({ database, redisUrl: TEST_REDIS_URL, env: FAST });
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await third?.stop();
    await database?.drop();
  });

  async function remindersOf(person: { id: string }): Promise<Json[]> {
    const userId = Number(Buffer.from(person.id, 'base64').toString().split(':')[1]);
    return first.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.kind, 'starting_soon')));
  }

  test('reminds each confirmed attendee once, and nobody else', async () => {
    const host = await signUpUser(first, { displayName: 'Rita Reminder' });
    const attendee = await signUpUser(first, { displayName: 'Andy Attendee' });
    const maybe = await signUpUser(first, { displayName: 'Mo Maybe' });
    const community = await mutate(
      first,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Reminder Circle', focus: 'OTHER', visibility: 'PUBLIC' },
      'id',
      host.token,
    );
    for (const person of [attendee, maybe]) {
      await mutate(
        first,
        'joinCommunity',
        'CommunityIdInput',
        { communityId: community.id },
        'id',
        person.token,
      );
    }
    const schedule = (title: string, startsInMinutes: number) =>
      mutate(
        first,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId: community.id,
          title,
          startsAt: new Date(Date.now() + startsInMinutes * 60_000).toISOString(),
          endsAt: new Date(Date.now() + (startsInMinutes + 60) * 60_000).toISOString(),
          timeZone: 'UTC',
        },
        'id',
        host.token,
      );
    const soon = await schedule('Starting soon', 10);
    const later = await schedule('Later today', 180);
    const notices = second.subscribe(
      'subscription { viewerNotifications { notification { kind message } } }',
      {},
      { token: attendee.token },
    );
    await notices.settle(200);
    for (const liveSessionId of [soon.id, later.id]) {
      await mutate(
        first,
        'rsvp',
        'RsvpInput',
        { liveSessionId, status: 'GOING' },
        'id',
        attendee.token,
      );
      await mutate(
        first,
        'rsvp',
        'RsvpInput',
        { liveSessionId, status: 'MAYBE' },
        'id',
        maybe.token,
      );
    }

    const event = await notices.next(10_000);
    // Both processes check every 150 ms; a second reminder would have landed by now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await notices.close();
    // A process started later finds the reminder already recorded.
    third = await startTestServer({ database, redisUrl: TEST_REDIS_URL, env: FAST });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = await remindersOf(attendee);

    expect(event.data.viewerNotifications.notification).toEqual({
      kind: 'STARTING_SOON',
      message: '“Starting soon” starts soon.',
    });
    expect(sent).toHaveLength(1);
    expect(await remindersOf(maybe)).toHaveLength(0);
  }, 60_000);
});
