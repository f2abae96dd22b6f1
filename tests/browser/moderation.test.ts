import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, newPage, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const COMMUNITY_SLUG = 'elementary-makerspace-network';
const PASSWORD = 'staffroom-demo';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  ... on MutationSignInSuccess { data { token } } } }`;

const AXE_SOURCE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);

/** Runs axe-core on the open dialog and returns the violated rules. */
async function dialogViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (context: Element | null) => Promise<{
            violations: { id: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document.querySelector('dialog[open]'));
    return result.violations.map(
      (violation) =>
        `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

describe.skipIf(!ready)('moderation in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  /**
   * Signs in on a page of its own whose Content-Security-Policy is bypassed, because axe-core is
   * injected as an inline script, which the policy blocks.
   */
  async function signInAllowingAxe(email: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByTestId('sign-in-email').fill(email);
    await page.getByTestId('sign-in-password').fill(PASSWORD);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('viewer-name').waitFor();
    return page;
  }

  async function bearerToken(email: string): Promise<string> {
    const signIn = await server.graphql(SIGN_IN, {
      input: { email, password: PASSWORD, session: 'BEARER' },
    });
    return signIn.body.data.signIn.data.token;
  }

  async function waitForLiveConnection(page: Page): Promise<void> {
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') ===
        'connected',
    );
  }

  /** Posts a reply as a new member, through the API, and returns the thread's global id. */
  async function postReplyAsNewMember(text: string): Promise<string> {
    const author = await signUpUser(server, { displayName: 'Rory Rude' });
    const found = await server.graphql(
      `query($slug: String!) { community(slug: $slug) { id threads(first: 50) { nodes { id title } } } }`,
      { slug: COMMUNITY_SLUG },
      { token: author.token },
    );
    const community = found.body.data.community;
    const thread = community.threads.nodes.find((node: { title: string }) =>
      node.title.startsWith('Design journals'),
    );
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: community.id },
      'id',
      author.token,
    );
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: text },
      'id',
      author.token,
    );
    return thread.id;
  }

  test('report leads to live removal', async () => {
    const text = `Rude remark for the moderation test ${Date.now()}`;
    const threadId = await postReplyAsNewMember(text);
    const member = await signInAllowingAxe('demo@staffroom.example.org');
    const facilitator = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      PASSWORD,
    );
    const errors: string[] = [];
    member.on('pageerror', (error) => errors.push(error.message));

    await member.goto(`${server.url}/t/${encodeURIComponent(threadId)}`);
    await member.getByTestId('post-list').getByText(text).waitFor();
    await waitForLiveConnection(member);
    const memberUrl = member.url();
    const reported = member.getByTestId('post-item').filter({ hasText: text });
    await reported.getByTestId('report-open').click();
    const dialog = member.getByRole('dialog', { name: /Report reply by Rory Rude/ });
    await dialog.waitFor();
    const violations = await dialogViolations(member);
    await dialog.getByLabel('Harassment or bullying').check();
    await dialog.getByLabel('Details (optional)').fill('Insults another teacher.');
    await dialog.getByTestId('report-submit').click();
    await dialog.getByTestId('report-sent').waitFor();
    await member.screenshot({ path: `${ARTIFACTS}moderation-report-sent.png` });
    await dialog.getByRole('button', { name: 'Close' }).click();

    await facilitator.goto(`${server.url}/c/${COMMUNITY_SLUG}/manage`);
    const item = facilitator.getByTestId('report-item').filter({ hasText: text });
    await item.waitFor();
    const itemText = await item.textContent();
    await item.getByLabel('Decision').selectOption('REMOVE');
    await item.getByLabel('Note (optional)').fill('Personal attacks are not allowed.');
    facilitator.once('dialog', (confirm) => void confirm.accept());
    await facilitator.screenshot({ path: `${ARTIFACTS}moderation-queue.png`, fullPage: true });
    await item.getByTestId('decision-submit').click();
    await item.waitFor({ state: 'detached' });

    await member.getByTestId('post-list').getByText(text).waitFor({ state: 'detached' });
    await member.screenshot({ path: `${ARTIFACTS}moderation-removed-live.png`, fullPage: true });

    expect(violations).toEqual([]);
    expect(itemText).toContain('Insults another teacher.');
    expect(itemText).toContain('Harassment or bullying');
    expect(member.url()).toBe(memberUrl);
    expect(await member.getByTestId('thread-announcer').textContent()).toContain(
      'A moderator removed a reply.',
    );
    expect(errors).toEqual([]);
  });

  test('mute shows note and local time', async () => {
    const author = await signUpUser(server, { displayName: 'Lou Loud' });
    const facilitatorToken = await bearerToken('facilitator@staffroom.example.org');
    const found = await server.graphql(
      `query($slug: String!) { community(slug: $slug) { id threads(first: 50) { nodes { id title } } } }`,
      { slug: COMMUNITY_SLUG },
      { token: author.token },
    );
    const community = found.body.data.community;
    const threadId: string = community.threads.nodes.find((node: { title: string }) =>
      node.title.startsWith('Design journals'),
    ).id;
    const input = { communityId: community.id };
    await mutate(server, 'joinCommunity', 'CommunityIdInput', input, 'id', author.token);
    const post = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId, body: 'Loud remark' },
      'id',
      author.token,
    );
    const report = await mutate(
      server,
      'reportContent',
      'ReportContentInput',
      { subjectId: post.id, reason: 'SPAM' },
      'id',
      await bearerToken('demo@staffroom.example.org'),
    );
    await mutate(
      server,
      'resolveReport',
      'ResolveReportInput',
      { reportId: report.id, action: 'MUTE', muteMinutes: 30, note: 'Cooling off.' },
      'id',
      facilitatorToken,
    );
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'America/Chicago',
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByTestId('sign-in-email').fill(author.email);
    await page.getByTestId('sign-in-password').fill('correct horse battery staple');
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('viewer-name').waitFor();

    await page.goto(`${server.url}/notifications`);
    const notice = page.getByRole('link', { name: /muted you/ });
    await notice.waitFor();
    const noticeText = (await notice.textContent()) ?? '';
    const href = await notice.getAttribute('href');
    await page.goto(`${server.url}/t/${encodeURIComponent(threadId)}`);
    await page.getByTestId('reply-body').fill('Still talking');
    await page.getByTestId('reply-submit').click();
    const rejection = page.getByText(/muted you in this community until/);
    await rejection.waitFor();
    const rejectionText = (await rejection.textContent()) ?? '';
    const localUntil = /until (\w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2}\s?[AP]M)/;

    expect(noticeText).toContain('Cooling off.');
    expect(href).toBe(`/t/${encodeURIComponent(threadId)}`);
    expect(noticeText).not.toMatch(/UTC|\d{4}-\d{2}-\d{2}/);
    expect(rejectionText).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(noticeText.match(localUntil)?.[1]).toBeDefined();
    expect(rejectionText.match(localUntil)?.[1]).toBe(noticeText.match(localUntil)?.[1]);
  });

  test('open thread page shows its removal', async () => {
    const signIn = await server.graphql(SIGN_IN, {
      input: { email: 'facilitator@staffroom.example.org', password: PASSWORD, session: 'BEARER' },
    });
    const facilitatorToken = signIn.body.data.signIn.data.token;
    const community = await server.graphql(`{ community(slug: "${COMMUNITY_SLUG}") { id } }`);
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      {
        communityId: community.body.data.community.id,
        title: `Thread removed while open ${Date.now()}`,
        body: 'Off topic',
      },
      'id',
      facilitatorToken,
    );
    const member = await signInThroughPage(
      browser,
      server.url,
      'demo@staffroom.example.org',
      PASSWORD,
    );
    await member.goto(`${server.url}/t/${encodeURIComponent(thread.id)}`);
    await member.getByTestId('post-list').waitFor();
    await waitForLiveConnection(member);
    const memberUrl = member.url();

    await mutate(
      server,
      'removeThread',
      'RemoveThreadInput',
      { threadId: thread.id, reason: 'Off topic' },
      'id',
      facilitatorToken,
    );
    await member.getByTestId('thread-removed').waitFor();

    expect(member.url()).toBe(memberUrl);
    expect(await member.getByTestId('post-list').count()).toBe(0);
  });

  test('feed widget drops a removed thread', async () => {
    const signIn = await server.graphql(SIGN_IN, {
      input: { email: 'facilitator@staffroom.example.org', password: PASSWORD, session: 'BEARER' },
    });
    const ownerToken = signIn.body.data.signIn.data.token;
    const community = await server.graphql(`{ community(slug: "${COMMUNITY_SLUG}") { id } }`);
    const communityId = community.body.data.community.id;
    const title = `Thread to remove ${Date.now()}`;
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title, body: 'Advertising' },
      'id',
      ownerToken,
    );
    let page = '';
    const portal = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    });
    const portalOrigin = `http://127.0.0.1:${await listen(portal)}`;
    try {
      const created = await mutate(
        server,
        'createEmbedKey',
        'CreateEmbedKeyInput',
        { communityId, name: 'Moderation portal', allowedOrigins: [portalOrigin] },
        'key',
        ownerToken,
      );
      page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portal</title>
<script type="module" src="${server.url}/embed/loader.js"></script></head><body><main>
<staffroom-feed embed-key="${created.key}" community="${COMMUNITY_SLUG}" items="5"></staffroom-feed>
</main></body></html>`;
      const browserPage = await newPage(browser);
      await browserPage.goto(`${portalOrigin}/`);
      const feed = browserPage.locator('staffroom-feed');
      await feed.getByRole('heading', { name: title }).waitFor();

      await mutate(
        server,
        'removeThread',
        'RemoveThreadInput',
        { threadId: thread.id, reason: 'Advertising' },
        'id',
        ownerToken,
      );
      await feed.getByRole('heading', { name: title }).waitFor({ state: 'detached' });
      await browserPage.screenshot({ path: `${ARTIFACTS}moderation-feed-widget.png` });

      expect(await feed.getByRole('heading', { level: 3 }).count()).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => portal.close(resolve));
    }
  });
});
