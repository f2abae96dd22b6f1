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

const THREAD_ACTIVITY = `subscription($threadId: ID!, $after: String) {
  threadActivity(threadId: $threadId, after: $after) { eventId type post { id body deleted } thread { id locked pinned } } }`;

describe.each(await databaseKinds())('threads on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let facilitator: { id: string; token: string };
  let member: { id: string; token: string };
  let stranger: { id: string; token: string };
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    facilitator = await signUpUser(server, { displayName: 'Fran Facilitator' });
    member = await signUpUser(server, { displayName: 'Mo Member' });
    stranger = await signUpUser(server, { displayName: 'Sam Stranger' });
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Fractions Lab', focus: 'STEM', visibility: 'PUBLIC' },
      'id',
      facilitator.token,
    );
    communityId = community.id;
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', member.token);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const createThread = (token: string, fields: Record<string, unknown> = {}) =>
    mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Equivalent fractions', body: 'How do you introduce them?', ...fields },
      'id kind',
      token,
    );

  const reply = (token: string, threadId: string, body: string, parentId?: string) =>
    mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body, ...(parentId && { parentId }) },
      'id body',
      token,
    );

  describe('createThread', () => {
    test('creates a discussion with rendered markdown', async () => {
      const thread = await createThread(member.token, {
        body: 'Use **strips** <script>alert(1)</script><img src=x onerror=alert(1)>',
      });

      const result = await server.graphql(
        'query($id: ID!) { thread(id: $id) { bodyHtml kind author { displayName } } }',
        { id: thread.id },
      );

      expect(result.body.data.thread.kind).toBe('DISCUSSION');
      expect(result.body.data.thread.bodyHtml).toContain('<strong>strips</strong>');
      expect(result.body.data.thread.bodyHtml).not.toMatch(/<script|onerror/);
      expect(result.body.data.thread.author.displayName).toBe('Mo Member');
    });

    test('lets only moderators post announcements', async () => {
      const result = await server.graphql(
        'mutation($input: CreateThreadInput!) { createThread(input: $input) { __typename } }',
        { input: { communityId, title: 'Big news', body: 'x', kind: 'ANNOUNCEMENT' } },
        { token: member.token },
      );
      const announcement = await createThread(facilitator.token, { kind: 'ANNOUNCEMENT' });

      expect(result.body.data.createThread.__typename).toBe('ForbiddenError');
      expect(announcement.kind).toBe('ANNOUNCEMENT');
    });

    test('rejects non-members', async () => {
      const result = await server.graphql(
        'mutation($input: CreateThreadInput!) { createThread(input: $input) { __typename } }',
        { input: { communityId, title: 'Drive-by', body: 'x' } },
        { token: stranger.token },
      );

      expect(result.body.data.createThread.__typename).toBe('ForbiddenError');
    });
  });

  describe('createPost', () => {
    test('nests replies one level and no deeper', async () => {
      const thread = await createThread(member.token);
      const top = await reply(facilitator.token, thread.id, 'Start with fraction strips.');
      const nested = await reply(member.token, thread.id, 'Thanks!', top.id);

      const tooDeep = await server.graphql(
        'mutation($input: CreatePostInput!) { createPost(input: $input) { __typename ... on ValidationError { issues { path } } } }',
        { input: { threadId: thread.id, body: 'Deeper', parentId: nested.id } },
        { token: member.token },
      );
      const page = await server.graphql(
        'query($id: ID!) { thread(id: $id) { replyCount posts { nodes { body replies { body parent { id } } } } } }',
        { id: thread.id },
      );

      expect(tooDeep.body.data.createPost.__typename).toBe('ValidationError');
      expect(tooDeep.body.data.createPost.issues[0].path).toEqual(['parentId']);
      expect(page.body.data.thread.replyCount).toBe(2);
      expect(page.body.data.thread.posts.nodes).toHaveLength(1);
      expect(page.body.data.thread.posts.nodes[0].replies[0]).toEqual({
        body: 'Thanks!',
        parent: { id: top.id },
      });
    });

    test('rejects replies to a locked thread and to announcements', async () => {
      const thread = await createThread(member.token);
      await mutate(
        server,
        'lockThread',
        'LockThreadInput',
        { threadId: thread.id, locked: true },
        'locked',
        facilitator.token,
      );
      const announcement = await createThread(facilitator.token, { kind: 'ANNOUNCEMENT' });

      const locked = await server.graphql(
        'mutation($input: CreatePostInput!) { createPost(input: $input) { __typename ... on Error { message } } }',
        { input: { threadId: thread.id, body: 'Late' } },
        { token: member.token },
      );
      const toAnnouncement = await server.graphql(
        'mutation($input: CreatePostInput!) { createPost(input: $input) { __typename } }',
        { input: { threadId: announcement.id, body: 'Me too' } },
        { token: member.token },
      );

      expect(locked.body.data.createPost.__typename).toBe('ForbiddenError');
      expect(locked.body.data.createPost.message).toMatch(/locked/);
      expect(toAnnouncement.body.data.createPost.__typename).toBe('ForbiddenError');
    });
  });

  describe('editPost and deletePost', () => {
    test('keeps the earlier body as a revision', async () => {
      const thread = await createThread(member.token);
      const post = await reply(member.token, thread.id, 'First draft');

      const edited = await mutate(
        server,
        'editPost',
        'EditPostInput',
        { postId: post.id, body: 'Second draft' },
        'body edited revisions { body }',
        member.token,
      );
      const byOther = await server.graphql(
        'mutation($input: EditPostInput!) { editPost(input: $input) { __typename } }',
        { input: { postId: post.id, body: 'Vandalism' } },
        { token: facilitator.token },
      );

      expect(edited.body).toBe('Second draft');
      expect(edited.edited).toBe(true);
      expect(edited.revisions).toEqual([{ body: 'First draft' }]);
      expect(byOther.body.data.editPost.__typename).toBe('ForbiddenError');
    });

    test('soft-deletes and hides the body', async () => {
      const thread = await createThread(member.token);
      const post = await reply(member.token, thread.id, 'Regrettable');

      const deleted = await mutate(
        server,
        'deletePost',
        'PostIdInput',
        { postId: post.id },
        'deleted body bodyHtml revisions { body }',
        member.token,
      );
      const twice = await server.graphql(
        'mutation($input: PostIdInput!) { deletePost(input: $input) { __typename } }',
        { input: { postId: post.id } },
        { token: member.token },
      );

      expect(deleted).toEqual({ deleted: true, body: '', bodyHtml: '', revisions: [] });
      expect(twice.body.data.deletePost.__typename).toBe('ConflictError');
    });
  });

  describe('react', () => {
    test('counts reactions by kind', async () => {
      const thread = await createThread(member.token);
      const post = await reply(member.token, thread.id, 'Try number lines');

      await mutate(
        server,
        'react',
        'ReactInput',
        { postId: post.id, kind: 'LIKE', active: true },
        'id',
        facilitator.token,
      );
      await mutate(
        server,
        'react',
        'ReactInput',
        { postId: post.id, kind: 'LIKE', active: true },
        'id',
        member.token,
      );
      const after = await mutate(
        server,
        'react',
        'ReactInput',
        { postId: post.id, kind: 'THANKS', active: true },
        'reactions { kind count viewerReacted }',
        member.token,
      );
      const removed = await mutate(
        server,
        'react',
        'ReactInput',
        { postId: post.id, kind: 'LIKE', active: false },
        'reactions { kind count viewerReacted }',
        member.token,
      );

      expect(after.reactions).toEqual([
        { kind: 'LIKE', count: 2, viewerReacted: true },
        { kind: 'THANKS', count: 1, viewerReacted: true },
      ]);
      expect(removed.reactions[0]).toEqual({ kind: 'LIKE', count: 1, viewerReacted: false });
    });
  });

  describe('acceptAnswer', () => {
    test('lets the asker accept a reply of a question', async () => {
      const question = await createThread(member.token, { kind: 'QUESTION' });
      const answer = await reply(facilitator.token, question.id, 'Area models.');

      const byStranger = await server.graphql(
        'mutation($input: AcceptAnswerInput!) { acceptAnswer(input: $input) { __typename } }',
        { input: { threadId: question.id, postId: answer.id } },
        { token: stranger.token },
      );
      const accepted = await mutate(
        server,
        'acceptAnswer',
        'AcceptAnswerInput',
        { threadId: question.id, postId: answer.id },
        'acceptedAnswer { id isAcceptedAnswer }',
        member.token,
      );

      expect(byStranger.body.data.acceptAnswer.__typename).toBe('ForbiddenError');
      expect(accepted.acceptedAnswer).toEqual({ id: answer.id, isAcceptedAnswer: true });
    });

    test('rejects accepting on a discussion', async () => {
      const thread = await createThread(member.token);
      const post = await reply(member.token, thread.id, 'x');

      const result = await server.graphql(
        'mutation($input: AcceptAnswerInput!) { acceptAnswer(input: $input) { __typename } }',
        { input: { threadId: thread.id, postId: post.id } },
        { token: member.token },
      );

      expect(result.body.data.acceptAnswer.__typename).toBe('ConflictError');
    });
  });

  describe('pinThread and lockThread', () => {
    test('are for moderators only', async () => {
      const thread = await createThread(member.token);

      const byMember = await server.graphql(
        'mutation($input: PinThreadInput!) { pinThread(input: $input) { __typename } }',
        { input: { threadId: thread.id, pinned: true } },
        { token: member.token },
      );
      const pinned = await mutate(
        server,
        'pinThread',
        'PinThreadInput',
        { threadId: thread.id, pinned: true },
        'pinned',
        facilitator.token,
      );
      const list = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on Community { threads(first: 1) { nodes { id pinned } } } } }',
        { id: communityId },
      );

      expect(byMember.body.data.pinThread.__typename).toBe('ForbiddenError');
      expect(pinned.pinned).toBe(true);
      expect(list.body.data.node.threads.nodes[0]).toEqual({ id: thread.id, pinned: true });
    });
  });

  describe('threadActivity', () => {
    test('streams added, edited, deleted and reaction events', async () => {
      const thread = await createThread(member.token);
      const subscription = collect(server.socket({ token: member.token }), THREAD_ACTIVITY, {
        threadId: thread.id,
        after: '0',
      });
      await subscription.settle();

      const post = await reply(facilitator.token, thread.id, 'Live reply');
      await mutate(
        server,
        'editPost',
        'EditPostInput',
        { postId: post.id, body: 'Live reply, edited' },
        'id',
        facilitator.token,
      );
      await mutate(
        server,
        'react',
        'ReactInput',
        { postId: post.id, kind: 'CELEBRATE', active: true },
        'id',
        member.token,
      );
      await mutate(
        server,
        'deletePost',
        'PostIdInput',
        { postId: post.id },
        'id',
        facilitator.token,
      );
      await mutate(
        server,
        'lockThread',
        'LockThreadInput',
        { threadId: thread.id, locked: true },
        'id',
        facilitator.token,
      );
      const events: Json[] = [];
      for (let index = 0; index < 5; index++) {
        events.push((await subscription.next()).data.threadActivity);
      }

      expect(events.map((event) => event.type)).toEqual([
        'POST_ADDED',
        'POST_EDITED',
        'REACTION_CHANGED',
        'POST_DELETED',
        'THREAD_UPDATED',
      ]);
      // Each event resolves the post as it is when the subscriber reads it, so an early event
      // may already show a later edit. The post's id is what identifies it.
      expect(events.slice(0, 4).map((event) => event.post.id)).toEqual([
        post.id,
        post.id,
        post.id,
        post.id,
      ]);
      expect(events[3].post.deleted).toBe(true);
      expect(events[4].thread.locked).toBe(true);
      expect(new Set(events.map((event) => event.eventId)).size).toBe(5);
    });

    test('replays missed events after a cut socket, without gap or duplicate', async () => {
      const thread = await createThread(member.token);
      const first = collect(server.socket({ token: member.token }), THREAD_ACTIVITY, {
        threadId: thread.id,
        after: '0',
      });
      await first.settle();
      await reply(facilitator.token, thread.id, 'one');
      await reply(facilitator.token, thread.id, 'two');
      const seen = [
        (await first.next()).data.threadActivity,
        (await first.next()).data.threadActivity,
      ];
      first.unsubscribe();

      for (const body of ['three', 'four', 'five']) {
        await reply(facilitator.token, thread.id, body);
      }
      const resumed = collect(server.socket({ token: member.token }), THREAD_ACTIVITY, {
        threadId: thread.id,
        after: seen[1].eventId,
      });
      const replayed = [];
      for (let index = 0; index < 3; index++) {
        replayed.push((await resumed.next()).data.threadActivity);
      }
      await reply(facilitator.token, thread.id, 'six');
      const live = (await resumed.next()).data.threadActivity;

      expect(seen.map((event) => event.post.body)).toEqual(['one', 'two']);
      expect(replayed.map((event) => event.post.body)).toEqual(['three', 'four', 'five']);
      expect(live.post.body).toBe('six');
      const ids = [...seen, ...replayed, live].map((event) => Number(event.eventId));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(6);
    });

    test('resolves viewer fields per subscriber', async () => {
      const thread = await createThread(member.token);
      const query =
        'subscription($threadId: ID!) { threadActivity(threadId: $threadId, after: "0") { post { body viewerCanEdit reactions { kind viewerReacted } } } }';
      const asAuthor = collect(server.socket({ token: facilitator.token }), query, {
        threadId: thread.id,
      });
      const asMember = collect(server.socket({ token: member.token }), query, {
        threadId: thread.id,
      });
      await asMember.settle();

      const post = await reply(facilitator.token, thread.id, 'Whose is it?');
      await mutate(
        server,
        'react',
        'ReactInput',
        { postId: post.id, kind: 'LIKE', active: true },
        'id',
        member.token,
      );
      const authorView = [
        (await asAuthor.next()).data.threadActivity.post,
        (await asAuthor.next()).data.threadActivity.post,
      ];
      const memberView = [
        (await asMember.next()).data.threadActivity.post,
        (await asMember.next()).data.threadActivity.post,
      ];

      expect(authorView[0].viewerCanEdit).toBe(true);
      expect(memberView[0].viewerCanEdit).toBe(false);
      expect(authorView[1].reactions).toEqual([{ kind: 'LIKE', viewerReacted: false }]);
      expect(memberView[1].reactions).toEqual([{ kind: 'LIKE', viewerReacted: true }]);
    });

    test('misses nothing between query and subscription', async () => {
      const thread = await createThread(member.token);
      await reply(facilitator.token, thread.id, 'before the query');
      const page = await server.graphql(
        'query($id: ID!) { thread(id: $id) { eventCursor posts { nodes { body } } } }',
        { id: thread.id },
      );

      await reply(facilitator.token, thread.id, 'between query and subscription');
      const subscription = collect(server.socket({ token: member.token }), THREAD_ACTIVITY, {
        threadId: thread.id,
        after: page.body.data.thread.eventCursor,
      });
      const first = (await subscription.next()).data.threadActivity;

      expect(page.body.data.thread.posts.nodes).toEqual([{ body: 'before the query' }]);
      expect(first.post.body).toBe('between query and subscription');
    });

    test('works over server-sent events', async () => {
      const thread = await createThread(member.token);
      await reply(facilitator.token, thread.id, 'before');

      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${member.token}`,
        },
        body: JSON.stringify({
          query: THREAD_ACTIVITY,
          variables: { threadId: thread.id, after: '0' },
        }),
      });
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('POST_ADDED')) {
        const chunk = await reader.read();
        text += new TextDecoder().decode(chunk.value);
      }
      await reader.cancel();

      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(text).toContain('"body":"before"');
    });

    test('rejects a malformed after cursor', async () => {
      const thread = await createThread(member.token);
      const subscription = collect(server.socket({ token: member.token }), THREAD_ACTIVITY, {
        threadId: thread.id,
        after: 'yesterday',
      });

      const result = await subscription.next();

      expect(result.errors[0].message).toMatch(/not an event id/);
    });
  });
});
