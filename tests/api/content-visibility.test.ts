/**
 * Removed threads and replies: only the community's moderators still see them, marked, with the
 * removal reason; everyone else finds them gone from lists, counts and lookups by id.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
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

const THREAD = `query($id: ID!) { thread(id: $id) { id title removed removalReason
  posts(first: 20) { nodes { id body removed removalReason } } } }`;
const COMMUNITY = `query($slug: String!) { community(slug: $slug) { threadCount
  threads(first: 20) { nodes { id removed } } } }`;
const NODE = 'query($id: ID!) { node(id: $id) { ... on Post { body removed } } }';

describe.each(await databaseKinds())('removed content on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let member: Person;
  let community: { id: string; slug: string };
  let threadId: string;
  let removedThreadId: string;
  let removedPostId: string;

  const query = async (person: Person | null, document: string, variables: Json) => {
    const result = await server.graphql(document, variables, { token: person?.token });
    expect(result.body.errors).toBeUndefined();
    return result.body.data;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Mona Moderator' });
    member = await signUpUser(server, { displayName: 'Rudi Reader' });
    community = await createCommunityWithMembers(
      server,
      owner.token,
      { name: 'Tidy Room', slug: `tidy-room-${kind}`, focus: 'STEM', visibility: 'PUBLIC' },
      [member.token],
    );
    const create = (title: string) =>
      mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title, body: 'Body' },
        'id',
        member.token,
      );
    threadId = (await create('Kept thread')).id;
    removedThreadId = (await create('Removed thread')).id;
    removedPostId = (
      await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId, body: 'Off-topic advert' },
        'id',
        member.token,
      )
    ).id;
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'Useful reply' },
      'id',
      member.token,
    );
    await mutate(
      server,
      'removePost',
      'RemovePostInput',
      { postId: removedPostId, reason: 'Advertising' },
      'id',
      owner.token,
    );
    await mutate(
      server,
      'removeThread',
      'RemoveThreadInput',
      { threadId: removedThreadId, reason: 'Duplicate' },
      'id',
      owner.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('hides removed replies from members', async () => {
    const posts = (await query(member, THREAD, { id: threadId })).thread.posts.nodes;

    expect(posts.map((post: Json) => post.body)).toEqual(['Useful reply']);
  });

  test('shows moderators removed replies marked', async () => {
    const posts = (await query(owner, THREAD, { id: threadId })).thread.posts.nodes;
    const removed = posts.find((post: Json) => post.id === removedPostId);

    expect(removed).toEqual({
      id: removedPostId,
      body: 'Off-topic advert',
      removed: true,
      removalReason: 'Advertising',
    });
  });

  test('hides removed threads from lists and counts', async () => {
    const asMember = (await query(member, COMMUNITY, { slug: community.slug })).community;
    const asGuest = (await query(null, COMMUNITY, { slug: community.slug })).community;
    const asOwner = (await query(owner, COMMUNITY, { slug: community.slug })).community;

    expect(asMember.threads.nodes.map((thread: Json) => thread.id)).toEqual([threadId]);
    expect(asMember.threadCount).toBe(1);
    expect(asGuest.threadCount).toBe(1);
    expect(asOwner.threadCount).toBe(2);
    expect(asOwner.threads.nodes.find((thread: Json) => thread.id === removedThreadId)).toEqual({
      id: removedThreadId,
      removed: true,
    });
  });

  test('returns null for removed lookups', async () => {
    expect((await query(member, THREAD, { id: removedThreadId })).thread).toBeNull();
    expect((await query(null, THREAD, { id: removedThreadId })).thread).toBeNull();
    expect((await query(member, NODE, { id: removedPostId })).node).toBeNull();
    expect((await query(owner, NODE, { id: removedPostId })).node).toEqual({
      body: 'Off-topic advert',
      removed: true,
    });
    expect((await query(owner, THREAD, { id: removedThreadId })).thread.removalReason).toBe(
      'Duplicate',
    );
  });

  test('sends removal events without the text', async () => {
    const document = `subscription($threadId: ID!) { threadActivity(threadId: $threadId) {
      type post { body removed removalReason } } }`;
    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'Soon removed' },
      'id',
      member.token,
    );
    const asMember = server.subscribe(document, { threadId }, member);
    const asOwner = server.subscribe(document, { threadId }, owner);
    await Promise.all([asMember.settle(), asOwner.settle()]);

    await mutate(
      server,
      'removePost',
      'RemovePostInput',
      { postId: post.id, reason: 'Spam' },
      'id',
      owner.token,
    );
    const memberEvent = (await asMember.next()).data.threadActivity;
    const ownerEvent = (await asOwner.next()).data.threadActivity;
    await Promise.all([asMember.close(), asOwner.close()]);

    expect(memberEvent).toEqual({
      type: 'POST_REMOVED',
      post: { body: '', removed: true, removalReason: null },
    });
    expect(ownerEvent).toEqual({
      type: 'POST_REMOVED',
      post: { body: 'Soon removed', removed: true, removalReason: 'Spam' },
    });
  });
});
