/**
 * Blocking: once one person blocks another, neither sees the other's threads, posts or chat
 * messages, in lists, counts, lookups by id and live events, until the block ends.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { persistedBody, readEventStream } from '../helpers/embed.ts';
import {
  createCommunityWithMembers,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

interface Person {
  id: string;
  token: string;
}

const COMMUNITY = `query($slug: String!) { community(slug: $slug) { threadCount
  threads(first: 50) { nodes { id title latestReply { body } } } } }`;
const THREAD = `query($id: ID!) { thread(id: $id) { id title
  posts(first: 50) { nodes { id body replies { id body } } } } }`;
const NODE = 'query($id: ID!) { node(id: $id) { id } }';
const BLOCKED_PEOPLE = 'query { viewer { blockedPeople(first: 10) { nodes { id displayName } } } }';
const HAS_BLOCKED =
  'query($id: ID!) { node(id: $id) { ... on User { viewerHasBlocked blockedPeople(first: 5) { nodes { id } } } } }';
const THREAD_ACTIVITY = `subscription($threadId: ID!) { threadActivity(threadId: $threadId) {
  type post { body author { id } } } }`;
const COMMUNITY_ACTIVITY = `subscription($communityId: ID!) { communityActivity(communityId: $communityId) {
  type thread { title } post { body } } }`;

describe.each(await databaseKinds())('blocking on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let alice: Person;
  let bob: Person;
  let community: { id: string; slug: string };

  const createThread = (person: Person, title: string) =>
    mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId: community.id, title, body: `${title} body` },
      'id',
      person.token,
    );
  const reply = (person: Person, threadId: string, body: string, parentId?: string) =>
    mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body, ...(parentId && { parentId }) },
      'id',
      person.token,
    );
  const block = (blocker: Person, blocked: Person, field = 'blockPerson') =>
    mutate(server, field, 'BlockPersonInput', { userId: blocked.id }, 'id', blocker.token);
  const query = async (person: Person, document: string, variables: Json = {}) => {
    const result = await server.graphql(document, variables, { token: person.token });
    expect(result.body.errors).toBeUndefined();
    return result.body.data;
  };
  const threadTitles = async (person: Person) =>
    (await query(person, COMMUNITY, { slug: community.slug })).community.threads.nodes.map(
      (thread: Json) => thread.title,
    );
  const postBodies = async (person: Person, threadId: string) => {
    const thread = (await query(person, THREAD, { id: threadId })).thread;
    return thread.posts.nodes.flatMap((post: Json) => [
      post.body,
      ...post.replies.map((nested: Json) => nested.body),
    ]);
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Olive Owner' });
    alice = await signUpUser(server, { displayName: 'Alice Blocker' });
    bob = await signUpUser(server, { displayName: 'Bob Blocked' });
    community = await createCommunityWithMembers(
      server,
      owner.token,
      { name: 'Block Party', slug: `block-party-${kind}`, focus: 'STEM', visibility: 'PUBLIC' },
      [alice.token, bob.token],
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('blockPerson', () => {
    test('rejects blocking yourself', async () => {
      const result = await server.graphql(
        `mutation($input: BlockPersonInput!) { blockPerson(input: $input) {
          __typename ... on ValidationError { issues { path message } } } }`,
        { input: { userId: alice.id } },
        { token: alice.token },
      );

      expect(result.body.data.blockPerson.__typename).toBe('ValidationError');
      expect(result.body.data.blockPerson.issues[0].path).toEqual(['userId']);
    });

    test('rejects an unknown person', async () => {
      const result = await server.graphql(
        `mutation($input: BlockPersonInput!) { blockPerson(input: $input) { __typename } }`,
        { input: { userId: 'VXNlcjo5OTk5OTk=' } },
        { token: alice.token },
      );

      expect(result.body.data.blockPerson.__typename).toBe('NotFoundError');
    });

    test('rejects a signed-out request', async () => {
      const result = await server.graphql(
        `mutation($input: BlockPersonInput!) { blockPerson(input: $input) { __typename } }`,
        { input: { userId: bob.id } },
      );

      expect(result.body.data.blockPerson.__typename).toBe('UnauthenticatedError');
    });
  });

  describe('reads after a block', () => {
    let ownerThread: string;
    let bobThread: string;
    let aliceThread: string;
    let bobPost: string;
    let bobNested: string;

    beforeAll(async () => {
      ownerThread = (await createThread(owner, 'Owner thread')).id;
      bobThread = (await createThread(bob, 'Bob thread')).id;
      aliceThread = (await createThread(alice, 'Alice thread')).id;
      const ownerPost = await reply(owner, ownerThread, 'Owner reply');
      bobPost = (await reply(bob, ownerThread, 'Bob reply')).id;
      bobNested = (await reply(bob, ownerThread, 'Bob nested', ownerPost.id)).id;
      await reply(alice, ownerThread, 'Alice reply');
      await reply(bob, aliceThread, 'Bob in Alice thread');
      await block(alice, bob);
    });

    test('hides threads both ways in lists', async () => {
      expect(await threadTitles(alice)).not.toContain('Bob thread');
      expect(await threadTitles(bob)).not.toContain('Alice thread');
      expect(await threadTitles(alice)).toContain('Owner thread');
      expect(await threadTitles(owner)).toEqual(
        expect.arrayContaining(['Owner thread', 'Bob thread', 'Alice thread']),
      );
    });

    test('counts only visible threads', async () => {
      const count = async (person: Person) =>
        (await query(person, COMMUNITY, { slug: community.slug })).community.threadCount;

      expect(await count(owner)).toBe(3);
      expect(await count(alice)).toBe(2);
      expect(await count(bob)).toBe(2);
    });

    test('hides posts and nested replies both ways', async () => {
      const asAlice = await postBodies(alice, ownerThread);
      const asBob = await postBodies(bob, ownerThread);
      const asOwner = await postBodies(owner, ownerThread);

      expect(asAlice).toEqual(['Owner reply', 'Alice reply']);
      expect(asBob).toEqual(['Owner reply', 'Bob nested', 'Bob reply']);
      expect(asOwner).toEqual(['Owner reply', 'Bob nested', 'Bob reply', 'Alice reply']);
    });

    test('skips blocked replies in latestReply', async () => {
      const latest = async (person: Person, threadId: string) => {
        const data = await query(person, COMMUNITY, { slug: community.slug });
        return data.community.threads.nodes.find((thread: Json) => thread.id === threadId)
          ?.latestReply?.body;
      };

      expect(await latest(alice, ownerThread)).toBe('Alice reply');
      expect(await latest(bob, ownerThread)).toBe('Bob nested');
      expect(await latest(alice, aliceThread)).toBeUndefined();
      expect(await latest(owner, aliceThread)).toBe('Bob in Alice thread');
    });

    test('returns null for lookups by id', async () => {
      expect((await query(alice, THREAD, { id: bobThread })).thread).toBeNull();
      expect((await query(bob, THREAD, { id: aliceThread })).thread).toBeNull();
      expect((await query(alice, NODE, { id: bobThread })).node).toBeNull();
      expect((await query(alice, NODE, { id: bobPost })).node).toBeNull();
      expect((await query(alice, NODE, { id: bobNested })).node).toBeNull();
      expect((await query(owner, NODE, { id: bobPost })).node).toEqual({ id: bobPost });
      expect((await query(owner, THREAD, { id: bobThread })).thread.title).toBe('Bob thread');
    });

    test('rejects replies to a hidden thread', async () => {
      const result = await server.graphql(
        `mutation($input: CreatePostInput!) { createPost(input: $input) { __typename } }`,
        { input: { threadId: aliceThread, body: 'Can I still reply?' } },
        { token: bob.token },
      );

      expect(result.body.data.createPost.__typename).toBe('NotFoundError');
    });

    test('rejects reactions to hidden posts', async () => {
      const result = await server.graphql(
        `mutation($input: ReactInput!) { react(input: $input) { __typename } }`,
        { input: { postId: bobPost, kind: 'LIKE', active: true } },
        { token: alice.token },
      );

      expect(result.body.data.react.__typename).toBe('NotFoundError');
    });

    test('lists blocked people to the blocker only', async () => {
      const mine = await query(alice, BLOCKED_PEOPLE);
      const theirs = await query(owner, HAS_BLOCKED, { id: alice.id });
      const onProfile = await query(alice, HAS_BLOCKED, { id: bob.id });
      const reverse = await query(bob, HAS_BLOCKED, { id: alice.id });

      expect(mine.viewer.blockedPeople.nodes).toEqual([{ id: bob.id, displayName: 'Bob Blocked' }]);
      expect(theirs.node.blockedPeople).toBeNull();
      expect(onProfile.node.viewerHasBlocked).toBe(true);
      expect(reverse.node.viewerHasBlocked).toBe(false);
    });

    test('unblock restores lists and lookups', async () => {
      await block(alice, bob, 'unblockPerson');

      expect(await threadTitles(alice)).toContain('Bob thread');
      expect(await threadTitles(bob)).toContain('Alice thread');
      expect(await postBodies(alice, ownerThread)).toContain('Bob reply');
      expect((await query(alice, NODE, { id: bobPost })).node).toEqual({ id: bobPost });
      expect((await query(alice, BLOCKED_PEOPLE)).viewer.blockedPeople.nodes).toEqual([]);

      await block(alice, bob);
    });
  });

  describe('live events', () => {
    test('skips thread events both ways over WebSocket', async () => {
      const thread = await createThread(owner, 'Live thread');
      const asAlice = server.subscribe(THREAD_ACTIVITY, { threadId: thread.id }, alice);
      const asBob = server.subscribe(THREAD_ACTIVITY, { threadId: thread.id }, bob);
      const asOwner = server.subscribe(THREAD_ACTIVITY, { threadId: thread.id }, owner);
      await Promise.all([asAlice.settle(), asBob.settle(), asOwner.settle()]);

      await reply(bob, thread.id, 'Bob live');
      await reply(alice, thread.id, 'Alice live');
      await reply(owner, thread.id, 'Owner live');

      const bodies = async (subscription: typeof asAlice, count: number) => {
        const received: string[] = [];
        for (let index = 0; index < count; index++) {
          received.push((await subscription.next()).data.threadActivity.post.body);
        }
        return received;
      };
      expect(await bodies(asOwner, 3)).toEqual(['Bob live', 'Alice live', 'Owner live']);
      expect(await bodies(asAlice, 2)).toEqual(['Alice live', 'Owner live']);
      expect(await bodies(asBob, 2)).toEqual(['Bob live', 'Owner live']);
      await Promise.all([asAlice.close(), asBob.close(), asOwner.close()]);
    });

    test('skips community events of blocked threads', async () => {
      const asAlice = server.subscribe(COMMUNITY_ACTIVITY, { communityId: community.id }, alice);
      await asAlice.settle();

      await createThread(bob, 'Bob live thread');
      await createThread(owner, 'Owner live thread');

      const first = (await asAlice.next()).data.communityActivity;
      expect(first.thread.title).toBe('Owner live thread');
      await asAlice.close();
    });

    test('skips blocked events over server-sent events', async () => {
      const thread = await createThread(owner, 'Streamed thread');
      const controller = new AbortController();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${alice.token}`,
        },
        body: JSON.stringify({ query: THREAD_ACTIVITY, variables: { threadId: thread.id } }),
      });
      const stream = readEventStream(response);
      await new Promise((resolve) => setTimeout(resolve, 300));

      await reply(bob, thread.id, 'Bob streamed');
      await reply(owner, thread.id, 'Owner streamed');
      const arrived = await stream.waitFor(() => stream.text.includes('Owner streamed'));
      controller.abort();

      expect(arrived).toBe(true);
      expect(stream.text).not.toContain('Bob streamed');
    });

    test('rejects subscribing to a blocked thread', async () => {
      const thread = await createThread(bob, 'Bob hidden live');
      const asAlice = server.subscribe(THREAD_ACTIVITY, { threadId: thread.id }, alice);

      const result = await asAlice.next();

      expect(result.data).toBeUndefined();
      expect(result.errors[0].extensions.code).toBe('NOT_FOUND');
      await asAlice.close();
    });

    test('delivers again after unblock', async () => {
      const thread = await createThread(owner, 'Reopened thread');
      const asAlice = server.subscribe(THREAD_ACTIVITY, { threadId: thread.id }, alice);
      await asAlice.settle();

      await reply(bob, thread.id, 'Bob while blocked');
      await reply(owner, thread.id, 'Owner while blocked');
      // Blocks apply when an event is delivered, so the unblock waits until both were delivered.
      const whileBlocked = (await asAlice.next()).data.threadActivity.post.body;
      await block(alice, bob, 'unblockPerson');
      await reply(bob, thread.id, 'Bob after unblock');
      const afterUnblock = (await asAlice.next()).data.threadActivity.post.body;

      expect(whileBlocked).toBe('Owner while blocked');
      expect(afterUnblock).toBe('Bob after unblock');
      await asAlice.close();
      await block(alice, bob);
    });
  });
  describe('chat and answers', () => {
    const CHAT_EVENTS = `subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) {
      type chatMessage { body } } }`;
    const CHAT_LIST = `query($id: ID!) { node(id: $id) { ... on LiveSession {
      chatMessages(first: 50) { nodes { id body } } } } }`;
    const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const say = (person: Person, liveSessionId: string, body: string) =>
      mutate(
        server,
        'sendChatMessage',
        'SendChatMessageInput',
        { liveSessionId, body },
        'id',
        person.token,
      );

    test('hides chat messages both ways', async () => {
      const session = await mutate(
        server,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId: community.id,
          title: 'Blocked chat',
          startsAt: inHours(1),
          endsAt: inHours(2),
          timeZone: 'America/Chicago',
        },
        'id',
        owner.token,
      );
      const asAlice = server.subscribe(CHAT_EVENTS, { id: session.id }, alice);
      await asAlice.settle();

      const bobMessage = await say(bob, session.id, 'Bob chats');
      await say(owner, session.id, 'Owner chats');
      const firstEvent = (await asAlice.next()).data.liveSessionEvents;
      await asAlice.close();
      const bodies = async (person: Person) =>
        (await query(person, CHAT_LIST, { id: session.id })).node.chatMessages.nodes.map(
          (message: Json) => message.body,
        );

      expect(firstEvent.chatMessage.body).toBe('Owner chats');
      expect(await bodies(alice)).toEqual(['Owner chats']);
      expect(await bodies(owner)).toEqual(['Bob chats', 'Owner chats']);
      expect((await query(alice, NODE, { id: bobMessage.id })).node).toBeNull();
      expect((await query(owner, NODE, { id: bobMessage.id })).node).toEqual({
        id: bobMessage.id,
      });
    });

    test('hides questions both ways', async () => {
      const session = await mutate(
        server,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId: community.id,
          title: 'Blocked questions',
          startsAt: inHours(1),
          endsAt: inHours(2),
          timeZone: 'America/Chicago',
        },
        'id',
        owner.token,
      );
      const QUESTION_EVENTS = `subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) {
        type question { body } } }`;
      const QUESTIONS = `query($id: ID!) { node(id: $id) { ... on LiveSession {
        questions(first: 20, orderBy: OLDEST) { nodes { id body } } } } }`;
      const ask = (person: Person, body: string) =>
        mutate(
          server,
          'askQuestion',
          'AskQuestionInput',
          { liveSessionId: session.id, body },
          'id',
          person.token,
        );
      const asBob = server.subscribe(QUESTION_EVENTS, { id: session.id }, bob);
      await asBob.settle();

      const aliceQuestion = await ask(alice, 'Alice asks');
      const ownerQuestion = await ask(owner, 'Owner asks');
      const firstEvent = (await asBob.next()).data.liveSessionEvents;
      await asBob.close();
      const bodies = async (person: Person) =>
        (await query(person, QUESTIONS, { id: session.id })).node.questions.nodes.map(
          (question: Json) => question.body,
        );

      expect(firstEvent.question.body).toBe('Owner asks');
      expect(await bodies(bob)).toEqual(['Owner asks']);
      expect(await bodies(owner)).toEqual(['Alice asks', 'Owner asks']);
      expect((await query(bob, NODE, { id: ownerQuestion.id })).node).toEqual({
        id: ownerQuestion.id,
      });
      expect((await query(bob, NODE, { id: aliceQuestion.id })).node).toBeNull();
    });

    test('hides a blocked accepted answer', async () => {
      const question = await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: 'Which book?', body: 'Help', kind: 'QUESTION' },
        'id',
        owner.token,
      );
      const answer = await reply(bob, question.id, 'Bob answers');
      await mutate(
        server,
        'acceptAnswer',
        'AcceptAnswerInput',
        { threadId: question.id, postId: answer.id },
        'id',
        owner.token,
      );
      const ANSWER = 'query($id: ID!) { thread(id: $id) { acceptedAnswer { body } } }';

      expect((await query(alice, ANSWER, { id: question.id })).thread.acceptedAnswer).toBeNull();
      expect((await query(owner, ANSWER, { id: question.id })).thread.acceptedAnswer).toEqual({
        body: 'Bob answers',
      });
    });
  });
  describe('widgets', () => {
    const PORTAL = 'https://portal.example.org';

    test('leave blocked threads out of the feed', async () => {
      const created = await mutate(
        server,
        'createEmbedKey',
        'CreateEmbedKeyInput',
        { communityId: community.id, name: 'Portal', allowedOrigins: [PORTAL] },
        'key',
        owner.token,
      );
      const feedAs = async (person: Person) => {
        const widget = await mutate(
          server,
          'createWidgetToken',
          'CreateWidgetTokenInput',
          { embedKey: created.key, origin: PORTAL },
          'token',
          person.token,
        );
        const response = await fetch(`${server.url}/embed/graphql?key=${created.key}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: PORTAL,
            authorization: `Bearer ${widget.token}`,
          },
          body: JSON.stringify(
            persistedBody('WidgetCommunityFeed', { slug: community.slug, first: 50 }),
          ),
        });
        const body = await response.json();
        expect(body.errors).toBeUndefined();
        return body.data.community.threads.nodes.map((thread: Json) => thread.title);
      };

      const asAlice = await feedAs(alice);
      const asOwner = await feedAs(owner);

      expect(asAlice).not.toContain('Bob thread');
      expect(asAlice).toContain('Owner thread');
      expect(asOwner).toContain('Bob thread');
    });
  });
});
