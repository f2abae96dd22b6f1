/**
 * Flood limits on threads, replies and chat messages per person per minute, stricter for new
 * accounts and shared by every server process, and link holds: a new account's thread or reply
 * with a link waits for a facilitator's review.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { posts, reports, threads, users } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  graphqlAt,
  type ServerProcess,
  startServerProcess,
  succeedAt,
} from '../helpers/process.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

interface Person {
  id: string;
  token: string;
}

const LIMITS_ON = { FLOOD_LIMITS: 'true', NEW_ACCOUNT_DAYS: '7' };
const HOUR = 60 * 60 * 1000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

/** Selects every outcome of a write: its data, or its typed error with the wait. */
function writeDocument(field: string, inputType: string, selection: string): string {
  const success = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  return `mutation($input: ${inputType}!) { ${field}(input: $input) {
    __typename ... on Error { message } ... on RateLimitedError { retryAfterSeconds }
    ... on ${success} { data { ${selection} } } } }`;
}

const CREATE_POST = writeDocument('createPost', 'CreatePostInput', 'id held');
const CREATE_THREAD = writeDocument('createThread', 'CreateThreadInput', 'id held');
const SEND_CHAT = writeDocument('sendChatMessage', 'SendChatMessageInput', 'id');

describe.each(await databaseKinds())('flood limits and link holds on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let member: Person;
  let communityId: string;
  let threadId: string;

  const write = async (document: string, field: string, input: Json, person: Person) => {
    const result = await server.graphql(document, { input }, { token: person.token });
    expect(result.body.errors).toBeUndefined();
    return result.body.data[field];
  };
  const replyAs = (person: Person, body: string, thread = threadId) =>
    write(CREATE_POST, 'createPost', { threadId: thread, body }, person);
  const startThreadAs = (person: Person, title: string, body = 'Plain text') =>
    write(CREATE_THREAD, 'createThread', { communityId, title, body }, person);
  const join = (person: Person) =>
    mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', person.token);
  /** Dates the account back 30 days, past the new-account age of 7 days. */
  const establish = async (person: Person) => {
    await server.database.db
      .update(users)
      .set({ createdAt: sql`now() - interval '30 days'` })
      .where(eq(users.id, rowIdOf(person.id)));
  };
  const newcomer = async (displayName: string) => {
    const person = await signUpUser(server, { displayName });
    await join(person);
    return person;
  };
  const postsBy = async (person: Person) => {
    const [row] = await server.database.db
      .select({ total: count() })
      .from(posts)
      .where(eq(posts.authorId, rowIdOf(person.id)));
    return row?.total;
  };
  const threadsBy = async (person: Person) => {
    const [row] = await server.database.db
      .select({ total: count() })
      .from(threads)
      .where(eq(threads.authorId, rowIdOf(person.id)));
    return row?.total;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database, env: LIMITS_ON });
    owner = await signUpUser(server, { displayName: 'Oona Owner' });
    member = await signUpUser(server, { displayName: 'Mara Member' });
    await establish(owner);
    await establish(member);
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Flood Watch', focus: 'STEM', visibility: 'PUBLIC' },
        'id',
        owner.token,
      )
    ).id;
    await join(member);
    threadId = (await startThreadAs(owner, 'Reply here')).data.id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('createPost', () => {
    test('limits new accounts to three replies', async () => {
      const person = await newcomer('Nina New');
      const outcomes = [];
      for (let index = 0; index < 4; index++) {
        outcomes.push(await replyAs(person, `New reply ${index}`));
      }

      expect(outcomes.slice(0, 3).map((outcome) => outcome.__typename)).toEqual(
        Array(3).fill('MutationCreatePostSuccess'),
      );
      expect(outcomes[3].__typename).toBe('RateLimitedError');
      expect(outcomes[3].retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(outcomes[3].retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(outcomes[3].message).toMatch(/3 replies a minute for accounts younger than 7 days/);
      expect(await postsBy(person)).toBe(3);
    });

    test('allows established accounts ten replies', async () => {
      const person = await newcomer('Ezra Established');
      await establish(person);
      const outcomes = [];
      for (let index = 0; index < 11; index++) {
        outcomes.push((await replyAs(person, `Established reply ${index}`)).__typename);
      }

      expect(outcomes.slice(0, 10)).toEqual(Array(10).fill('MutationCreatePostSuccess'));
      expect(outcomes[10]).toBe('RateLimitedError');
      expect(await postsBy(person)).toBe(10);
    });

    test('counts each person separately', async () => {
      const first = await newcomer('Fay First');
      const second = await newcomer('Sid Second');
      for (let index = 0; index < 3; index++) {
        await replyAs(first, `First ${index}`);
      }

      expect((await replyAs(first, 'First over')).__typename).toBe('RateLimitedError');
      expect((await replyAs(second, 'Second fine')).__typename).toBe('MutationCreatePostSuccess');
    });
  });

  describe('createThread', () => {
    test('limits new accounts to one thread', async () => {
      const person = await newcomer('Theo Thread');
      const first = await startThreadAs(person, 'First thread');
      const second = await startThreadAs(person, 'Second thread');

      expect(first.__typename).toBe('MutationCreateThreadSuccess');
      expect(second.__typename).toBe('RateLimitedError');
      expect(second.message).toMatch(/1 threads a minute/);
      expect(await threadsBy(person)).toBe(1);
    });

    test('allows established accounts three threads', async () => {
      const person = await newcomer('Tess Threads');
      await establish(person);
      const outcomes = [];
      for (let index = 0; index < 4; index++) {
        outcomes.push((await startThreadAs(person, `Thread ${index}`)).__typename);
      }

      expect(outcomes.slice(0, 3)).toEqual(Array(3).fill('MutationCreateThreadSuccess'));
      expect(outcomes[3]).toBe('RateLimitedError');
      expect(await threadsBy(person)).toBe(3);
    });
  });

  describe('sendChatMessage', () => {
    test('limits new accounts to six messages', async () => {
      const session = await mutate(
        server,
        'scheduleLiveSession',
        'ScheduleLiveSessionInput',
        {
          communityId,
          title: 'Chatty hour',
          startsAt: inHours(1),
          endsAt: inHours(2),
          timeZone: 'America/Denver',
        },
        'id',
        owner.token,
      );
      const person = await newcomer('Cleo Chat');
      const outcomes = [];
      for (let index = 0; index < 7; index++) {
        outcomes.push(
          await write(
            SEND_CHAT,
            'sendChatMessage',
            { liveSessionId: session.id, body: `Hello ${index}` },
            person,
          ),
        );
      }

      expect(outcomes.slice(0, 6).map((outcome) => outcome.__typename)).toEqual(
        Array(6).fill('MutationSendChatMessageSuccess'),
      );
      expect(outcomes[6].__typename).toBe('RateLimitedError');
      expect(outcomes[6].message).toMatch(/6 chat messages a minute/);
    });
  });

  describe('link holds', () => {
    const THREAD_POSTS = `query($id: ID!) { thread(id: $id) { posts(first: 50) {
      nodes { id body held } } } }`;
    const COMMUNITY_THREADS = `query($id: ID!) { node(id: $id) { ... on Community {
      threads(first: 50) { nodes { id held } } } } }`;

    const postIdsSeenBy = async (person: Person | null, thread = threadId) => {
      const result = await server.graphql(THREAD_POSTS, { id: thread }, { token: person?.token });
      return result.body.data.thread.posts.nodes as { id: string; body: string; held: boolean }[];
    };
    const heldReports = async (column: 'postId' | 'threadId', id: string) =>
      server.database.db
        .select({ status: reports.status, reporterId: reports.reporterId })
        .from(reports)
        .where(and(eq(reports[column], rowIdOf(id)), eq(reports.reason, 'held_link')));

    test('holds a new account reply with a link', async () => {
      const person = await newcomer('Lina Link');
      const outcome = await replyAs(person, 'Look at https://example.org/worksheet');

      expect(outcome.__typename).toBe('MutationCreatePostSuccess');
      expect(outcome.data.held).toBe(true);
      const id = outcome.data.id;
      expect((await postIdsSeenBy(member)).map((post) => post.id)).not.toContain(id);
      expect((await postIdsSeenBy(null)).map((post) => post.id)).not.toContain(id);
      expect((await postIdsSeenBy(person)).find((post) => post.id === id)?.held).toBe(true);
      expect((await postIdsSeenBy(owner)).find((post) => post.id === id)).toEqual({
        id,
        body: 'Look at https://example.org/worksheet',
        held: true,
      });
      expect(await heldReports('postId', id)).toEqual([{ status: 'open', reporterId: null }]);
    });

    test('holds markdown links too', async () => {
      const person = await newcomer('Mark Down');
      const outcome = await replyAs(person, 'The [worksheet](/files/1) is ready');

      expect(outcome.data.held).toBe(true);
    });

    test('holds a link added by an edit', async () => {
      const person = await newcomer('Eddie Edit');
      const outcome = await replyAs(person, 'Plain at first');
      const edited = await mutate(
        server,
        'editPost',
        'EditPostInput',
        { postId: outcome.data.id, body: 'Now with https://example.org/sneaky' },
        'id held',
        person.token,
      );

      expect(outcome.data.held).toBe(false);
      expect(edited.held).toBe(true);
      expect((await postIdsSeenBy(member)).map((post) => post.id)).not.toContain(outcome.data.id);
      expect(await heldReports('postId', outcome.data.id)).toEqual([
        { status: 'open', reporterId: null },
      ]);
    });

    test('passes new account replies without links', async () => {
      const person = await newcomer('Pia Plain');
      const outcome = await replyAs(person, 'No links here, only words.');

      expect(outcome.data.held).toBe(false);
      expect((await postIdsSeenBy(member)).map((post) => post.id)).toContain(outcome.data.id);
    });

    test('passes established accounts links', async () => {
      const outcome = await replyAs(member, 'Established https://example.org/ok');

      expect(outcome.data.held).toBe(false);
      expect((await postIdsSeenBy(null)).map((post) => post.id)).toContain(outcome.data.id);
    });

    test('holds a new account thread with a link', async () => {
      const person = await newcomer('Tara Thread');
      const outcome = await startThreadAs(person, 'Resources', 'See www.example.org for more');
      const seenBy = async (viewer: Person) => {
        const result = await server.graphql(
          COMMUNITY_THREADS,
          { id: communityId },
          { token: viewer.token },
        );
        return result.body.data.node.threads.nodes as { id: string; held: boolean }[];
      };
      const id = outcome.data.id;
      const lookup = (viewer: Person) =>
        server.graphql('query($id: ID!) { thread(id: $id) { id held } }', { id }, viewer);

      expect(outcome.data.held).toBe(true);
      expect((await seenBy(member)).map((thread) => thread.id)).not.toContain(id);
      expect((await seenBy(owner)).find((thread) => thread.id === id)?.held).toBe(true);
      expect((await seenBy(person)).find((thread) => thread.id === id)?.held).toBe(true);
      expect((await lookup(member)).body.data.thread).toBeNull();
      expect((await lookup(person)).body.data.thread).toEqual({ id, held: true });
      expect(await heldReports('threadId', id)).toEqual([{ status: 'open', reporterId: null }]);
    });

    test('approval shows the reply to everyone', async () => {
      const document = `subscription($threadId: ID!) { threadActivity(threadId: $threadId) {
        type post { body held } } }`;
      const person = await newcomer('Ada Approved');
      const outcome = await replyAs(person, 'Approved https://example.org/later');
      const asMember = server.subscribe(document, { threadId }, member);
      await asMember.settle();
      const [report] = await server.database.db
        .select({ id: reports.id })
        .from(reports)
        .where(eq(reports.postId, rowIdOf(outcome.data.id)));

      await mutate(
        server,
        'resolveReport',
        'ResolveReportInput',
        { reportId: encodeGlobalID('Report', String(report?.id)), action: 'APPROVE' },
        'id',
        owner.token,
      );
      const event = (await asMember.next()).data.threadActivity;
      await asMember.close();

      expect(event).toEqual({
        type: 'POST_RESTORED',
        post: { body: 'Approved https://example.org/later', held: false },
      });
      expect((await postIdsSeenBy(member)).map((post) => post.id)).toContain(outcome.data.id);
    });

    test('sends held reply events to author and moderators', async () => {
      const document = `subscription($threadId: ID!) { threadActivity(threadId: $threadId) {
        type post { body held } } }`;
      const asMember = server.subscribe(document, { threadId }, member);
      const asOwner = server.subscribe(document, { threadId }, owner);
      const person = await newcomer('Evan Event');
      const asAuthor = server.subscribe(document, { threadId }, person);
      await Promise.all([asMember.settle(), asOwner.settle(), asAuthor.settle()]);

      await replyAs(person, 'Held https://example.org/event');
      await replyAs(member, 'Visible to all');
      const first = async (subscription: typeof asMember) =>
        (await subscription.next()).data.threadActivity.post;

      expect(await first(asMember)).toEqual({ body: 'Visible to all', held: false });
      expect(await first(asOwner)).toEqual({ body: 'Held https://example.org/event', held: true });
      expect(await first(asAuthor)).toEqual({ body: 'Held https://example.org/event', held: true });
      await Promise.all([asMember.close(), asOwner.close(), asAuthor.close()]);
    });
  });
});

const postgresReady = await servicesAvailable('postgres');

describe.skipIf(!postgresReady)('flood limits across two server processes', () => {
  let database: TestDatabase;
  let first: ServerProcess;
  let second: ServerProcess;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = { DATABASE_URL: database.url as string, ...LIMITS_ON };
    [first, second] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });

  afterAll(async () => {
    await first?.terminate();
    await second?.terminate();
    await database?.drop();
  });

  test('share one count of replies', async () => {
    const signUp = async (email: string) => {
      const result = await graphqlAt(
        first.url,
        `mutation($input: SignUpInput!) { signUp(input: $input) {
          ... on MutationSignUpSuccess { data { token } } } }`,
        { input: { email, password: 'flood limit password', displayName: email.split('@')[0] } },
      );
      return { token: result.body.data.signUp.data.token as string };
    };
    const owner = await signUp('owner@flood.example.org');
    const newcomer = await signUp('newcomer@flood.example.org');
    const community = await succeedAt(
      first.url,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Shared Flood', focus: 'STEM', visibility: 'PUBLIC' },
      owner.token,
    );
    await succeedAt(
      second.url,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: community.id },
      newcomer.token,
    );
    const thread = await succeedAt(
      first.url,
      'createThread',
      'CreateThreadInput',
      { communityId: community.id, title: 'Across processes', body: 'Reply on both' },
      owner.token,
    );
    const reply = async (url: string, body: string) => {
      const result = await graphqlAt(
        url,
        CREATE_POST,
        { input: { threadId: thread.id, body } },
        newcomer.token,
      );
      return result.body.data.createPost.__typename as string;
    };

    const outcomes = [
      await reply(first.url, 'One on first'),
      await reply(second.url, 'Two on second'),
      await reply(first.url, 'Three on first'),
      await reply(second.url, 'Four on second'),
      await reply(first.url, 'Five on first'),
    ];

    expect(outcomes.slice(0, 3)).toEqual(Array(3).fill('MutationCreatePostSuccess'));
    expect(outcomes[3]).toBe('RateLimitedError');
    expect(outcomes[4]).toBe('RateLimitedError');
    const listed = await graphqlAt(
      second.url,
      'query($id: ID!) { thread(id: $id) { posts(first: 10) { nodes { body } } } }',
      { id: thread.id },
    );
    expect(listed.body.data.thread.posts.nodes.map((post: Json) => post.body)).toEqual([
      'One on first',
      'Two on second',
      'Three on first',
    ]);
  });
});
