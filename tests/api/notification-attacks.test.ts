import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, eq, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import { mailOutbox, notifications } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/process.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

type Person = { id: string; token: string; email: string };

/** The subject of the mail that sign-up sends, which these tests leave aside. */
const VERIFICATION_SUBJECT = 'Confirm your email address for Staffroom';

function mention(person: Person, name: string): string {
  return `@[${name}](/u/${person.id})`;
}

describe.each(await databaseKinds())('notification attacks on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let ada: Person;
  let ben: Person;
  let cai: Person;
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database, env: { NOTIFICATION_MAIL_INTERVAL_MS: '100' } });
    ada = await signUpUser(server, { displayName: 'Ada Author' });
    ben = await signUpUser(server, { displayName: 'Ben Member' });
    cai = await signUpUser(server, { displayName: 'Cai Follower' });
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Number Sense', focus: 'STEM', visibility: 'PUBLIC' },
      'id',
      ada.token,
    );
    communityId = community.id;
    for (const person of [ben, cai]) {
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        person.token,
      );
    }
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const createThread = async (token: string, title: string): Promise<string> =>
    (
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId, title, body: 'How do you run them?' },
        'id',
        token,
      )
    ).id;

  const reply = async (token: string, threadId: string, body: string): Promise<string> =>
    (await mutate(server, 'createPost', 'CreatePostInput', { threadId, body }, 'id', token)).id;

  const setFollow = (token: string, targetId: string, state: string) =>
    server.graphql(
      `mutation($input: SetFollowInput!) { setFollow(input: $input) {
        __typename ... on MutationSetFollowSuccess { data { state } } ... on Error { message } } }`,
      { input: { targetId, state } },
      { token },
    );

  /** Returns the person's notifications about one thread, read from the database. */
  const notificationsAbout = (person: Person, threadId: string) =>
    server.database.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, rowIdOf(person.id)),
          sql`${notifications.subject}->>'threadId' = ${String(rowIdOf(threadId))}`,
        ),
      );

  const holdThread = (threadId: string) =>
    server.database.db.execute(
      sql`update threads set held_at = now() where id = ${rowIdOf(threadId)}`,
    );

  test('held thread reply notifies no mention', async () => {
    const threadId = await createThread(ada.token, 'Held for review');
    await holdThread(threadId);

    await reply(ada.token, threadId, `Any ideas, ${mention(ben, 'Ben Member')}?`);

    expect(await notificationsAbout(ben, threadId)).toEqual([]);
  });

  test('held thread cannot be followed by others', async () => {
    const threadId = await createThread(ada.token, 'Held and followed');
    await holdThread(threadId);

    const result = await setFollow(cai.token, threadId, 'FOLLOWING');
    await reply(ada.token, threadId, 'A reply while the thread waits for review.');

    expect(result.body.data.setFollow.__typename).toBe('NotFoundError');
    expect(await notificationsAbout(cai, threadId)).toEqual([]);
  });

  test('blocking thread author stops followed replies', async () => {
    const threadId = await createThread(ada.token, 'Blocked author thread');
    await setFollow(cai.token, threadId, 'FOLLOWING');
    await mutate(server, 'blockPerson', 'BlockPersonInput', { userId: cai.id }, 'id', ada.token);

    await reply(ben.token, threadId, 'A reply by someone neither of them blocked.');

    expect(await notificationsAbout(cai, threadId)).toEqual([]);
    await mutate(server, 'unblockPerson', 'BlockPersonInput', { userId: cai.id }, 'id', ada.token);
  });

  test('edits that drop and restore a mention notify once', async () => {
    const threadId = await createThread(ada.token, 'Edited mentions');
    const postId = await reply(ada.token, threadId, `Thoughts, ${mention(cai, 'Cai')}?`);
    const edit = (body: string) =>
      mutate(server, 'editPost', 'EditPostInput', { postId, body }, 'id', ada.token);

    for (let round = 0; round < 3; round += 1) {
      await edit(`Thoughts? (round ${round})`);
      await edit(`Thoughts, ${mention(cai, 'Cai')}? (round ${round})`);
    }

    const mentions = (await notificationsAbout(cai, threadId)).filter(
      (row) => row.kind === 'mention',
    );
    expect(mentions.length).toBe(1);
  });

  test('digest leaves out a blocked author thread', async () => {
    const bea = await signUpUser(server, { displayName: 'Bea Digest' });
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', bea.token);
    await server.database.db.execute(
      sql`update users set email_verified_at = now() where id = ${rowIdOf(bea.id)}`,
    );
    await mutate(
      server,
      'updateNotificationSettings',
      'UpdateNotificationSettingsInput',
      { delivery: 'DAILY_DIGEST' },
      'delivery',
      bea.token,
    );
    const hiddenThread = await createThread(ada.token, 'Thread of a blocked author');
    const shownThread = await createThread(ben.token, 'Thread of an unblocked author');
    for (const threadId of [hiddenThread, shownThread]) {
      await setFollow(bea.token, threadId, 'FOLLOWING');
    }
    await mutate(server, 'blockPerson', 'BlockPersonInput', { userId: ada.id }, 'id', bea.token);
    await reply(cai.token, hiddenThread, 'A reply by someone Bea did not block.');
    await reply(cai.token, shownThread, 'Another reply by someone Bea did not block.');

    await server.database.db.execute(
      sql`update notification_settings set last_digest_at = now() - interval '25 hours'
        where user_id = ${rowIdOf(bea.id)}`,
    );
    let mails: Json[] = [];
    await waitFor(async () => {
      mails = await server.database.db
        .select()
        .from(mailOutbox)
        .where(
          and(eq(mailOutbox.recipient, bea.email), ne(mailOutbox.subject, VERIFICATION_SUBJECT)),
        );
      return mails.length > 0;
    }, 10_000);

    const text = mails[0]?.textBody ?? '';
    expect(text).toContain('Thread of an unblocked author');
    expect(text).not.toContain('Thread of a blocked author');
  });

  test('digest drops a community the person was removed from', async () => {
    const dan = await signUpUser(server, { displayName: 'Dan Removed' });
    const circle = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Leadership Circle', focus: 'OTHER', visibility: 'PRIVATE' },
      'id',
      ada.token,
    );
    await server.database.db.execute(
      sql`insert into memberships (community_id, user_id, role, status)
        values (${rowIdOf(circle.id)}, ${rowIdOf(dan.id)}, 'member', 'active')`,
    );
    await server.database.db.execute(
      sql`update users set email_verified_at = now() where id = ${rowIdOf(dan.id)}`,
    );
    await mutate(
      server,
      'updateNotificationSettings',
      'UpdateNotificationSettingsInput',
      { delivery: 'DAILY_DIGEST' },
      'delivery',
      dan.token,
    );
    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      {
        communityId: circle.id,
        title: 'Staffing plans',
        body: `Read this, ${mention(dan, 'Dan')}.`,
      },
      'id',
      ada.token,
    );
    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Open to all', body: `And this, ${mention(dan, 'Dan')}.` },
      'id',
      ada.token,
    );
    await mutate(
      server,
      'removeMember',
      'RemoveMemberInput',
      { communityId: circle.id, userId: dan.id, ban: true },
      'id',
      ada.token,
    );

    await server.database.db.execute(
      sql`update notification_settings set last_digest_at = now() - interval '25 hours'
        where user_id = ${rowIdOf(dan.id)}`,
    );
    let mails: Json[] = [];
    await waitFor(async () => {
      mails = await server.database.db
        .select()
        .from(mailOutbox)
        .where(
          and(eq(mailOutbox.recipient, dan.email), ne(mailOutbox.subject, VERIFICATION_SUBJECT)),
        );
      return mails.length > 0;
    }, 10_000);

    const text = mails[0]?.textBody ?? '';
    expect(text).toContain('Open to all');
    expect(text).not.toContain('Staffing plans');
    expect(text).not.toContain('Leadership Circle');
  });

  test('marking a hidden reply read finds no reply', async () => {
    const threadId = await createThread(ada.token, 'Read positions');
    const hiddenId = await reply(ben.token, threadId, 'Waiting for review.');
    await server.database.db.execute(
      sql`update posts set held_at = now() where id = ${rowIdOf(hiddenId)}`,
    );

    const result = await server.graphql(
      `mutation($input: MarkThreadReadInput!) { markThreadRead(input: $input) {
        __typename ... on Error { message } } }`,
      { input: { threadId, postId: hiddenId } },
      { token: cai.token },
    );

    expect(result.body.data.markThreadRead.__typename).toBe('ValidationError');
  });

  test('parallel blocks stop at the maximum', async () => {
    const blocker = await signUpUser(server, { displayName: 'Many Blocks' });
    const blockerId = rowIdOf(blocker.id);
    await server.database.db.execute(
      sql`insert into users (email, display_name)
        select 'blocked-' || n || '@example.org', 'Blocked ' || n from generate_series(1, 1004) n`,
    );
    await server.database.db.execute(
      sql`insert into user_blocks (blocker_id, blocked_id)
        select ${blockerId}, id from users where email like 'blocked-%' order by id limit 999`,
    );
    const rest = rowsOf(
      await server.database.db.execute(
        sql`select id from users where email like 'blocked-%' order by id offset 999`,
      ),
    );

    const results = await Promise.all(
      rest.map((row) =>
        server.graphql(
          `mutation($input: BlockPersonInput!) { blockPerson(input: $input) { __typename } }`,
          { input: { userId: encodeGlobalID('User', Number(row.id)) } },
          { token: blocker.token },
        ),
      ),
    );

    const [total] = rowsOf(
      await server.database.db.execute(
        sql`select count(*)::int as total from user_blocks where blocker_id = ${blockerId}`,
      ),
    );
    expect(results.map((result) => result.body.data.blockPerson.__typename)).toContain(
      'ConflictError',
    );
    expect(total?.total).toBe(1000);
  });

  test('unread count skips replies under a hidden reply', async () => {
    const threadId = await createThread(ada.token, 'Nested unread');
    const parentId = await reply(ben.token, threadId, 'A reply that will wait for review.');
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'A nested answer.', parentId },
      'id',
      ada.token,
    );
    await server.database.db.execute(
      sql`update posts set held_at = now() where id = ${rowIdOf(parentId)}`,
    );

    const result = await server.graphql(
      `query($id: ID!) { node(id: $id) { ... on Thread { viewerUnreadCount viewerFirstUnreadPostId } } }`,
      { id: threadId },
      { token: cai.token },
    );

    expect(result.body.data.node).toEqual({ viewerUnreadCount: 0, viewerFirstUnreadPostId: null });
  });

  test('mute link with changed last character', async () => {
    await server.database.db.execute(
      sql`update users set email_verified_at = now() where id = ${rowIdOf(ben.id)}`,
    );
    await mutate(
      server,
      'updateNotificationSettings',
      'UpdateNotificationSettingsInput',
      { delivery: 'EMAIL' },
      'delivery',
      ben.token,
    );
    const threadId = await createThread(ada.token, 'Mailed mention');
    await reply(ada.token, threadId, `Over to you, ${mention(ben, 'Ben Member')}.`);
    let mails: Json[] = [];
    await waitFor(async () => {
      mails = await server.database.db
        .select()
        .from(mailOutbox)
        .where(
          and(eq(mailOutbox.recipient, ben.email), ne(mailOutbox.subject, VERIFICATION_SUBJECT)),
        );
      return mails.length > 0;
    }, 10_000);
    const link = /Stop all notification mail: (\S+)/.exec(mails[0]?.textBody ?? '')?.[1] ?? '';
    const path = new URL(link).pathname;
    // 16 bytes take 22 base64url characters, whose last one carries 4 bits no byte uses.
    const last = path.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const neighbour = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';

    const changed = await fetch(`${server.url}${path.slice(0, -1)}${neighbour}`);

    expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    expect(changed.status).toBe(400);
  });
});

describe.each(await databaseKinds())('link holds and flood limits on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let communityId: string;
  let threadId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // Every account made here is new, so it has the stricter limits and its links are held.
    server = await startTestServer({
      database,
      env: { FLOOD_LIMITS: 'true', NEW_ACCOUNT_DAYS: '7' },
    });
    owner = await signUpUser(server, { displayName: 'Owner' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Open Lounge', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        owner.token,
      )
    ).id;
    threadId = (
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId, title: 'Say hello', body: 'Introduce yourself.' },
        'id',
        owner.token,
      )
    ).id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const joinedPerson = async (name: string): Promise<Person> => {
    const person = await signUpUser(server, { displayName: name });
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', person.token);
    return person;
  };

  test.each([
    ['a raw anchor', '<a href="//example.org/offer">offer</a>'],
    ['a raw anchor without slashes', '<a href="https:example.org/offer">offer</a>'],
    ['a bare email address', 'Write to offers@example.org today.'],
  ])('holds a reply with %s', async (_name, body) => {
    const person = await joinedPerson('Link Poster');

    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body },
      'id held',
      person.token,
    );

    expect(post.held).toBe(true);
  });

  test('parallel replies share one flood limit', async () => {
    const person = await joinedPerson('Fast Replier');

    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        server.graphql(
          `mutation($input: CreatePostInput!) { createPost(input: $input) { __typename } }`,
          { input: { threadId, body: `Hello number ${index}` } },
          { token: person.token },
        ),
      ),
    );

    const types = results.map((result) => result.body.data.createPost.__typename);
    expect(types.filter((type) => type === 'MutationCreatePostSuccess').length).toBe(3);
    expect(types.filter((type) => type === 'RateLimitedError').length).toBe(3);
  });
});
