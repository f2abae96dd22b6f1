import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  type Json,
  mutate,
  type Subscription,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

// Live session events reach WebSocket subscribers through the shared delivery. Everyone with the
// same selection and access gets one payload per event. A selection or access that makes the
// payload personal gets its own, and those who may not see an event get nothing.

const EVENTS = `subscription($id: ID!, $after: String) { liveSessionEvents(liveSessionId: $id, after: $after) {
  eventId type chatMessage { body author { displayName } } participant { displayName } } }`;

const PERSONAL_EVENTS = `subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) {
  eventId type chatMessage { body viewerCanEdit } } }`;

type Person = { id: string; token: string };

describe.each(await databaseKinds())('shared delivery of live session events on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: Person;
  let members: Person[];
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    host = await signUpUser(server, { displayName: 'Hollis Host' });
    members = [];
    for (let index = 0; index < 6; index += 1) {
      members.push(await signUpUser(server, { displayName: `Member ${index}` }));
    }
    const community = await createCommunityWithMembers(
      server,
      host.token,
      { name: 'Shared Delivery', focus: 'STEM', visibility: 'PUBLIC' },
      members.map((member) => member.token),
    );
    communityId = community.id;
    // Members stay members; from now on only they may read the community.
    await mutate(
      server,
      'updateCommunity',
      'UpdateCommunityInput',
      { communityId, visibility: 'PRIVATE' },
      'id',
      host.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function liveSession(): Promise<string> {
    const session = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: 'Shared office hours',
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 7_200_000).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id',
      host.token,
    );
    await mutate(
      server,
      'startLiveSession',
      'LiveSessionIdInput',
      { liveSessionId: session.id },
      'id',
      host.token,
    );
    return session.id;
  }

  const say = (liveSessionId: string, body: string, person: Person) =>
    mutate(
      server,
      'sendChatMessage',
      'SendChatMessageInput',
      { liveSessionId, body },
      'body',
      person.token,
    );

  async function subscribeAll(
    query: string,
    variables: Record<string, unknown>,
    people: Person[],
  ): Promise<Subscription[]> {
    const subscriptions = people.map((person) =>
      server.subscribe(query, variables, { token: person.token }),
    );
    await Promise.all(subscriptions.map((subscription) => subscription.settle(150)));
    return subscriptions;
  }

  async function read(subscription: Subscription, count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      await subscription.next();
    }
  }

  const events = (subscription: Subscription) =>
    subscription.results.map((result: Json) => result.data?.liveSessionEvents);

  test('resolves one payload per event for subscribers with the same selection', async () => {
    const id = await liveSession();
    const watchers = await subscribeAll(EVENTS, { id }, members.slice(0, 5));
    const before = server.deliveryStats();

    await say(id, 'Welcome, everyone', host);
    const received = await Promise.all(watchers.map((watcher) => watcher.next()));
    const after = server.deliveryStats();
    await Promise.all(watchers.map((watcher) => watcher.close()));

    for (const result of received) {
      expect(result).toEqual(received[0]);
    }
    expect(received[0].data.liveSessionEvents).toMatchObject({
      type: 'CHAT_MESSAGE',
      chatMessage: { body: 'Welcome, everyone', author: { displayName: 'Hollis Host' } },
    });
    expect(after.eventsDelivered - before.eventsDelivered).toBe(1);
    expect(after.payloadsResolved - before.payloadsResolved).toBe(1);
  });

  test('resolves a personal selection once per viewer', async () => {
    const id = await liveSession();
    const [first, second] = members as [Person, Person];
    const watchers = await subscribeAll(PERSONAL_EVENTS, { id }, [first, second, first]);
    const before = server.deliveryStats();

    await say(id, 'Mine to edit', first);
    const [own, other, ownAgain] = await Promise.all(watchers.map((watcher) => watcher.next()));
    const after = server.deliveryStats();
    await Promise.all(watchers.map((watcher) => watcher.close()));

    expect(own.data.liveSessionEvents.chatMessage).toEqual({
      body: 'Mine to edit',
      viewerCanEdit: true,
    });
    expect(ownAgain).toEqual(own);
    expect(other.data.liveSessionEvents.chatMessage).toEqual({
      body: 'Mine to edit',
      viewerCanEdit: false,
    });
    expect(after.payloadsResolved - before.payloadsResolved).toBe(2);
  });

  test('gives each subscriber only what they may see', async () => {
    const id = await liveSession();
    const [watcher, muted, removed] = members.slice(2, 5) as [Person, Person, Person];
    const [hostView, watcherView, mutedView, removedView] = (await subscribeAll(EVENTS, { id }, [
      host,
      watcher,
      muted,
      removed,
    ])) as [Subscription, Subscription, Subscription, Subscription];

    await mutate(
      server,
      'setParticipantMuted',
      'SetParticipantMutedInput',
      { liveSessionId: id, userId: muted.id, muted: true },
      'id',
      host.token,
    );
    await say(id, 'Before the removal', host);
    await read(hostView, 2);
    await read(mutedView, 2);
    await read(watcherView, 1);
    await read(removedView, 1);
    await mutate(
      server,
      'removeMember',
      'RemoveMemberInput',
      { communityId, userId: removed.id, reason: 'Left the district' },
      'id',
      host.token,
    );
    await removedView.next().catch(() => null);
    await say(id, 'After the removal', host);
    await Promise.all([read(hostView, 1), read(mutedView, 1), read(watcherView, 1)]);

    const types = (subscription: Subscription) =>
      events(subscription).map((event: Json) =>
        event ? `${event.type}:${event.chatMessage?.body ?? event.participant?.displayName}` : null,
      );
    expect(types(hostView)).toEqual([
      'PARTICIPANT_MUTED:Member 3',
      'CHAT_MESSAGE:Before the removal',
      'CHAT_MESSAGE:After the removal',
    ]);
    expect(types(mutedView)).toEqual(types(hostView));
    expect(types(watcherView)).toEqual([
      'CHAT_MESSAGE:Before the removal',
      'CHAT_MESSAGE:After the removal',
    ]);
    expect(types(removedView)).toEqual(['CHAT_MESSAGE:Before the removal', null]);
    expect(removedView.results.at(-1).errors[0].extensions.code).toBe('FORBIDDEN');
    expect(removedView.completed).toBe(true);
    await Promise.all([hostView, watcherView, mutedView].map((view) => view.close()));
  });

  test('resumes into a running group', async () => {
    const id = await liveSession();
    const watcher = (await subscribeAll(EVENTS, { id }, [members[0] as Person]))[0] as Subscription;
    for (const body of ['one', 'two', 'three']) {
      await say(id, body, host);
    }
    const seen: Json[] = [];
    for (let index = 0; index < 3; index += 1) {
      seen.push((await watcher.next()).data.liveSessionEvents);
    }

    const resumed = server.subscribe(
      EVENTS,
      { id, after: seen[0].eventId },
      { token: (members[1] as Person).token },
    );
    const racing = say(id, 'four', host);
    await racing;
    await watcher.next();
    const resumedBodies: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      resumedBodies.push((await resumed.next()).data.liveSessionEvents.chatMessage.body);
    }
    await say(id, 'five', host);
    resumedBodies.push((await resumed.next()).data.liveSessionEvents.chatMessage.body);
    await expect(resumed.next(300)).rejects.toThrow();
    await Promise.all([watcher.close(), resumed.close()]);

    expect(resumedBodies).toEqual(['two', 'three', 'four', 'five']);
    // A group ends once its last subscriber leaves, after the server handles the sockets' close.
    for (let attempt = 0; attempt < 50 && server.deliveryStats().groups > 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(server.deliveryStats()).toMatchObject({ groups: 0, subscribers: 0 });
  });
});
