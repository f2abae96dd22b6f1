import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const HOUR = 3_600_000;
/** Returns the instant `hours` from `from` (now by default), as an ISO string. */
const inHours = (hours: number, from = Date.now()) => new Date(from + hours * HOUR).toISOString();
const SCHEDULE = `mutation($input: ScheduleLiveSessionInput!) { scheduleLiveSession(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationScheduleLiveSessionSuccess { data { id status startsAt endsAt timeZone } } } }`;

describe.each(await databaseKinds())('live sessions on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: { id: string; token: string };
  let member: { id: string; token: string };
  let stranger: { id: string; token: string };
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    host = await signUpUser(server, { displayName: 'Hana Host' });
    member = await signUpUser(server, { displayName: 'Milo Member' });
    stranger = await signUpUser(server, { displayName: 'Stan Stranger' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Office Hours Club', focus: 'LEADERSHIP', visibility: 'PUBLIC' },
        'id',
        host.token,
      )
    ).id;
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', member.token);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  // Both times come from one reading of the clock, so the session lasts exactly an hour.
  const schedule = (fields: Record<string, unknown> = {}, token = host.token, now = Date.now()) =>
    server.graphql(
      SCHEDULE,
      {
        input: {
          communityId,
          title: 'Office hours',
          startsAt: inHours(24, now),
          endsAt: inHours(25, now),
          timeZone: 'America/Chicago',
          joinUrl: 'https://meet.example.org/abc',
          ...fields,
        },
      },
      { token },
    );

  describe('scheduleLiveSession', () => {
    test('stores UTC instants and the zone', async () => {
      const result = await schedule({
        startsAt: '2099-03-09T15:00:00-06:00',
        endsAt: '2099-03-09T16:30:00-06:00',
      });

      expect(result.body.data.scheduleLiveSession.data).toMatchObject({
        status: 'SCHEDULED',
        startsAt: '2099-03-09T21:00:00.000Z',
        endsAt: '2099-03-09T22:30:00.000Z',
        timeZone: 'America/Chicago',
      });
    });

    test.each([
      ['an end before the start', { endsAt: inHours(23) }, 'endsAt'],
      ['a start in the past', { startsAt: inHours(-5), endsAt: inHours(-4) }, 'startsAt'],
      ['more than twelve hours', { endsAt: inHours(40) }, 'endsAt'],
      ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      ['a javascript join link', { joinUrl: 'javascript:alert(1)' }, 'joinUrl'],
      ['an empty title', { title: '  ' }, 'title'],
    ])('rejects %s', async (_name, fields, path) => {
      const result = await schedule(fields);

      expect(result.body.data.scheduleLiveSession.__typename).toBe('ValidationError');
      expect(
        result.body.data.scheduleLiveSession.issues.map((issue: Json) => issue.path[0]),
      ).toContain(path);
    });

    test('rejects a DateTime without a zone as a GraphQL error', async () => {
      const result = await schedule({ startsAt: '2099-03-09 15:00' });

      expect(result.body.errors[0].message).toMatch(/ISO 8601/);
      expect(result.body.data).toBeUndefined();
    });

    test('is for members only', async () => {
      const result = await schedule({}, stranger.token);

      expect(result.body.data.scheduleLiveSession.__typename).toBe('ForbiddenError');
    });
  });

  describe('status changes', () => {
    test('start, end and reject a second end', async () => {
      const id = (await schedule()).body.data.scheduleLiveSession.data.id;

      const byMember = await server.graphql(
        'mutation($input: LiveSessionIdInput!) { startLiveSession(input: $input) { __typename } }',
        { input: { liveSessionId: id } },
        { token: member.token },
      );
      const started = await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'status',
        host.token,
      );
      const ended = await mutate(
        server,
        'endLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'status',
        host.token,
      );
      const again = await server.graphql(
        'mutation($input: LiveSessionIdInput!) { endLiveSession(input: $input) { __typename ... on Error { message } } }',
        { input: { liveSessionId: id } },
        { token: host.token },
      );
      const cancel = await server.graphql(
        'mutation($input: LiveSessionIdInput!) { cancelLiveSession(input: $input) { __typename } }',
        { input: { liveSessionId: id } },
        { token: host.token },
      );

      expect(byMember.body.data.startLiveSession.__typename).toBe('ForbiddenError');
      expect(started.status).toBe('LIVE');
      expect(ended.status).toBe('ENDED');
      expect(again.body.data.endLiveSession.__typename).toBe('ConflictError');
      expect(cancel.body.data.cancelLiveSession.__typename).toBe('ConflictError');
    });

    test('update changes a scheduled session', async () => {
      const id = (await schedule()).body.data.scheduleLiveSession.data.id;

      const updated = await mutate(
        server,
        'updateLiveSession',
        'UpdateLiveSessionInput',
        { liveSessionId: id, title: 'Renamed', timeZone: 'Europe/Berlin' },
        'title timeZone',
        host.token,
      );
      const invalid = await server.graphql(
        'mutation($input: UpdateLiveSessionInput!) { updateLiveSession(input: $input) { __typename } }',
        { input: { liveSessionId: id, endsAt: inHours(1) } },
        { token: host.token },
      );

      expect(updated).toEqual({ title: 'Renamed', timeZone: 'Europe/Berlin' });
      expect(invalid.body.data.updateLiveSession.__typename).toBe('ValidationError');
    });
  });

  describe('rsvp', () => {
    test('records one answer per person', async () => {
      const id = (await schedule()).body.data.scheduleLiveSession.data.id;

      await mutate(
        server,
        'rsvp',
        'RsvpInput',
        { liveSessionId: id, status: 'MAYBE' },
        'id',
        member.token,
      );
      const going = await mutate(
        server,
        'rsvp',
        'RsvpInput',
        { liveSessionId: id, status: 'GOING' },
        'rsvpCount viewerRsvp',
        member.token,
      );
      const stranger_ = await server.graphql(
        'mutation($input: RsvpInput!) { rsvp(input: $input) { __typename } }',
        { input: { liveSessionId: id, status: 'GOING' } },
        { token: stranger.token },
      );

      expect(going).toEqual({ rsvpCount: 1, viewerRsvp: 'GOING' });
      expect(stranger_.body.data.rsvp.__typename).toBe('ForbiddenError');
    });
  });

  describe('startLiveSession', () => {
    test('early start moves the schedule', async () => {
      const created = (await schedule()).body.data.scheduleLiveSession.data;
      const before = Date.now();
      const started = await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: created.id },
        'startsAt endsAt status',
        host.token,
      );
      const startsAt = Date.parse(started.startsAt);

      expect(started.status).toBe('LIVE');
      expect(startsAt).toBeGreaterThanOrEqual(before - 1000);
      expect(startsAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect(Date.parse(started.endsAt) - startsAt).toBe(HOUR);
    });
  });

  describe('liveSessionEvents', () => {
    test('streams chat messages and status changes', async () => {
      const id = (await schedule()).body.data.scheduleLiveSession.data.id;
      const subscription = collect(
        server.socket({ token: member.token }),
        'subscription($id: ID!) { liveSessionEvents(liveSessionId: $id, after: "0") { eventId type chatMessage { body author { displayName } } liveSession { status } } }',
        { id },
      );
      await subscription.settle();

      await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'id',
        host.token,
      );
      await mutate(
        server,
        'sendChatMessage',
        'SendChatMessageInput',
        { liveSessionId: id, body: 'Hello from the chat' },
        'id',
        member.token,
      );
      const status = (await subscription.next()).data.liveSessionEvents;
      const chat = (await subscription.next()).data.liveSessionEvents;
      const history = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { chatMessages(last: 50) { nodes { body } } } }',
        { id },
      );

      expect(status).toMatchObject({ type: 'STATUS_CHANGED', liveSession: { status: 'LIVE' } });
      expect(chat).toMatchObject({
        type: 'CHAT_MESSAGE',
        chatMessage: { body: 'Hello from the chat', author: { displayName: 'Milo Member' } },
      });
      expect(history.body.data.liveSession.chatMessages.nodes).toEqual([
        { body: 'Hello from the chat' },
      ]);
    });

    test('closes chat after the session ends', async () => {
      const id = (await schedule()).body.data.scheduleLiveSession.data.id;
      await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'id',
        host.token,
      );
      await mutate(
        server,
        'endLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'id',
        host.token,
      );

      const result = await server.graphql(
        'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { __typename ... on Error { message } } }',
        { input: { liveSessionId: id, body: 'Too late' } },
        { token: member.token },
      );

      expect(result.body.data.sendChatMessage.__typename).toBe('ForbiddenError');
      expect(result.body.data.sendChatMessage.message).toMatch(/ended/);
    });
  });

  describe('community page', () => {
    test('splits upcoming and past sessions', async () => {
      const upcoming = (await schedule({ title: 'Next week' })).body.data.scheduleLiveSession.data
        .id;
      const finished = (await schedule({ title: 'Done already' })).body.data.scheduleLiveSession
        .data.id;
      await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: finished },
        'id',
        host.token,
      );
      await mutate(
        server,
        'endLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: finished },
        'id',
        host.token,
      );

      const page = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on Community { upcomingLiveSessions(first: 100) { nodes { id } } pastLiveSessions(first: 100) { nodes { id } } } } }',
        { id: communityId },
      );
      const upcomingIds = page.body.data.node.upcomingLiveSessions.nodes.map(
        (node: Json) => node.id,
      );
      const pastIds = page.body.data.node.pastLiveSessions.nodes.map((node: Json) => node.id);

      expect(upcomingIds).toContain(upcoming);
      expect(upcomingIds).not.toContain(finished);
      expect(pastIds).toContain(finished);
    });
  });
});
