import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
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
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();
const rowId = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

type Person = { id: string; token: string };
const RATE_LIMITED = new Set(['sendChatMessage', 'sendReaction']);

const EVENTS = `subscription($id: ID!, $after: String) { liveSessionEvents(liveSessionId: $id, after: $after) {
  eventId type
  chatMessage { id sequence body editedAt deletedAt deletedByModerator }
  question { id body status voteCount }
  participant { displayName }
  liveSession { status slowModeSeconds } } }`;

const SIGNALS = `subscription($id: ID!) { liveRoomSignals(liveSessionId: $id) {
  type userId displayName emoji present presentCount sentAt } }`;

describe.each(await databaseKinds())('the live room on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let host: Person;
  let member: Person;
  let other: Person;
  let facilitator: Person;
  let stranger: Person;
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database, env: { REMINDER_INTERVAL_MS: '200' } });
    host = await signUpUser(server, { displayName: 'Hana Host' });
    member = await signUpUser(server, { displayName: 'Milo Member' });
    other = await signUpUser(server, { displayName: 'Olga Other' });
    facilitator = await signUpUser(server, { displayName: 'Fern Facilitator' });
    stranger = await signUpUser(server, { displayName: 'Stan Stranger' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Room Testers', focus: 'STEM', visibility: 'PUBLIC' },
        'id',
        host.token,
      )
    ).id;
    for (const person of [member, other, facilitator]) {
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        person.token,
      );
    }
    await mutate(
      server,
      'changeMemberRole',
      'ChangeMemberRoleInput',
      { communityId, userId: facilitator.id, role: 'FACILITATOR' },
      'id',
      host.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function newSession(start = true): Promise<string> {
    const session = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: 'Design sprint',
        startsAt: inHours(1),
        endsAt: inHours(2),
        timeZone: 'America/Denver',
      },
      'id',
      host.token,
    );
    if (start) {
      await mutate(
        server,
        'startLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: session.id },
        'id',
        host.token,
      );
    }
    return session.id;
  }

  /** Runs a mutation and returns its payload, success or typed error, as it came. */
  async function attempt(
    field: string,
    inputType: string,
    input: Record<string, unknown>,
    selection: string,
    person: Person,
  ): Promise<Json> {
    const success = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
    const result = await server.graphql(
      `mutation($input: ${inputType}!) { ${field}(input: $input) {
        __typename ... on Error { message } ... on ValidationError { issues { path message } }
        ${RATE_LIMITED.has(field) ? '... on RateLimitedError { retryAfterSeconds }' : ''}
        ... on ${success} { data ${selection} } } }`,
      { input },
      { token: person.token },
    );
    const payload = result.body.data?.[field];
    if (!payload) {
      throw new Error(`${field} failed: ${JSON.stringify(result.body)}`);
    }
    return payload;
  }

  const say = (liveSessionId: string, body: string, person: Person) =>
    attempt(
      'sendChatMessage',
      'SendChatMessageInput',
      { liveSessionId, body },
      '{ id sequence body }',
      person,
    );

  describe('chat', () => {
    test('authors edit and delete their own', async () => {
      const id = await newSession();
      const watcher = server.subscribe(EVENTS, { id, after: '0' }, { token: other.token });
      await watcher.settle();

      const first = (await say(id, 'First thought', member)).data;
      const second = (await say(id, 'Second thought', other)).data;
      const edited = await attempt(
        'editChatMessage',
        'EditChatMessageInput',
        { chatMessageId: first.id, body: 'First thought, clearer' },
        '{ body editedAt }',
        member,
      );
      const editByOther = await attempt(
        'editChatMessage',
        'EditChatMessageInput',
        { chatMessageId: first.id, body: 'Hijacked' },
        '{ body }',
        other,
      );
      const deleteByOther = await attempt(
        'deleteChatMessage',
        'DeleteChatMessageInput',
        { chatMessageId: first.id },
        '{ body }',
        other,
      );
      const deleted = await attempt(
        'deleteChatMessage',
        'DeleteChatMessageInput',
        { chatMessageId: second.id },
        '{ body deletedAt deletedByModerator }',
        other,
      );
      const seen: Json[] = [];
      for (let index = 0; index < 5; index += 1) {
        seen.push((await watcher.next()).data.liveSessionEvents);
      }
      await watcher.close();

      expect([first.sequence, second.sequence]).toEqual([1, 2]);
      expect(edited.data).toMatchObject({ body: 'First thought, clearer' });
      expect(edited.data.editedAt).toEqual(expect.any(String));
      expect(editByOther.__typename).toBe('ForbiddenError');
      expect(deleteByOther.__typename).toBe('ForbiddenError');
      expect(deleted.data).toMatchObject({ body: '', deletedByModerator: false });
      expect(seen.map((event) => event.type)).toEqual([
        'STATUS_CHANGED',
        'CHAT_MESSAGE',
        'CHAT_MESSAGE',
        'CHAT_MESSAGE_EDITED',
        'CHAT_MESSAGE_DELETED',
      ]);
      expect(seen[3].chatMessage).toMatchObject({ sequence: 1, body: 'First thought, clearer' });
      expect(seen[4].chatMessage).toMatchObject({ sequence: 2, body: '' });
    });

    test('moderators delete any message', async () => {
      const id = await newSession();
      const message = (await say(id, 'Off-topic link', member)).data;
      const byFacilitator = await attempt(
        'deleteChatMessage',
        'DeleteChatMessageInput',
        { chatMessageId: message.id },
        '{ body deletedByModerator }',
        facilitator,
      );
      const history = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { chatMessages(first: 10) { nodes { sequence body deletedAt } } } }',
        { id },
        { token: stranger.token },
      );

      expect(byFacilitator.data).toEqual({ body: '', deletedByModerator: true });
      expect(history.body.data.liveSession.chatMessages.nodes).toEqual([
        { sequence: 1, body: '', deletedAt: expect.any(String) },
      ]);
    });

    test('long message rejected, limits shown', async () => {
      const id = await newSession();
      const tooLong = await say(id, 'x'.repeat(2001), member);
      const limits = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { chatMessageMaxLength questionMaxLength slowModeSeconds reactionEmojis typingIntervalSeconds } }',
        { id },
        { token: member.token },
      );
      const count = rowsOf(
        await server.database.db.execute(
          sql`select count(*)::int as count from chat_messages where live_session_id = ${rowId(id)}`,
        ),
      );

      expect(tooLong.__typename).toBe('ValidationError');
      expect(tooLong.issues[0].message).toContain('at most 2000 characters');
      expect(limits.body.data.liveSession).toMatchObject({
        chatMessageMaxLength: 2000,
        questionMaxLength: 500,
        slowModeSeconds: 0,
        typingIntervalSeconds: 2,
      });
      expect(limits.body.data.liveSession.reactionEmojis).toContain('👏');
      expect(count[0]?.count).toBe(0);
    });

    test('invisible and reordering text rejected', async () => {
      const id = await newSession();
      const zeroWidth = await say(id, '\u200b\u200b\u2060', member);
      const override = await say(id, 'harmless \u202etxt.exe', member);
      const bell = await say(id, 'ding\u0007', member);
      const emoji = await say(id, '👩\u200d🏫 ready', member);
      const mixed = await say(id, 'Unit \u2067مرحبا\u2069 and \u202bשלום\u202c', member);

      expect(zeroWidth.__typename).toBe('ValidationError');
      expect(zeroWidth.issues[0].message).toContain('only invisible characters');
      expect(override.__typename).toBe('ValidationError');
      expect(override.issues[0].message).toContain('override character');
      expect(bell.__typename).toBe('ValidationError');
      expect(emoji.__typename).toBe('MutationSendChatMessageSuccess');
      expect(mixed.__typename).toBe('MutationSendChatMessageSuccess');
    });

    test('slow mode spares the host', async () => {
      const id = await newSession();
      const byMember = await attempt(
        'setChatSlowMode',
        'SetChatSlowModeInput',
        { liveSessionId: id, seconds: 30 },
        '{ slowModeSeconds }',
        member,
      );
      const tooSlow = await attempt(
        'setChatSlowMode',
        'SetChatSlowModeInput',
        { liveSessionId: id, seconds: 601 },
        '{ slowModeSeconds }',
        host,
      );
      const set = await attempt(
        'setChatSlowMode',
        'SetChatSlowModeInput',
        { liveSessionId: id, seconds: 30 },
        '{ slowModeSeconds }',
        host,
      );
      const firstMessage = await say(id, 'One', member);
      const secondMessage = await say(id, 'Two', member);
      const state = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { viewerNextChatAt } }',
        { id },
        { token: member.token },
      );
      const hostFirst = await say(id, 'Host one', host);
      const hostSecond = await say(id, 'Host two', host);

      expect(byMember.__typename).toBe('ForbiddenError');
      expect(tooSlow.__typename).toBe('ValidationError');
      expect(set.data).toEqual({ slowModeSeconds: 30 });
      expect(firstMessage.__typename).toBe('MutationSendChatMessageSuccess');
      expect(secondMessage.__typename).toBe('RateLimitedError');
      expect(secondMessage.message).toContain('Slow mode');
      expect(secondMessage.retryAfterSeconds).toBeGreaterThan(25);
      expect(secondMessage.retryAfterSeconds).toBeLessThanOrEqual(30);
      expect(Date.parse(state.body.data.liveSession.viewerNextChatAt)).toBeGreaterThan(
        Date.now() + 20_000,
      );
      expect(hostFirst.__typename).toBe('MutationSendChatMessageSuccess');
      expect(hostSecond.__typename).toBe('MutationSendChatMessageSuccess');
    });
  });

  describe('flood limits', () => {
    test('eleventh write in ten seconds rejected', async () => {
      const id = await newSession();
      const results: Json[] = [];
      for (let index = 0; index < 9; index += 1) {
        results.push(await say(id, `burst ${index}`, member));
      }
      results.push(
        await attempt(
          'askQuestion',
          'AskQuestionInput',
          { liveSessionId: id, body: 'One question too?' },
          '{ id }',
          member,
        ),
      );
      const eleventh = await say(id, 'one too many', member);
      const someoneElse = await say(id, 'not limited', other);

      expect(results.every((result) => !('retryAfterSeconds' in result))).toBe(true);
      expect(eleventh.__typename).toBe('RateLimitedError');
      expect(eleventh.retryAfterSeconds).toBeGreaterThan(0);
      expect(eleventh.retryAfterSeconds).toBeLessThanOrEqual(10);
      expect(someoneElse.__typename).toBe('MutationSendChatMessageSuccess');
    });
  });

  describe('moderation', () => {
    test('removals and mutes are audited', async () => {
      const id = await newSession();
      const message = (await say(id, 'Words to remove', member)).data;
      await attempt(
        'deleteChatMessage',
        'DeleteChatMessageInput',
        { chatMessageId: message.id },
        '{ id }',
        facilitator,
      );
      await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: member.id, muted: true },
        '{ id }',
        facilitator,
      );
      const entries = rowsOf(
        await server.database.db.execute(
          sql`select action, actor_id, subject_user_id, details from audit_log
            where details->>'liveSessionId' = ${String(rowId(id))} order by id`,
        ),
      );

      expect(entries.map((entry) => entry.action)).toEqual([
        'live_session.message_removed',
        'live_session.participant_muted',
      ]);
      expect(entries[0]).toMatchObject({
        actor_id: rowId(facilitator.id),
        subject_user_id: rowId(member.id),
        details: { body: 'Words to remove', sequence: 1 },
      });
    });

    test('authors delete own messages after the end', async () => {
      const id = await newSession();
      const message = (await say(id, 'Take this back later', member)).data;
      await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: member.id, muted: true },
        '{ id }',
        host,
      );
      await mutate(
        server,
        'endLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'id',
        host.token,
      );
      const deleted = await attempt(
        'deleteChatMessage',
        'DeleteChatMessageInput',
        { chatMessageId: message.id },
        '{ body deletedByModerator }',
        member,
      );

      expect(deleted.data).toEqual({ body: '', deletedByModerator: false });
    });

    test('mutes hidden from other participants', async () => {
      const id = await newSession();
      const bystander = server.subscribe(EVENTS, { id, after: '0' }, { token: other.token });
      const moderator = server.subscribe(EVENTS, { id, after: '0' }, { token: facilitator.token });
      await bystander.settle();
      await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: member.id, muted: true },
        '{ id }',
        host,
      );
      await say(id, 'After the mute', host);
      const seenByBystander = [
        (await bystander.next()).data.liveSessionEvents.type,
        (await bystander.next()).data.liveSessionEvents.type,
      ];
      const seenByModerator = [
        (await moderator.next()).data.liveSessionEvents.type,
        (await moderator.next()).data.liveSessionEvents.type,
        (await moderator.next()).data.liveSessionEvents.type,
      ];
      await Promise.all([bystander.close(), moderator.close()]);

      expect(seenByBystander).toEqual(['STATUS_CHANGED', 'CHAT_MESSAGE']);
      expect(seenByModerator).toEqual(['STATUS_CHANGED', 'PARTICIPANT_MUTED', 'CHAT_MESSAGE']);
    });

    test('only members can be muted', async () => {
      const id = await newSession();
      const outsider = await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: stranger.id, muted: true },
        '{ mutedParticipants { id } }',
        host,
      );
      const mutes = rowsOf(
        await server.database.db.execute(
          sql`select count(*)::int as count from live_session_mutes where live_session_id = ${rowId(id)}`,
        ),
      );

      expect(outsider.__typename).toBe('ValidationError');
      expect(outsider.issues[0].path).toEqual(['userId']);
      expect(mutes[0]?.count).toBe(0);
    });

    test('muted person only reads and votes', async () => {
      const id = await newSession();
      const watcher = server.subscribe(EVENTS, { id }, { token: member.token });
      await watcher.settle();
      const question = (
        await attempt(
          'askQuestion',
          'AskQuestionInput',
          { liveSessionId: id, body: 'How do we grade this?' },
          '{ id }',
          other,
        )
      ).data;
      await attempt('raiseHand', 'LiveSessionIdInput', { liveSessionId: id }, '{ id }', member);
      const muted = await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: member.id, muted: true },
        '{ mutedParticipants { displayName } raisedHands { user { displayName } } }',
        host,
      );
      const chat = await say(id, 'Can you hear me?', member);
      const ask = await attempt(
        'askQuestion',
        'AskQuestionInput',
        { liveSessionId: id, body: 'Me again' },
        '{ id }',
        member,
      );
      const hand = await attempt(
        'raiseHand',
        'LiveSessionIdInput',
        { liveSessionId: id },
        '{ id }',
        member,
      );
      const reaction = await server.graphql(
        'mutation($input: SendReactionInput!) { sendReaction(input: $input) { __typename ... on Error { message } } }',
        { input: { liveSessionId: id, emoji: '👍' } },
        { token: member.token },
      );
      const vote = await attempt(
        'voteOnQuestion',
        'VoteOnQuestionInput',
        { questionId: question.id },
        '{ voteCount }',
        member,
      );
      const view = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { viewerIsMuted viewerCanChat mutedParticipants { displayName } } }',
        { id },
        { token: member.token },
      );
      const events: Json[] = [];
      for (let index = 0; index < 5; index += 1) {
        events.push((await watcher.next()).data.liveSessionEvents);
      }
      await watcher.close();
      const unmuted = await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: member.id, muted: false },
        '{ mutedParticipants { displayName } }',
        host,
      );
      const after = await say(id, 'Back again', member);

      expect(muted.data).toEqual({
        mutedParticipants: [{ displayName: 'Milo Member' }],
        raisedHands: [],
      });
      expect(chat.__typename).toBe('ForbiddenError');
      expect(chat.message).toContain('muted');
      expect(ask.__typename).toBe('ForbiddenError');
      expect(hand.__typename).toBe('ForbiddenError');
      expect(reaction.body.data.sendReaction.__typename).toBe('ForbiddenError');
      expect(vote.data).toEqual({ voteCount: 1 });
      expect(view.body.data.liveSession).toEqual({
        viewerIsMuted: true,
        viewerCanChat: false,
        mutedParticipants: [],
      });
      expect(events.map((event) => event.type)).toEqual([
        'QUESTION_ASKED',
        'HAND_RAISED',
        'HAND_LOWERED',
        'PARTICIPANT_MUTED',
        'QUESTION_UPDATED',
      ]);
      expect(events[3].participant).toEqual({ displayName: 'Milo Member' });
      expect(unmuted.data).toEqual({ mutedParticipants: [] });
      expect(after.__typename).toBe('MutationSendChatMessageSuccess');
    });

    test('mute rejected for non-moderators and hosts', async () => {
      const id = await newSession();
      const byMember = await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: other.id, muted: true },
        '{ id }',
        member,
      );
      const theHost = await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: host.id, muted: true },
        '{ id }',
        facilitator,
      );
      const aFacilitator = await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: facilitator.id, muted: true },
        '{ id }',
        host,
      );
      const badId = await attempt(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { liveSessionId: id, userId: 'not-an-id', muted: true },
        '{ id }',
        host,
      );

      expect(byMember.__typename).toBe('ForbiddenError');
      expect(theHost.__typename).toBe('ForbiddenError');
      expect(aFacilitator.__typename).toBe('ForbiddenError');
      expect(badId.__typename).toBe('ValidationError');
    });
  });

  describe('Q&A', () => {
    test('votes, sorting and answers', async () => {
      const id = await newSession();
      const ask = async (body: string, person: Person) =>
        (
          await attempt(
            'askQuestion',
            'AskQuestionInput',
            { liveSessionId: id, body },
            '{ id }',
            person,
          )
        ).data.id as string;
      const vote = (questionId: string, person: Person, value = true) =>
        attempt(
          'voteOnQuestion',
          'VoteOnQuestionInput',
          { questionId, vote: value },
          '{ voteCount viewerHasVoted }',
          person,
        );
      const early = await ask('Where are the slides?', member);
      const popular = await ask('Can we get CEU credit?', other);
      await vote(popular, member);
      const twice = await vote(popular, member);
      await vote(popular, facilitator);
      await vote(early, other);
      await vote(early, other, false);
      const sorted = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { questions(first: 10) { nodes { body voteCount viewerHasVoted } } } }',
        { id },
        { token: member.token },
      );
      const answerByMember = await attempt(
        'setQuestionStatus',
        'SetQuestionStatusInput',
        { questionId: popular, status: 'ANSWERED' },
        '{ status }',
        member,
      );
      const answered = await attempt(
        'setQuestionStatus',
        'SetQuestionStatusInput',
        { questionId: popular, status: 'ANSWERED' },
        '{ status resolvedAt }',
        host,
      );
      const voteAfter = await vote(popular, other);
      const dismissed = await attempt(
        'setQuestionStatus',
        'SetQuestionStatusInput',
        { questionId: early, status: 'DISMISSED' },
        '{ status }',
        facilitator,
      );
      const open = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { questions(first: 10, status: OPEN) { nodes { body } } } }',
        { id },
      );
      const tooLong = await attempt(
        'askQuestion',
        'AskQuestionInput',
        { liveSessionId: id, body: 'q'.repeat(501) },
        '{ id }',
        member,
      );

      expect(twice.data).toEqual({ voteCount: 1, viewerHasVoted: true });
      expect(sorted.body.data.liveSession.questions.nodes).toEqual([
        { body: 'Can we get CEU credit?', voteCount: 2, viewerHasVoted: true },
        { body: 'Where are the slides?', voteCount: 0, viewerHasVoted: false },
      ]);
      expect(answerByMember.__typename).toBe('ForbiddenError');
      expect(answered.data).toMatchObject({ status: 'ANSWERED', resolvedAt: expect.any(String) });
      expect(voteAfter.__typename).toBe('ConflictError');
      expect(dismissed.data).toEqual({ status: 'DISMISSED' });
      expect(open.body.data.liveSession.questions.nodes).toEqual([]);
      expect(tooLong.__typename).toBe('ValidationError');
    });

    test('parallel upvotes count once', async () => {
      const id = await newSession();
      const question = (
        await attempt(
          'askQuestion',
          'AskQuestionInput',
          { liveSessionId: id, body: 'Race?' },
          '{ id }',
          member,
        )
      ).data.id;
      await Promise.all(
        Array.from({ length: 8 }, () =>
          attempt(
            'voteOnQuestion',
            'VoteOnQuestionInput',
            { questionId: question },
            '{ voteCount }',
            other,
          ),
        ),
      );
      const rows = rowsOf(
        await server.database.db.execute(
          sql`select vote_count, (select count(*)::int from live_question_votes v where v.question_id = q.id) as votes from live_questions q where q.id = ${rowId(question)}`,
        ),
      );

      expect(rows[0]).toMatchObject({ vote_count: 1, votes: 1 });
    });
  });

  describe('account export', () => {
    test('includes chat, questions and votes', async () => {
      const id = await newSession();
      const message = (await say(id, 'Exported words', other)).data;
      const question = (
        await attempt(
          'askQuestion',
          'AskQuestionInput',
          { liveSessionId: id, body: 'Exported question?' },
          '{ id }',
          other,
        )
      ).data;
      await attempt(
        'voteOnQuestion',
        'VoteOnQuestionInput',
        { questionId: question.id },
        '{ id }',
        other,
      );

      const response = await fetch(`${server.url}/account/export`, {
        headers: { authorization: `Bearer ${other.token}` },
      });
      const exported = await response.json();

      expect(response.status).toBe(200);
      expect(exported.chatMessages).toContainEqual(
        expect.objectContaining({ id: rowId(message.id), body: 'Exported words', sequence: 1 }),
      );
      expect(exported.liveQuestions).toContainEqual(
        expect.objectContaining({ body: 'Exported question?', voteCount: 1 }),
      );
      expect(exported.liveQuestionVotes).toContainEqual(
        expect.objectContaining({ questionId: rowId(question.id) }),
      );
    });
  });

  describe('raised hands', () => {
    test('hand queue order and lowering', async () => {
      const scheduled = await newSession(false);
      const early = await attempt(
        'raiseHand',
        'LiveSessionIdInput',
        { liveSessionId: scheduled },
        '{ id }',
        member,
      );
      const id = await newSession();
      await attempt('raiseHand', 'LiveSessionIdInput', { liveSessionId: id }, '{ id }', other);
      await attempt('raiseHand', 'LiveSessionIdInput', { liveSessionId: id }, '{ id }', member);
      await attempt('raiseHand', 'LiveSessionIdInput', { liveSessionId: id }, '{ id }', other);
      const queue = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { raisedHands { user { displayName } raisedAt } viewerHandRaised } }',
        { id },
        { token: member.token },
      );
      const lowerOther = await attempt(
        'lowerHand',
        'LowerHandInput',
        { liveSessionId: id, userId: other.id },
        '{ id }',
        member,
      );
      const lowered = await attempt(
        'lowerHand',
        'LowerHandInput',
        { liveSessionId: id, userId: other.id },
        '{ raisedHands { user { displayName } } }',
        host,
      );
      await mutate(
        server,
        'endLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'id',
        host.token,
      );
      const ended = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { raisedHands { user { displayName } } } }',
        { id },
      );

      expect(early.__typename).toBe('ForbiddenError');
      expect(
        queue.body.data.liveSession.raisedHands.map((hand: Json) => hand.user.displayName),
      ).toEqual(['Olga Other', 'Milo Member']);
      expect(queue.body.data.liveSession.viewerHandRaised).toBe(true);
      expect(lowerOther.__typename).toBe('ForbiddenError');
      expect(lowered.data.raisedHands).toEqual([{ user: { displayName: 'Milo Member' } }]);
      expect(ended.body.data.liveSession.raisedHands).toEqual([]);
    });
  });

  describe('signals', () => {
    test('typing and reactions are limited, not stored', async () => {
      const id = await newSession();
      const watcher = server.subscribe(SIGNALS, { id }, { token: other.token });
      await watcher.settle();
      const typing = (person: Person) =>
        server.graphql(
          'mutation($input: LiveSessionIdInput!) { sendTyping(input: $input) { __typename ... on MutationSendTypingSuccess { data } ... on Error { message } } }',
          { input: { liveSessionId: id } },
          { token: person.token },
        );
      const react = (emoji: string) =>
        server.graphql(
          'mutation($input: SendReactionInput!) { sendReaction(input: $input) { __typename ... on RateLimitedError { retryAfterSeconds } ... on Error { message } } }',
          { input: { liveSessionId: id, emoji } },
          { token: member.token },
        );

      const firstTyping = await typing(member);
      const secondTyping = await typing(member);
      const typed = (await watcher.next()).data.liveRoomSignals;
      const reactions: Json[] = [];
      for (let index = 0; index < 11; index += 1) {
        reactions.push((await react('🎉')).body.data.sendReaction);
      }
      const badEmoji = (await react('<script>')).body.data.sendReaction;
      const received: Json[] = [];
      for (let index = 0; index < 10; index += 1) {
        received.push((await watcher.next()).data.liveRoomSignals);
      }
      const byStranger = await typing(stranger);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stored = rowsOf(
        await server.database.db.execute(
          sql`select count(*)::int as count from events where topic like 'live-room:%'`,
        ),
      );
      await watcher.close();

      expect(firstTyping.body.data.sendTyping).toEqual({
        __typename: 'MutationSendTypingSuccess',
        data: true,
      });
      expect(secondTyping.body.data.sendTyping.data).toBe(false);
      expect(typed).toMatchObject({
        type: 'TYPING',
        userId: member.id,
        displayName: 'Milo Member',
        emoji: null,
      });
      expect(
        reactions
          .slice(0, 10)
          .every((result) => result.__typename === 'MutationSendReactionSuccess'),
      ).toBe(true);
      expect(reactions[10]).toMatchObject({ __typename: 'RateLimitedError' });
      expect(badEmoji.__typename).toBe('ValidationError');
      expect(received.every((signal) => signal.type === 'REACTION' && signal.emoji === '🎉')).toBe(
        true,
      );
      expect(watcher.results).toHaveLength(11);
      expect(byStranger.body.data.sendTyping.__typename).toBe('ForbiddenError');
      expect(stored[0]?.count).toBe(0);
    });

    test('removed member loses signals and events', async () => {
      const circle = (
        await mutate(
          server,
          'createCommunity',
          'CreateCommunityInput',
          { name: 'Closed Circle', focus: 'LITERACY', visibility: 'PUBLIC' },
          'id',
          host.token,
        )
      ).id;
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId: circle },
        'id',
        member.token,
      );
      await mutate(
        server,
        'updateCommunity',
        'UpdateCommunityInput',
        { communityId: circle, visibility: 'PRIVATE' },
        'id',
        host.token,
      );
      const session = await mutate(
        server,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId: circle,
          title: 'Closed session',
          startsAt: inHours(1),
          endsAt: inHours(2),
          timeZone: 'UTC',
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
      const strangerSignals = server.subscribe(
        SIGNALS,
        { id: session.id },
        { token: stranger.token },
      );
      const signals = server.subscribe(SIGNALS, { id: session.id }, { token: member.token });
      const events = server.subscribe(EVENTS, { id: session.id }, { token: member.token });
      await signals.settle();
      await events.settle();
      await server.graphql(
        'mutation($input: SendReactionInput!) { sendReaction(input: $input) { __typename } }',
        { input: { liveSessionId: session.id, emoji: '👍' } },
        { token: host.token },
      );
      const before = (await signals.next()).data.liveRoomSignals;
      await mutate(
        server,
        'removeMember',
        'RemoveMemberInput',
        { communityId: circle, userId: member.id },
        'id',
        host.token,
      );
      const signalsEnd = await signals.next();
      const eventsEnd = await events.next();
      const chat = await say(session.id, 'Still here?', member);

      expect((await strangerSignals.next()).errors[0].extensions.code).toBe('NOT_FOUND');
      expect(before).toMatchObject({ type: 'REACTION', emoji: '👍' });
      expect(signalsEnd.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(eventsEnd.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(chat.__typename).toBe('NotFoundError');
      await Promise.all([strangerSignals.close(), signals.close(), events.close()]);
    });
  });

  describe('automatic end', () => {
    test('overdue session ends once', async () => {
      const id = await newSession();
      const watcher = server.subscribe(EVENTS, { id }, { token: member.token });
      await watcher.settle();
      await attempt('raiseHand', 'LiveSessionIdInput', { liveSessionId: id }, '{ id }', member);
      await server.database.db.execute(
        sql`update live_sessions set starts_at = now() - interval '3 hours', ends_at = now() - interval '31 minutes' where id = ${rowId(id)}`,
      );
      const hand = (await watcher.next()).data.liveSessionEvents;
      const ended = (await watcher.next(5000)).data.liveSessionEvents;
      const session = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { status raisedHands { raisedAt } } }',
        { id },
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      await watcher.close();

      expect(hand.type).toBe('HAND_RAISED');
      expect(ended).toMatchObject({ type: 'STATUS_CHANGED', liveSession: { status: 'ENDED' } });
      expect(session.body.data.liveSession).toEqual({ status: 'ENDED', raisedHands: [] });
      expect(watcher.results).toHaveLength(2);
    });

    test('session within grace stays live', async () => {
      const id = await newSession();
      await server.database.db.execute(
        sql`update live_sessions set starts_at = now() - interval '2 hours', ends_at = now() - interval '20 minutes' where id = ${rowId(id)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      const session = await server.graphql('query($id: ID!) { liveSession(id: $id) { status } }', {
        id,
      });

      expect(session.body.data.liveSession.status).toBe('LIVE');
    });
  });

  describe('resume', () => {
    test('cursor beyond the log rejected', async () => {
      const id = await newSession();
      const subscription = server.subscribe(
        EVENTS,
        { id, after: '999999999999' },
        { token: other.token },
      );
      const result = await subscription.next();
      await subscription.close();

      expect(result.errors[0].extensions.code).toBe('VALIDATION');
      expect(result.errors[0].message).toContain('does not exist yet');
    });

    test('cut socket resumes without gaps', async () => {
      const id = await newSession();
      const start = await server.graphql(
        'query($id: ID!) { liveSession(id: $id) { eventCursor } }',
        { id },
        { token: other.token },
      );
      const cursor: string = start.body.data.liveSession.eventCursor;
      const firstSocket = server.socket({ token: other.token });
      const first = collect(firstSocket, EVENTS, { id, after: cursor });
      await first.settle();

      // Every kind of lasting room event, sent by two people while the reader's socket is cut.
      const question = (
        await attempt(
          'askQuestion',
          'AskQuestionInput',
          { liveSessionId: id, body: 'Before the cut?' },
          '{ id }',
          member,
        )
      ).data.id;
      // Four people share the messages, so none of them reaches the flood limit of 10 a person.
      const senders = [host, member, other, facilitator];
      const sending = (async () => {
        for (let index = 0; index < 28; index += 1) {
          const sender = senders[index % senders.length] as Person;
          const message = (await say(id, `message ${index}`, sender)).data;
          if (index % 7 === 3) {
            await attempt(
              'editChatMessage',
              'EditChatMessageInput',
              { chatMessageId: message.id, body: `message ${index} (edited)` },
              '{ id }',
              sender,
            );
          }
          if (index % 9 === 4) {
            await attempt(
              'deleteChatMessage',
              'DeleteChatMessageInput',
              { chatMessageId: message.id },
              '{ id }',
              host,
            );
          }
          if (index % 10 === 5) {
            await attempt(
              'voteOnQuestion',
              'VoteOnQuestionInput',
              { questionId: question },
              '{ id }',
              sender,
            );
          }
        }
      })();
      await first.next();
      await first.next();
      await firstSocket.terminate();
      const seenBeforeCut = first.results.map((result) => result.data.liveSessionEvents);
      const lastSeen = seenBeforeCut.at(-1).eventId;
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = server.subscribe(EVENTS, { id, after: lastSeen }, { token: other.token });
      await sending;
      await mutate(
        server,
        'endLiveSession',
        'LiveSessionIdInput',
        { liveSessionId: id },
        'id',
        host.token,
      );
      const afterCut: Json[] = [];
      for (;;) {
        const event = (await second.next(5000)).data.liveSessionEvents;
        afterCut.push(event);
        if (event.type === 'STATUS_CHANGED' && event.liveSession.status === 'ENDED') {
          break;
        }
      }
      await second.close();
      const stored = rowsOf(
        await server.database.db.execute(
          sql`select id, type from events where topic = ${`live-session:${rowId(id)}`} and id > ${Number(cursor)} order by id`,
        ),
      );
      const received = [...seenBeforeCut, ...afterCut];
      const messages = rowsOf(
        await server.database.db.execute(
          sql`select sequence from chat_messages where live_session_id = ${rowId(id)} order by sequence`,
        ),
      );

      expect(seenBeforeCut.length).toBeGreaterThanOrEqual(2);
      expect(received.map((event) => Number(event.eventId))).toEqual(
        stored.map((row) => Number(row.id)),
      );
      expect(new Set(received.map((event) => event.eventId)).size).toBe(received.length);
      expect(received.map((event) => event.type)).toEqual(
        stored.map((row) => String(row.type).toUpperCase()),
      );
      expect(new Set(stored.map((row) => row.type))).toEqual(
        new Set([
          'question_asked',
          'chat_message',
          'chat_message_edited',
          'chat_message_deleted',
          'question_updated',
          'status_changed',
        ]),
      );
      expect(messages.map((row) => Number(row.sequence))).toEqual(
        Array.from({ length: 28 }, (_, index) => index + 1),
      );
    });
  });
});
