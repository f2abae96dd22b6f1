import { and, eq, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DatabaseHandle, openDatabase, rowsOf } from '../../drizzle/db.ts';
import {
  follows,
  mailOutbox,
  notificationSettings,
  notifications,
  userBlocks,
} from '../../drizzle/tables/index.ts';
import { MAX_NOTIFICATION_MAILS_PER_HOUR } from '../../server/services/notification-mail.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { graphqlAt, type ServerProcess, startServerProcess, waitFor } from '../helpers/process.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  type Subscription,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const VIEWER_NOTIFICATIONS = `subscription { viewerNotifications {
  eventId unreadCount notification { id kind message thread { id } post { id } } } }`;

const NOTIFICATIONS = `query { notifications(first: 100) { nodes { id kind message thread { id } } } }`;

type Person = { id: string; token: string; email: string };

/** Returns a mention token of the kind the composer inserts. */
function mention(person: Person, name: string): string {
  return `@[${name}](/u/${person.id})`;
}

/** The subject of the mail that sign-up sends, which these tests leave aside. */
const VERIFICATION_SUBJECT = 'Confirm your email address for Staffroom';

/** Returns the notification mail in the outbox to `recipient`, oldest first. */
function notificationMails(handle: DatabaseHandle, recipient: string) {
  return handle.db
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.recipient, recipient), ne(mailOutbox.subject, VERIFICATION_SUBJECT)))
    .orderBy(mailOutbox.id);
}

/** Polls the mail outbox until `done` holds for the notification mail to `recipient`. */
async function outboxTo(
  handle: DatabaseHandle,
  recipient: string,
  done: (rows: (typeof mailOutbox.$inferSelect)[]) => boolean,
) {
  let rows: (typeof mailOutbox.$inferSelect)[] = [];
  const met = await waitFor(async () => {
    rows = await notificationMails(handle, recipient);
    return done(rows);
  }, 10_000);
  if (!met) {
    throw new Error(
      `The outbox to ${recipient} holds ${rows.length} mails: ${JSON.stringify(rows)}`,
    );
  }
  return rows;
}

describe.each(await databaseKinds())('notification delivery on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let ada: Person;
  let ben: Person;
  let cai: Person;
  let dee: Person;
  let eve: Person;
  let communityId: string;
  let privateCommunityId: string;
  const subscriptions = new Map<string, Subscription>();

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({
      database,
      // These tests post far more often than the flood limits allow, from accounts made now.
      env: { NOTIFICATION_MAIL_INTERVAL_MS: '100', FLOOD_LIMITS: 'false', NEW_ACCOUNT_DAYS: '0' },
    });
    ada = await signUpUser(server, { displayName: 'Ada Author' });
    ben = await signUpUser(server, { displayName: 'Ben Replier' });
    cai = await signUpUser(server, { displayName: 'Cai Follower' });
    dee = await signUpUser(server, { displayName: 'Dee Outsider' });
    eve = await signUpUser(server, { displayName: 'Eve Blocker' });
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Number Sense', focus: 'STEM', visibility: 'PUBLIC' },
      'id',
      ada.token,
    );
    communityId = community.id;
    for (const person of [ben, cai, eve]) {
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        person.token,
      );
    }
    const privateCommunity = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Leadership Circle', focus: 'OTHER', visibility: 'PRIVATE' },
      'id',
      ada.token,
    );
    privateCommunityId = privateCommunity.id;
    await server.database.db.execute(
      sql`insert into memberships (community_id, user_id, role, status)
        values (${rowIdOf(privateCommunityId)}, ${rowIdOf(ben.id)}, 'member', 'active')
        on conflict do nothing`,
    );
    // Mail goes only to verified addresses; Eve's stays unverified.
    for (const person of [ada, ben, cai, dee]) {
      await server.database.db.execute(
        sql`update users set email_verified_at = now() where id = ${rowIdOf(person.id)}`,
      );
    }
    for (const person of [ada, ben, cai, dee, eve]) {
      const subscription = server.subscribe(VIEWER_NOTIFICATIONS, {}, { token: person.token });
      subscriptions.set(person.id, subscription);
    }
    await Promise.all([...subscriptions.values()].map((subscription) => subscription.settle()));
  });

  afterAll(async () => {
    for (const subscription of subscriptions.values()) {
      await subscription.close();
    }
    await server?.stop();
    await database?.drop();
  });

  const createThread = async (
    token: string,
    fields: Record<string, unknown> = {},
  ): Promise<string> =>
    (
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId, title: 'Number talks', body: 'How do you run them?', ...fields },
        'id',
        token,
      )
    ).id;

  const reply = async (token: string, threadId: string, body: string, parentId?: string) =>
    (
      await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId, body, ...(parentId && { parentId }) },
        'id',
        token,
      )
    ).id as string;

  const setFollow = (token: string, targetId: string, state: string) =>
    server.graphql(
      `mutation($input: SetFollowInput!) { setFollow(input: $input) {
        __typename ... on MutationSetFollowSuccess { data { state } } ... on Error { message } } }`,
      { input: { targetId, state } },
      { token },
    );

  /** Returns the person's notifications, newest first, read over HTTP. */
  const notificationsOf = async (person: Person): Promise<Json[]> =>
    (await server.graphql(NOTIFICATIONS, {}, { token: person.token })).body.data.notifications
      .nodes;

  /** Returns the next live notification of a person. */
  const nextLive = async (person: Person): Promise<Json> => {
    const result = await subscriptions.get(person.id)?.next(5000);
    return result.data.viewerNotifications.notification;
  };

  describe('replies and mentions', () => {
    test('delivers a reply live to the author only', async () => {
      const threadId = await createThread(ada.token);
      const caiBefore = (await notificationsOf(cai)).length;

      await reply(ben.token, threadId, 'We start with dot cards.');

      const live = await nextLive(ada);
      expect(live.kind).toBe('REPLY');
      expect(live.thread.id).toBe(threadId);
      expect((await notificationsOf(cai)).length).toBe(caiBefore);
      expect(subscriptions.get(cai.id)?.results.length).toBe(0);
    });

    test('sends one notification for a mention in a reply', async () => {
      const threadId = await createThread(ada.token);

      await reply(
        ben.token,
        threadId,
        `${mention(ada, 'Ada Author')} and ${mention(cai, 'Cai Follower')}, see this.`,
      );

      const forAda = await nextLive(ada);
      const forCai = await nextLive(cai);
      expect(forAda.kind).toBe('MENTION');
      expect(forAda.message).toBe('Ben Replier mentioned you in “Number talks”.');
      expect(forCai.kind).toBe('MENTION');
      const adaRows = (await notificationsOf(ada)).filter((row) => row.thread?.id === threadId);
      expect(adaRows.length).toBe(1);
    });

    test('renders a mention as a profile link', async () => {
      const threadId = await createThread(ada.token, { body: `Hello ${mention(cai, 'Cai')}` });
      const result = await server.graphql('query($id: ID!) { thread(id: $id) { bodyHtml } }', {
        id: threadId,
      });

      expect(result.body.data.thread.bodyHtml).toContain(`href="/u/${cai.id}"`);
      expect((await nextLive(cai)).kind).toBe('MENTION');
    });

    test('skips mentioned people who cannot read the thread', async () => {
      const threadId = await createThread(ada.token, { communityId: privateCommunityId });
      const deeBefore = (await notificationsOf(dee)).length;

      await reply(
        ben.token,
        threadId,
        `${mention(dee, 'Dee')} ${mention(ada, 'Ada')} for your eyes only`,
      );

      expect((await nextLive(ada)).kind).toBe('MENTION');
      expect((await notificationsOf(dee)).length).toBe(deeBefore);
    });

    test('skips mentioned people who blocked the author', async () => {
      await server.database.db
        .insert(userBlocks)
        .values({ blockerId: rowIdOf(eve.id), blockedId: rowIdOf(ben.id) });
      const threadId = await createThread(ada.token);
      const eveBefore = (await notificationsOf(eve)).length;

      await reply(ben.token, threadId, `${mention(eve, 'Eve')} ${mention(ada, 'Ada')}`);

      expect((await nextLive(ada)).kind).toBe('MENTION');
      expect((await notificationsOf(eve)).length).toBe(eveBefore);
    });

    test('notifies mentions added by an edit', async () => {
      const threadId = await createThread(ada.token);
      const postId = await reply(ben.token, threadId, `Hello ${mention(ada, 'Ada')}`);
      expect((await nextLive(ada)).kind).toBe('MENTION');
      const edit = (body: string) =>
        mutate(server, 'editPost', 'EditPostInput', { postId, body }, 'id', ben.token);

      await edit(`Hello ${mention(ada, 'Ada')} and ${mention(cai, 'Cai')}`);

      const forCai = await nextLive(cai);
      expect(forCai.kind).toBe('MENTION');
      expect(forCai.post.id).toBe(postId);
      const adaRows = (await notificationsOf(ada)).filter((row) => row.thread?.id === threadId);
      expect(adaRows.length).toBe(1);
    });

    test('ignores a mention of the author', async () => {
      const threadId = await createThread(ada.token);
      const benBefore = (await notificationsOf(ben)).length;

      await reply(ben.token, threadId, `Note to self ${mention(ben, 'Ben')}`);

      expect((await nextLive(ada)).kind).toBe('REPLY');
      expect((await notificationsOf(ben)).length).toBe(benBefore);
    });
  });

  describe('follows and mutes', () => {
    test('notifies thread followers of replies', async () => {
      const threadId = await createThread(ada.token);
      const followed = await setFollow(cai.token, threadId, 'FOLLOWING');
      expect(followed.body.data.setFollow.data.state).toBe('FOLLOWING');

      await reply(ben.token, threadId, 'First idea.');

      expect((await nextLive(ada)).kind).toBe('REPLY');
      const forCai = await nextLive(cai);
      expect(forCai.kind).toBe('FOLLOWED_REPLY');
      expect(forCai.message).toBe('Ben Replier replied in “Number talks”, which you follow.');
    });

    test('makes authors and repliers follow', async () => {
      const threadId = await createThread(ada.token);
      await reply(ben.token, threadId, 'Joining in.');
      await nextLive(ada);
      const query = 'query($id: ID!) { thread(id: $id) { viewerFollowState } }';

      const forAda = await server.graphql(query, { id: threadId }, { token: ada.token });
      const forBen = await server.graphql(query, { id: threadId }, { token: ben.token });
      const forCai = await server.graphql(query, { id: threadId }, { token: cai.token });

      expect(forAda.body.data.thread.viewerFollowState).toBe('FOLLOWING');
      expect(forBen.body.data.thread.viewerFollowState).toBe('FOLLOWING');
      expect(forCai.body.data.thread.viewerFollowState).toBe('NONE');

      await reply(ada.token, threadId, 'Welcome.');
      const forBenLive = await nextLive(ben);
      expect(forBenLive.kind).toBe('FOLLOWED_REPLY');
    });

    test('muting a thread stops replies and mentions', async () => {
      const threadId = await createThread(ada.token);
      await setFollow(ada.token, threadId, 'MUTED');
      const adaBefore = (await notificationsOf(ada)).length;

      await reply(ben.token, threadId, `${mention(ada, 'Ada')} what do you think?`);
      await reply(ben.token, threadId, 'Anyone?');

      expect((await notificationsOf(ada)).length).toBe(adaBefore);
      const state = await server.graphql(
        'query($id: ID!) { thread(id: $id) { viewerFollowState } }',
        { id: threadId },
        { token: ada.token },
      );
      expect(state.body.data.thread.viewerFollowState).toBe('MUTED');
    });

    test('notifies community followers of new threads', async () => {
      const followed = await setFollow(cai.token, communityId, 'FOLLOWING');
      expect(followed.body.data.setFollow.data.state).toBe('FOLLOWING');

      const threadId = await createThread(ben.token, { title: 'Estimation jars' });

      const forCai = await nextLive(cai);
      expect(forCai.kind).toBe('NEW_THREAD');
      expect(forCai.thread.id).toBe(threadId);
      expect(forCai.message).toBe('Ben Replier started “Estimation jars” in “Number Sense”.');
      const community = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on Community { viewerFollowState } } }',
        { id: communityId },
        { token: cai.token },
      );
      expect(community.body.data.node.viewerFollowState).toBe('FOLLOWING');
    });

    test('muting a community stops new threads and mentions', async () => {
      await setFollow(cai.token, communityId, 'MUTED');
      const caiBefore = (await notificationsOf(cai)).length;

      await createThread(ben.token, { body: `Over to ${mention(cai, 'Cai')}` });

      expect((await notificationsOf(cai)).length).toBe(caiBefore);
      await setFollow(cai.token, communityId, 'NONE');
    });

    test('rejects following a thread without access', async () => {
      const threadId = await createThread(ada.token, { communityId: privateCommunityId });

      const result = await setFollow(dee.token, threadId, 'FOLLOWING');

      expect(result.body.data.setFollow.__typename).toBe('NotFoundError');
      const rows = await server.database.db
        .select()
        .from(follows)
        .where(eq(follows.userId, rowIdOf(dee.id)));
      expect(rows.length).toBe(0);
    });
  });

  describe('acceptAnswer', () => {
    test('notifies the answer author once', async () => {
      const threadId = await createThread(ada.token, { kind: 'QUESTION' });
      const postId = await reply(ben.token, threadId, 'Use a number line.');
      await nextLive(ada);
      const accept = () =>
        mutate(server, 'acceptAnswer', 'AcceptAnswerInput', { threadId, postId }, 'id', ada.token);

      await accept();
      const forBen = await nextLive(ben);
      expect(forBen.kind).toBe('ANSWER_ACCEPTED');
      expect(forBen.post.id).toBe(postId);
      expect(forBen.message).toBe(
        'Ada Author accepted your reply as the answer to “Number talks”.',
      );

      await accept();
      const rows = (await notificationsOf(ben)).filter((row) => row.kind === 'ANSWER_ACCEPTED');
      expect(rows.length).toBe(1);
    });
  });

  describe('read positions', () => {
    const READ_STATE = `query($id: ID!) { thread(id: $id) { viewerUnreadCount viewerFirstUnreadPostId } }`;
    const markRead = (threadId: string, postId?: string) =>
      server.graphql(
        `mutation($input: MarkThreadReadInput!) { markThreadRead(input: $input) {
          __typename ... on MutationMarkThreadReadSuccess { data { viewerUnreadCount viewerFirstUnreadPostId } }
          ... on Error { message } } }`,
        { input: { threadId, ...(postId && { postId }) } },
        { token: ada.token },
      );

    test('counts unread replies and moves forward only', async () => {
      const threadId = await createThread(ada.token);
      const first = await reply(ben.token, threadId, 'one');
      const second = await reply(ben.token, threadId, 'two');
      await reply(ada.token, threadId, 'my own reply');
      const third = await reply(ben.token, threadId, 'three');

      const initial = await server.graphql(READ_STATE, { id: threadId }, { token: ada.token });
      expect(initial.body.data.thread.viewerUnreadCount).toBe(3);
      expect(initial.body.data.thread.viewerFirstUnreadPostId).toBe(first);

      const afterSecond = await markRead(threadId, second);
      expect(afterSecond.body.data.markThreadRead.data.viewerUnreadCount).toBe(1);
      expect(afterSecond.body.data.markThreadRead.data.viewerFirstUnreadPostId).toBe(third);

      const backwards = await markRead(threadId, first);
      expect(backwards.body.data.markThreadRead.data.viewerUnreadCount).toBe(1);

      const all = await markRead(threadId);
      expect(all.body.data.markThreadRead.data.viewerUnreadCount).toBe(0);
      expect(all.body.data.markThreadRead.data.viewerFirstUnreadPostId).toBeNull();

      const signedOut = await server.graphql(READ_STATE, { id: threadId });
      expect(signedOut.body.data.thread.viewerUnreadCount).toBe(0);
    });

    test('marks notifications of read replies read', async () => {
      const threadId = await createThread(ada.token);
      const first = await reply(ben.token, threadId, 'early');
      const second = await reply(ben.token, threadId, 'late');
      const unreadOfThread = async (): Promise<string[]> => {
        const result = await server.graphql(
          'query { notifications(first: 100, unreadOnly: true) { nodes { thread { id } post { id } } } }',
          {},
          { token: ada.token },
        );
        return result.body.data.notifications.nodes
          .filter((node: Json) => node.thread?.id === threadId)
          .map((node: Json) => node.post.id);
      };
      expect(await unreadOfThread()).toEqual([second, first]);

      await markRead(threadId, first);
      expect(await unreadOfThread()).toEqual([second]);

      await markRead(threadId);
      expect(await unreadOfThread()).toEqual([]);
    });

    test('rejects a post of another thread', async () => {
      const threadId = await createThread(ada.token);
      const otherThreadId = await createThread(ada.token);
      const otherPost = await reply(ben.token, otherThreadId, 'elsewhere');

      const result = await markRead(threadId, otherPost);

      expect(result.body.data.markThreadRead.__typename).toBe('ValidationError');
    });

    test('marks unread counts in the unread notification count', async () => {
      const count = await server.graphql(
        'query { unreadNotificationCount }',
        {},
        {
          token: ada.token,
        },
      );
      expect(count.body.data.unreadNotificationCount).toBeGreaterThan(0);
      await mutate(
        server,
        'markNotificationsRead',
        'MarkNotificationsReadInput',
        { all: true },
        'unreadCount',
        ada.token,
      );
      const after = await server.graphql(
        'query { unreadNotificationCount }',
        {},
        {
          token: ada.token,
        },
      );
      expect(after.body.data.unreadNotificationCount).toBe(0);
    });
  });

  describe('moderation kinds', () => {
    test('renders moderation outcomes and report results', async () => {
      const threadId = await createThread(ben.token, { title: 'Flagged' });
      const base = { communityId: rowIdOf(communityId), threadId: rowIdOf(threadId) };
      await server.database.db.insert(notifications).values([
        {
          userId: rowIdOf(dee.id),
          kind: 'moderation',
          subject: { ...base, action: 'muted', until: '2030-01-02T03:04:00.000Z' },
        },
        {
          userId: rowIdOf(dee.id),
          kind: 'report_resolved',
          subject: { ...base, action: 'removed', reportId: 1 },
        },
      ]);

      const messages = (await notificationsOf(dee)).map((row) => row.message);

      expect(messages).toContain(
        'A facilitator muted you in “Number Sense” until 2030-01-02 03:04 UTC.',
      );
      expect(messages).toContain(
        'Your report about “Flagged” was reviewed, and the content was removed.',
      );
    });
  });

  describe('mail', () => {
    const setDelivery = (person: Person, delivery: string) =>
      mutate(
        server,
        'updateNotificationSettings',
        'UpdateNotificationSettingsInput',
        { delivery },
        'delivery',
        person.token,
      );

    test('mails each notification once with mute links', async () => {
      const settings = await setDelivery(cai, 'EMAIL');
      expect(settings.delivery).toBe('EMAIL');
      const threadId = await createThread(ada.token, { title: 'Mail me' });

      await reply(ben.token, threadId, `${mention(cai, 'Cai')} please read`);

      const rows = await outboxTo(server.database, cai.email, (mails) => mails.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const again = await notificationMails(server.database, cai.email);
      expect(again.length).toBe(1);
      expect(rows[0]?.subject).toBe('Ben Replier mentioned you in “Mail me”.');
      expect(rows[0]?.textBody).toMatch(/Mute this thread: http:\/\/\S+\/mute\/\S+/);
      expect(rows[0]?.textBody).toMatch(/Stop all notification mail: /);
      const [mailed] = await server.database.db
        .select({ mailedAt: notifications.mailedAt })
        .from(notifications)
        .where(and(eq(notifications.userId, rowIdOf(cai.id)), eq(notifications.kind, 'mention')))
        .orderBy(sql`${notifications.id} desc`)
        .limit(1);
      expect(mailed?.mailedAt).not.toBeNull();
    });

    test('mails nothing to an unverified address', async () => {
      await setDelivery(eve, 'EMAIL');
      const threadId = await createThread(ada.token, { title: 'Unverified' });

      await reply(ada.token, threadId, `${mention(eve, 'Eve')} have a look`);
      await new Promise((resolve) => setTimeout(resolve, 600));

      expect((await notificationMails(server.database, eve.email)).length).toBe(0);
      const [pending] = await server.database.db
        .select({ mailedAt: notifications.mailedAt })
        .from(notifications)
        .where(and(eq(notifications.userId, rowIdOf(eve.id)), eq(notifications.kind, 'mention')));
      expect(pending).toBeDefined();
      expect(pending?.mailedAt).toBeNull();
    });

    test('mute link mutes without sign-in', async () => {
      const [mail] = await notificationMails(server.database, cai.email);
      const link = /Mute this thread: (\S+)/.exec(mail?.textBody ?? '')?.[1] ?? '';
      const path = new URL(link).pathname;
      const threadId = rowIdOf(
        (await notificationsOf(cai)).find((row) => row.kind === 'MENTION' && row.thread)?.thread.id,
      );
      const stateOf = async () =>
        (
          await server.database.db
            .select({ state: follows.state })
            .from(follows)
            .where(and(eq(follows.userId, rowIdOf(cai.id)), eq(follows.threadId, threadId)))
        )[0]?.state ?? 'none';

      const page = await fetch(`${server.url}${path}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post">');
      expect(await stateOf()).toBe('none');

      // The first character of the signature carries six whole bits of it.
      const signatureStart = path.lastIndexOf('.') + 1;
      const flipped = path[signatureStart] === 'A' ? 'B' : 'A';
      const tampered = `${path.slice(0, signatureStart)}${flipped}${path.slice(signatureStart + 1)}`;
      const bad = await fetch(`${server.url}${tampered}`, { method: 'POST' });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('This mute link is invalid');

      const foreign = path.replace(`/mute/m1.${rowIdOf(cai.id)}.`, `/mute/m1.${rowIdOf(ada.id)}.`);
      expect(foreign).not.toBe(path);
      const foreignResult = await fetch(`${server.url}${foreign}`, { method: 'POST' });
      expect(foreignResult.status).toBe(400);
      expect(await stateOf()).toBe('none');

      const applied = await fetch(`${server.url}${path}`, { method: 'POST' });
      expect(applied.status).toBe(200);
      expect(await stateOf()).toBe('muted');
    });

    test('mute link for all mail switches to in-app', async () => {
      const [mail] = await notificationMails(server.database, cai.email);
      const link = /Stop all notification mail: (\S+)/.exec(mail?.textBody ?? '')?.[1] ?? '';

      const applied = await fetch(`${server.url}${new URL(link).pathname}`, { method: 'POST' });

      expect(applied.status).toBe(200);
      const [settings] = await server.database.db
        .select()
        .from(notificationSettings)
        .where(eq(notificationSettings.userId, rowIdOf(cai.id)));
      expect(settings?.delivery).toBe('in_app');
    });

    test('digest caps items and groups them', async () => {
      await setDelivery(dee, 'DAILY_DIGEST');
      const deeId = rowIdOf(dee.id);
      const threadId = await createThread(ada.token, { title: 'Digest thread' });
      await setFollow(dee.token, threadId, 'FOLLOWING');
      await reply(ben.token, threadId, 'unread for the digest');
      await server.database.db.insert(notifications).values(
        Array.from({ length: 22 }, () => ({
          userId: deeId,
          kind: 'reply' as const,
          subject: {
            communityId: rowIdOf(communityId),
            threadId: rowIdOf(threadId),
            actorId: rowIdOf(ben.id),
          },
        })),
      );
      // The followed reply above makes 23 notifications since DAILY_DIGEST was chosen.
      await server.database.db
        .update(notificationSettings)
        .set({ lastDigestAt: sql`now() - interval '25 hours'` })
        .where(eq(notificationSettings.userId, deeId));

      const rows = await outboxTo(server.database, dee.email, (mails) => mails.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 400));

      const mails = await notificationMails(server.database, dee.email);
      expect(mails.length).toBe(1);
      const text = rows[0]?.textBody ?? '';
      expect(rows[0]?.subject).toBe('Your daily Staffroom digest');
      expect(text).toContain('23 new notifications');
      expect(text).toContain('In the community “Number Sense”');
      expect(text).toContain('  “Digest thread”');
      expect(text.match(/^ {2}- /gm)?.length).toBe(20 + 1);
      expect(text).toContain('And 3 more: ');
      expect(text).toContain('Unread replies in threads you follow:');
      expect(text).toMatch(/“Digest thread”: 1 unread/);
      expect(text).toMatch(/Mute this community: \S+\/mute\//);
      const [pending] = await server.database.db
        .select({ count: sql<number>`count(*)::int` })
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, deeId),
            sql`${notifications.mailedAt} is null`,
            sql`${notifications.kind} in ('reply', 'followed_reply')`,
          ),
        );
      expect(pending?.count).toBe(0);
    });
  });
});

describe.each(await databaseKinds())('mentions from new accounts on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // The default settings: accounts younger than 7 days have their links held for review.
    server = await startTestServer({ database });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('notifies without holding the post', async () => {
    const asker = await signUpUser(server, { displayName: 'New Asker' });
    const helper = await signUpUser(server, { displayName: 'New Helper' });
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Fresh Faces', focus: 'OTHER', visibility: 'PUBLIC' },
      'id',
      asker.token,
    );
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: community.id },
      'id',
      helper.token,
    );
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId: community.id, title: 'First question', body: 'Where do I start?' },
      'id',
      asker.token,
    );

    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: `${mention(asker, 'New Asker')} start with the basics.` },
      'id',
      helper.token,
    );

    const kinds = (
      await server.graphql(NOTIFICATIONS, {}, { token: asker.token })
    ).body.data.notifications.nodes.map((node: Json) => node.kind);
    expect(kinds).toEqual(['MENTION']);
    const [held] = rowsOf(
      await server.database.db.execute(
        sql`select count(*)::int as count from posts where held_at is not null`,
      ),
    );
    expect(Number(held?.count)).toBe(0);
  });
});

const postgresReady = await servicesAvailable('postgres');

describe.skipIf(!postgresReady)('notification mail from two server processes', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let first: ServerProcess;
  let second: ServerProcess;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = {
      DATABASE_URL: database.url as string,
      SECRET_KEY: 'two processes share this key',
      NOTIFICATION_MAIL_INTERVAL_MS: '50',
    };
    [first, second] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    handle = openDatabase({ url: database.url, dataDir: database.dataDir });
  });

  afterAll(async () => {
    await Promise.all([first?.terminate(), second?.terminate()]);
    await handle?.close();
    await database?.drop();
  });

  const signUp = async (name: string, delivery: string) => {
    const email = `${name}-${Date.now()}@example.org`;
    const signedUp = await graphqlAt(
      first.url,
      'mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }',
      { input: { email, password: 'two processes password', displayName: name } },
    );
    expect(signedUp.body.data.signUp.__typename).toBe('MutationSignUpSuccess');
    const [row] = rowsOf(
      await handle.db.execute(
        sql`update users set email_verified_at = now() where email = ${email} returning id`,
      ),
    );
    const userId = Number(row?.id);
    await handle.db
      .insert(notificationSettings)
      .values({ userId, delivery: delivery as 'email', updatedAt: sql`now() - interval '1 hour'` });
    return { userId, email };
  };

  test('sends each mail and digest once', async () => {
    const mailed = await Promise.all([0, 1, 2].map((index) => signUp(`mailed${index}`, 'email')));
    const capped = await signUp('capped', 'email');
    const digested = await Promise.all(
      Array.from({ length: 5 }, (_, index) => signUp(`digest${index}`, 'daily_digest')),
    );
    await handle.db
      .update(notificationSettings)
      .set({ lastDigestAt: sql`now() - interval '2 days'` })
      .where(sql`${notificationSettings.delivery} = 'daily_digest'`);
    const rows = [
      ...mailed.flatMap(({ userId }) => Array.from({ length: 10 }, () => ({ userId }))),
      ...Array.from({ length: MAX_NOTIFICATION_MAILS_PER_HOUR + 8 }, () => ({
        userId: capped.userId,
      })),
      ...digested.flatMap(({ userId }) => Array.from({ length: 3 }, () => ({ userId }))),
    ];
    await handle.db
      .insert(notifications)
      .values(rows.map(({ userId }) => ({ userId, kind: 'starting_soon' as const, subject: {} })));

    const done = await waitFor(async () => {
      const [row] = await handle.db
        .select({ count: sql<number>`count(*)::int` })
        .from(notifications)
        .where(sql`${notifications.mailedAt} is null`);
      return row?.count === 0;
    }, 15_000);
    expect(done).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const perRecipient = await handle.db
      .select({ recipient: mailOutbox.recipient, count: sql<number>`count(*)::int` })
      .from(mailOutbox)
      .where(ne(mailOutbox.subject, VERIFICATION_SUBJECT))
      .groupBy(mailOutbox.recipient);
    const counts = new Map(perRecipient.map((row) => [row.recipient, row.count]));
    for (const { email } of mailed) {
      expect(counts.get(email)).toBe(10);
    }
    // The cap counts every mail to the address in the hour, the sign-up verification included.
    const [cappedTotal] = await handle.db
      .select({ count: sql<number>`count(*)::int` })
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, capped.email));
    expect(counts.get(capped.email)).toBe(MAX_NOTIFICATION_MAILS_PER_HOUR - 1);
    expect(cappedTotal?.count).toBe(MAX_NOTIFICATION_MAILS_PER_HOUR);
    for (const { email } of digested) {
      expect(counts.get(email)).toBe(1);
    }
  });
});
