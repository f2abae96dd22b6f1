import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const CREATE_THREAD = `mutation($input: CreateThreadInput!) { createThread(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } } } }`;
const CREATE_POST = `mutation($input: CreatePostInput!) { createPost(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } } } }`;

describe.each(await databaseKinds())('bad input on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let member: { id: string; token: string };
  let communityId: string;
  let threadId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    member = await signUpUser(server);
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Input Checks', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        member.token,
      )
    ).id;
    threadId = (
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId, title: 'Baseline', body: 'x' },
        'id',
        member.token,
      )
    ).id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  /** Counts threads and posts, to show that a rejected mutation changed nothing. */
  async function snapshot(): Promise<Json> {
    const result = await server.graphql(
      'query($id: ID!) { node(id: $id) { ... on Community { threadCount threads(first: 100) { nodes { title replyCount } } } } }',
      { id: communityId },
    );
    return result.body.data.node;
  }

  test.each([
    ['an empty title', { title: '' }, 'title', /must not be empty/],
    ['a blank title', { title: '   \t ' }, 'title', /must not be empty/],
    ['an over-long title', { title: 'x'.repeat(201) }, 'title', /at most 200/],
    ['a NUL in the title', { title: 'bad\u0000title' }, 'title', /NUL/],
    ['a NUL in the body', { body: 'bad\u0000body' }, 'body', /NUL/],
    ['an over-long body', { body: 'y'.repeat(20_001) }, 'body', /at most 20000/],
    [
      'a malformed community id',
      { communityId: 'not-an-id' },
      'communityId',
      /not a valid Community id/,
    ],
    [
      'an id of another type',
      { communityId: Buffer.from('Thread:1').toString('base64') },
      'communityId',
      /not a valid Community id/,
    ],
  ])('rejects %s in createThread', async (_name, fields, path, message) => {
    const before = await snapshot();

    const result = await server.graphql(
      CREATE_THREAD,
      { input: { communityId, title: 'Fine title', body: 'Fine body', ...fields } },
      { token: member.token },
    );
    const payload = result.body.data.createThread;

    expect(payload.__typename).toBe('ValidationError');
    expect(payload.issues[0].path).toEqual([path]);
    expect(payload.issues[0].message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  test('answers an unknown community id with NotFoundError', async () => {
    const before = await snapshot();

    const result = await server.graphql(
      CREATE_THREAD,
      {
        input: {
          communityId: Buffer.from('Community:999999').toString('base64'),
          title: 'x',
          body: 'y',
        },
      },
      { token: member.token },
    );

    expect(result.body.data.createThread.__typename).toBe('NotFoundError');
    expect(await snapshot()).toEqual(before);
  });

  test.each([
    ['an empty reply', { body: '' }, 'ValidationError'],
    ['a reply with a NUL', { body: 'a\u0000b' }, 'ValidationError'],
    [
      'an unknown parent',
      { body: 'ok', parentId: Buffer.from('Post:424242').toString('base64') },
      'ValidationError',
    ],
    ['a malformed thread id', { body: 'ok', threadId: '%%%' }, 'ValidationError'],
    [
      'an unknown thread',
      { body: 'ok', threadId: Buffer.from('Thread:424242').toString('base64') },
      'NotFoundError',
    ],
  ])('rejects %s in createPost', async (_name, fields, typename) => {
    const before = await snapshot();

    const result = await server.graphql(
      CREATE_POST,
      { input: { threadId, ...fields } },
      { token: member.token },
    );

    expect(result.body.data.createPost.__typename).toBe(typename);
    expect(await snapshot()).toEqual(before);
  });

  test.each([
    ['a number for a string', (id: string) => ({ input: { threadId: id, body: 42 } })],
    ['a missing required field', (id: string) => ({ input: { threadId: id } })],
    ['an unknown field', (id: string) => ({ input: { threadId: id, body: 'x', extra: true } })],
    ['a null input', () => ({ input: null })],
  ])('answers %s with a GraphQL validation error', async (_name, variablesFor) => {
    const before = await snapshot();

    const result = await server.graphql(CREATE_POST, variablesFor(threadId), {
      token: member.token,
    });

    expect(result.body.data).toBeUndefined();
    expect(result.body.errors[0].message).toMatch(/Variable "\$input"/);
    expect(await snapshot()).toEqual(before);
  });

  test('answers an unknown enum value with a GraphQL error', async () => {
    const result = await server.graphql(
      CREATE_THREAD,
      { input: { communityId, title: 'x', body: 'y', kind: 'RANT' } },
      { token: member.token },
    );

    expect(result.body.errors[0].message).toMatch(/ThreadKind/);
  });

  test('returns null for a malformed id in a query', async () => {
    const result = await server.graphql(
      '{ thread(id: "garbage") { id } node(id: "garbage") { id } }',
    );

    expect(result.body.data).toEqual({ thread: null, node: null });
  });

  test('rejects a query nested too deep', async () => {
    let selection = 'id';
    for (let level = 0; level < 8; level++) {
      selection = `thread { posts { nodes { ${selection} } } }`;
    }

    const result = await server.graphql(
      `query($id: ID!) { node(id: $id) { ... on Post { ${selection} } } }`,
      { id: threadId },
    );

    expect(result.body.data).toBeUndefined();
    expect(result.body.errors[0].message).toMatch(/depth/i);
    expect(result.body.errors[0].extensions.code).toBe('QUERY_LIMIT_EXCEEDED');
  });

  test('rejects a field repeated under many aliases', async () => {
    const aliases = Array.from(
      { length: 50 },
      (_, index) => `a${index}: communities(first: 100) { nodes { id } }`,
    ).join(' ');

    const result = await server.graphql(`{ ${aliases} }`);

    expect(result.body.data).toBeUndefined();
    expect(result.body.errors[0].message).toMatch(/alias/i);
    expect(result.body.errors[0].extensions.code).toBe('QUERY_LIMIT_EXCEEDED');
  });

  test.each([
    ['an empty id', ''],
    ['a non-base64 id', 'x'],
    ['a NUL', '\u0000'],
    ['a negative row id', Buffer.from('Community:-1').toString('base64')],
    ['a row id past 32 bits', Buffer.from('Community:99999999999').toString('base64')],
    ['an exponent', Buffer.from('Community:1e9').toString('base64')],
    ['an id of no row', Buffer.from('Community:424242').toString('base64')],
    ['a very long id', 'A'.repeat(5000)],
  ])('answers node lookups with %s without a server error', async (_name, id) => {
    const result = await server.graphql(
      'query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } thread(id: $id) { id } }',
      { id },
    );

    expect(JSON.stringify(result.body)).not.toMatch(/INTERNAL_SERVER_ERROR/);
    expect(result.body.data?.thread ?? null).toBeNull();
    expect(result.body.data?.node ?? null).toBeNull();
  });

  test.each([
    ['a negative page size', '{ communities(first: -1) { nodes { id } } }', /non-negative/],
    [
      'first and last together',
      '{ communities(first: 1, last: 1) { nodes { id } } }',
      /not supported/,
    ],
    ['a malformed cursor', '{ communities(after: "garbage") { nodes { id } } }', /Invalid cursor/],
  ])('answers %s with a request error', async (_name, query, message) => {
    const result = await server.graphql(query);

    expect(result.body.errors[0].message).toMatch(message);
    expect(result.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test('searches with a NUL character without a server error', async () => {
    const result = await server.graphql(
      'query($search: String!, $slug: String!) { communities(search: $search) { nodes { id } } community(slug: $slug) { id } }',
      {
        search: 'In\u0000put',
        slug: 'input\u0000checks',
      },
    );

    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.communities.nodes).toHaveLength(1);
    expect(result.body.data.community).toBeNull();
  });

  test('rejects more than 100 ids in nodes', async () => {
    const ids = Array.from({ length: 101 }, (_, index) =>
      Buffer.from(`Post:${index + 1}`).toString('base64'),
    );

    const result = await server.graphql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });

    expect(result.body.errors[0].message).toMatch(/at most 100 ids/);
    expect(result.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test('rejects a request body over 1 MiB', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ __typename }',
        variables: { padding: 'x'.repeat(1024 * 1024) },
      }),
    });

    expect(response.status).toBe(413);
  });

  test('rejects malformed JSON', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":',
    });

    expect(response.status).toBe(400);
  });
});
