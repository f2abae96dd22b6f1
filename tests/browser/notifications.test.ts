import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, rowIdOf, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const DEMO = 'demo@staffroom.example.org';
const FACILITATOR = 'facilitator@staffroom.example.org';
const PASSWORD = 'staffroom-demo';
const COMMUNITY_SLUG = 'elementary-makerspace-network';

describe.skipIf(!ready)('notifications in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let demoToken: string;
  let facilitatorToken: string;
  let communityId: string;

  const signIn = async (email: string): Promise<string> => {
    const result = await server.graphql(
      `mutation($input: SignInInput!) { signIn(input: $input) {
        ... on MutationSignInSuccess { data { token } } } }`,
      { input: { email, password: PASSWORD, session: 'BEARER' } },
    );
    return result.body.data.signIn.data.token;
  };

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({
      database,
      env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true', FLOOD_LIMITS: 'false' },
    });
    browser = await launchChromium();
    demoToken = await signIn(DEMO);
    facilitatorToken = await signIn(FACILITATOR);
    const community = await server.graphql(
      'query($slug: String!) { community(slug: $slug) { id } }',
      {
        slug: COMMUNITY_SLUG,
      },
    );
    communityId = community.body.data.community.id;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  const createThread = async (title: string): Promise<string> =>
    (
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId, title, body: 'Started by the notifications browser test.' },
        'id',
        demoToken,
      )
    ).id;

  const unreadCount = async (page: Page): Promise<number> => {
    const badge = page.getByTestId('unread-count');
    return (await badge.count()) === 0
      ? 0
      : Number.parseInt((await badge.textContent()) ?? '0', 10);
  };

  test('shows a reply by someone else in the bell count', async () => {
    const page = await signInThroughPage(browser, server.url, DEMO, PASSWORD);
    await page.goto(`${server.url}/c/${COMMUNITY_SLUG}`);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') ===
        'connected',
    );
    const threadId = await createThread(`Bell count ${Date.now()}`);
    const before = await unreadCount(page);

    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'A reply from the facilitator.' },
      'id',
      facilitatorToken,
    );

    await page.waitForFunction(
      (expected) =>
        Number.parseInt(
          document.querySelector('[data-testid=unread-count]')?.textContent ?? '0',
          10,
        ) === expected,
      before + 1,
      { timeout: 10_000 },
    );
    expect(await unreadCount(page)).toBe(before + 1);
    await page.screenshot({ path: `${ARTIFACTS}notifications-bell.png` });
  });

  test('inserts a mention from the picker', async () => {
    const threadId = await createThread(`Mention picker ${Date.now()}`);
    const page = await signInThroughPage(browser, server.url, DEMO, PASSWORD);
    await page.goto(`${server.url}/t/${encodeURIComponent(threadId)}`);
    await page.getByTestId('reply-body').fill('Over to you,');

    await page.getByRole('button', { name: 'Mention someone' }).click();
    const combobox = page.getByRole('combobox', { name: 'Mention a member' });
    await combobox.fill('Jordan');
    await page.getByRole('option', { name: 'Jordan Ellis' }).waitFor();
    await combobox.press('Enter');

    const body = await page.getByTestId('reply-body').inputValue();
    expect(body).toMatch(/^Over to you, @\[Jordan Ellis\]\(\/u\/[A-Za-z0-9+/=]+\) $/);
    await page.getByTestId('reply-submit').click();
    await page.getByTestId('post-list').getByRole('link', { name: 'Jordan Ellis' }).waitFor();

    const notifications = await server.graphql(
      'query { notifications(first: 5) { nodes { kind thread { id } } } }',
      {},
      { token: facilitatorToken },
    );
    const forThread = notifications.body.data.notifications.nodes.filter(
      (node: { thread: { id: string } | null }) => node.thread?.id === threadId,
    );
    expect(forThread.map((node: { kind: string }) => node.kind)).toEqual(['MENTION']);
  });

  test('mention picker returns focus to text', async () => {
    const threadId = await createThread(`Mention focus ${Date.now()}`);
    const page = await signInThroughPage(browser, server.url, DEMO, PASSWORD);
    await page.goto(`${server.url}/t/${encodeURIComponent(threadId)}`);
    const box = page.getByTestId('reply-body');
    await box.fill('Over to you, thanks');
    await box.evaluate((element: HTMLTextAreaElement) => element.setSelectionRange(12, 12));
    const focusedTestId = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    const caret = () =>
      box.evaluate((element: HTMLTextAreaElement) => [
        element.selectionStart,
        element.selectionEnd,
      ]);

    await page.getByRole('button', { name: 'Mention someone' }).click();
    const combobox = page.getByRole('combobox', { name: 'Mention a member' });
    await combobox.fill('Jordan');
    await page.getByRole('option', { name: 'Jordan Ellis' }).waitFor();
    await combobox.press('Enter');
    await combobox.waitFor({ state: 'detached' });
    const afterPick = await box.inputValue();
    const focusAfterPick = await focusedTestId();
    const caretAfterPick = await caret();
    const tokenEnd = afterPick.indexOf(') thanks') + 1;

    await page.getByRole('button', { name: 'Mention someone' }).click();
    await combobox.press('Escape');
    await combobox.waitFor({ state: 'detached' });
    const focusAfterEscape = await focusedTestId();
    const caretAfterEscape = await caret();

    expect(afterPick).toMatch(/^Over to you, @\[Jordan Ellis\]\(\/u\/[A-Za-z0-9+/=]+\) thanks$/);
    expect(focusAfterPick).toBe('reply-body');
    expect(caretAfterPick).toEqual([tokenEnd, tokenEnd]);
    expect(focusAfterEscape).toBe('reply-body');
    expect(caretAfterEscape).toEqual([tokenEnd, tokenEnd]);
  });

  test('jumps to the first unread reply', async () => {
    const threadId = await createThread(`Long thread ${Date.now()}`);
    // The replies are written straight to the database, as a busy thread would have them.
    const inserted = rowsOf(
      await server.database.db.execute(sql`insert into posts (thread_id, author_id, body)
        select ${rowIdOf(threadId)}, u.id, 'Reply number ' || n
        from generate_series(1, 30) as n, users u where u.email = ${FACILITATOR}
        order by n returning id`),
    ).map((row) => Number(row.id));
    await server.database.db.execute(
      sql`update threads set reply_count = 30 where id = ${rowIdOf(threadId)}`,
    );
    const lastRead = inserted[19] ?? 0;
    const firstUnread = inserted[20] ?? 0;
    const postGlobalId = (id: number) => Buffer.from(`Post:${id}`).toString('base64');
    await mutate(
      server,
      'markThreadRead',
      'MarkThreadReadInput',
      { threadId, postId: postGlobalId(lastRead) },
      'id',
      demoToken,
    );
    const page = await signInThroughPage(browser, server.url, DEMO, PASSWORD);
    await page.goto(`${server.url}/c/${COMMUNITY_SLUG}`);
    const listed = page.getByRole('listitem').filter({ hasText: 'Long thread' });
    expect(await listed.getByTestId('thread-unread').textContent()).toContain('10 new');

    await page.goto(`${server.url}/t/${encodeURIComponent(threadId)}`);
    const jump = page.getByTestId('jump-unread');
    await jump.waitFor();
    expect(await jump.textContent()).toContain('10 new replies');
    await jump.click();

    const focused = await page.evaluate(() => document.activeElement?.id ?? '');
    expect(focused).toBe(`post-${postGlobalId(firstUnread)}`);
    const inView = await page.evaluate((id) => {
      const box = document.getElementById(id)?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.top < window.innerHeight;
    }, focused);
    expect(inView).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}notifications-jump-unread.png` });

    // The replies scrolled into view are marked read on the server.
    const deadline = Date.now() + 5000;
    let remaining = 10;
    while (remaining >= 10 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const state = await server.graphql(
        'query($id: ID!) { thread(id: $id) { viewerUnreadCount } }',
        { id: threadId },
        { token: demoToken },
      );
      remaining = state.body.data.thread.viewerUnreadCount;
    }
    expect(remaining).toBeLessThan(10);
  });
});
