import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EMBED_OPERATIONS } from '../../schema/embed-operations.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

describe.each(await databaseKinds())('Thread.latestReply on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: { id: string; token: string };
  let community: { id: string; slug: string };
  const threadIds: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Lena Latest' });
    community = await createCommunityWithMembers(server, owner.token, {
      name: 'Reply Makers',
      slug: 'reply-makers',
      focus: 'STEM',
      visibility: 'PUBLIC',
    });
    for (let index = 0; index < 6; index += 1) {
      const thread = await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: `Thread ${index}`, body: 'Start' },
        'id',
        owner.token,
      );
      threadIds.push(thread.id);
      const top = await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId: thread.id, body: `Top ${index}` },
        'id',
        owner.token,
      );
      await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId: thread.id, parentId: top.id, body: `Nested ${index}` },
        'id',
        owner.token,
      );
    }
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('feed statements stay flat', async () => {
    const feed = (first: number) =>
      server.graphql(EMBED_OPERATIONS.WidgetCommunityFeed, { slug: community.slug, first });
    const small = await feed(2);
    const large = await feed(6);

    expect(small.body.errors).toBeUndefined();
    expect(large.body.data.community.threads.nodes).toHaveLength(6);
    expect(large.body.extensions.sqlStatements).toBe(small.body.extensions.sqlStatements);
  });

  test('newest reply at any depth', async () => {
    const result = await server.graphql(
      `query($slug: String!) { community(slug: $slug) { threads(first: 6) { nodes {
        title latestReply { body } posts(first: 5) { nodes { body } } } } } }`,
      { slug: community.slug },
    );
    const threads = result.body.data.community.threads.nodes;

    expect(result.body.errors).toBeUndefined();
    for (const thread of threads) {
      const index = thread.title.replace('Thread ', '');
      expect(thread.latestReply.body).toBe(`Nested ${index}`);
      expect(thread.posts.nodes.map((post: { body: string }) => post.body)).toEqual([
        `Top ${index}`,
      ]);
    }
  });
});
