import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, newPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Json, mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const DEMO_PASSWORD = 'staffroom-demo';
const OWNER = 'facilitator@staffroom.example.org';
const MEMBER = 'demo@staffroom.example.org';
const COMMUNITY = 'elementary-makerspace-network';
const PRIVATE_COMMUNITY = 'new-teacher-support-circle';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  ... on MutationSignInSuccess { data { token } } } }`;
const AXE_SOURCE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Runs axe-core on the whole page, shadow roots included, and returns the violated rules. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<Json> } }).axe;
    const result = await axe.run();
    return result.violations.map(
      (violation: Json) =>
        `${violation.id}: ${violation.nodes.map((node: Json) => node.target.join(' ')).join(', ')}`,
    );
  });
}

describe.skipIf(!ready)('embedded widgets on another site', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let portal: Server;
  let portalOrigin: string;
  let ownerToken: string;
  let communityId: string;
  let embedKey: string;
  let liveSessionId: string;
  const pages = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
    portal = createServer((request, response) => {
      const html = pages.get(request.url ?? '/');
      // Pages under /coop/ cut the link to the popups they open.
      const isolation = request.url?.startsWith('/coop/')
        ? { 'Cross-Origin-Opener-Policy': 'same-origin' }
        : {};
      response
        .writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', ...isolation })
        .end(html ?? 'Not found');
    });
    portalOrigin = `http://127.0.0.1:${await listen(portal)}`;

    const signIn = await server.graphql(SIGN_IN, {
      input: { email: OWNER, password: DEMO_PASSWORD, session: 'BEARER' },
    });
    ownerToken = signIn.body.data.signIn.data.token;
    const community = await server.graphql(
      `{ community(slug: "${COMMUNITY}") { id upcomingLiveSessions { nodes { id status } } } }`,
    );
    communityId = community.body.data.community.id;
    liveSessionId = community.body.data.community.upcomingLiveSessions.nodes.find(
      (liveSession: Json) => liveSession.status === 'LIVE',
    ).id;
    embedKey = await createKey([portalOrigin]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => portal?.close(resolve));
    await server?.stop();
    await database?.drop();
  });

  const createKey = async (allowedOrigins: string[]) => {
    const created = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId, name: `Portal ${allowedOrigins.length}`, allowedOrigins },
      'key',
      ownerToken,
    );
    return created.key as string;
  };

  /** Serves a portal page at `path` with the loader and `body`; returns its address. */
  const portalPage = (path: string, body: string, head = '') => {
    pages.set(
      path,
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>District portal</title>
<meta name="viewport" content="width=device-width, initial-scale=1">${head}
<script type="module" src="${server.url}/embed/loader.js"></script></head>
<body><main><h1>District portal</h1>${body}</main></body></html>`,
    );
    return `${portalOrigin}${path}`;
  };

  const widget = (tag: string, attributes: string) =>
    `<staffroom-${tag} embed-key="${embedKey}" ${attributes}></staffroom-${tag}>`;

  test('renders each widget accessibly at any width', async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(
      portalPage(
        '/all',
        [
          widget('feed', `community="${COMMUNITY}" items="3"`),
          widget('sessions', `community="${COMMUNITY}"`),
          widget('community', `community="${COMMUNITY}" theme="dark"`),
          widget('badges', `community="${COMMUNITY}"`),
          widget('chat', `session="${liveSessionId}" items="5"`),
        ].join('\n'),
      ),
    );
    const feed = page.locator('staffroom-feed');
    await feed.getByRole('heading', { name: 'Latest in Elementary Makerspace Network' }).waitFor();
    await page.locator('staffroom-sessions').getByText('Live now').waitFor();
    await page.locator('staffroom-badges').locator('img').first().waitFor();
    await page.locator('staffroom-chat').getByRole('log').waitFor();
    const threads = await feed.getByRole('heading', { level: 3 }).count();
    const threadLink = await feed.getByRole('heading', { level: 3 }).first().getByRole('link');
    const joinLink = page
      .locator('staffroom-community')
      .getByRole('link', { name: 'Join in Staffroom' });
    const badgeImage = page.locator('staffroom-badges').locator('img').first();
    const openLinks = await page.getByRole('link', { name: 'Open in Staffroom' }).count();
    const violations = await axeViolations(page);
    await page.setViewportSize({ width: 320, height: 800 });
    await page.screenshot({ path: `${ARTIFACTS}embed-widgets-320.png`, fullPage: true });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);

    expect(threads).toBe(3);
    expect(await threadLink.getAttribute('href')).toMatch(new RegExp(`^${server.url}/t/`));
    expect(await joinLink.getAttribute('href')).toBe(`${server.url}/c/${COMMUNITY}`);
    expect(await badgeImage.getAttribute('src')).toMatch(new RegExp(`^${server.url}/badges/`));
    expect(
      await badgeImage.evaluate((image: HTMLImageElement) => image.naturalWidth),
    ).toBeGreaterThan(0);
    expect(openLinks).toBe(5);
    expect(violations).toEqual([]);
    expect(scrollWidth).toBeLessThanOrEqual(320);
    expect(errors).toEqual([]);
  });

  test('shows why a widget cannot show content', async () => {
    const otherSiteKey = await createKey(['https://elsewhere.example.org']);
    const page = await newPage(browser);

    await page.goto(
      portalPage(
        '/refused',
        [
          `<div id="unknown">${widget('feed', `community="${COMMUNITY}"`).replace(embedKey, 'ek_unknown0000000000000000')}</div>`,
          `<div id="other-site">${widget('feed', `community="${COMMUNITY}"`).replace(embedKey, otherSiteKey)}</div>`,
          `<div id="private">${widget('feed', `community="${PRIVATE_COMMUNITY}"`)}</div>`,
          `<div id="missing">${widget('sessions', '')}</div>`,
        ].join('\n'),
      ),
    );
    const notEnabled = page.getByText('This widget is not enabled for this site.');
    await notEnabled.first().waitFor();
    await notEnabled.nth(1).waitFor();
    const privateFeed = page.locator('#private staffroom-feed');
    await privateFeed.getByText('This community is not available here.').waitFor();

    expect(await page.locator('#unknown').getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    expect(await page.locator('#other-site').getByRole('button', { name: 'Sign in' }).count()).toBe(
      0,
    );
    expect(await privateFeed.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(
      await page
        .locator('#missing')
        .getByText('needs an embed-key and a community attribute')
        .count(),
    ).toBe(1);
    expect(await page.getByRole('link', { name: 'Open in Staffroom' }).count()).toBe(4);
  });

  test('adds a new thread to the feed live', async () => {
    const page = await newPage(browser);
    await page.goto(portalPage('/live', widget('feed', `community="${COMMUNITY}" items="3"`)));
    const feed = page.locator('staffroom-feed');
    await feed.getByText('Live', { exact: true }).waitFor();

    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Cardboard automata in grade 3', body: 'Cams and followers.' },
      'id',
      ownerToken,
    );
    await feed.getByRole('link', { name: 'Cardboard automata in grade 3' }).waitFor();
    await feed.getByRole('status').getByText('New thread posted.').waitFor();

    expect(await feed.getByRole('heading', { level: 3 }).count()).toBe(3);
  });

  test('shows a nested reply as latest', async () => {
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Gear trains from bottle caps', body: 'Which caps grip best?' },
      'id',
      ownerToken,
    );
    const topReply = await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, body: 'Soda caps with a rubber band.' },
      'id',
      ownerToken,
    );
    const page = await newPage(browser);
    await page.goto(portalPage('/nested', widget('feed', `community="${COMMUNITY}" items="20"`)));
    const feed = page.locator('staffroom-feed');
    const item = feed.getByRole('listitem').filter({ hasText: 'Gear trains from bottle caps' });
    await item.getByText('Soda caps with a rubber band.').waitFor();
    await feed.getByText('Live', { exact: true }).waitFor();

    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: thread.id, parentId: topReply.id, body: 'Hot glue holds them too.' },
      'id',
      ownerToken,
    );
    await item.getByText('Hot glue holds them too.').waitFor();

    expect(await item.getByText('Soda caps with a rubber band.').count()).toBe(0);
    expect(await item.getByText('2 replies').count()).toBe(1);
  });

  test('signs in from the chat, sends and signs out', async () => {
    const page = await newPage(browser);
    await page.goto(portalPage('/chat', widget('chat', `session="${liveSessionId}"`)));
    const chat = page.locator('staffroom-chat');
    await chat.getByText('Sign in to take part in the chat.').waitFor();

    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      chat.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await popup.getByRole('heading', { name: 'Sign in to Staffroom' }).waitFor();
    await popup.getByRole('link', { name: 'Sign in', exact: true }).last().click();
    await popup.getByTestId('sign-in-email').fill(MEMBER);
    await popup.getByTestId('sign-in-password').fill(DEMO_PASSWORD);
    await popup.getByTestId('sign-in-submit').click();
    await popup.getByRole('button', { name: 'Allow' }).click();
    const box = chat.getByRole('textbox', { name: 'Message' });
    await box.fill('Hello from the district portal');
    await box.press('Enter');
    await chat.getByRole('log').getByText('Hello from the district portal').waitFor();
    await mutate(
      server,
      'sendChatMessage',
      'SendChatMessageInput',
      { liveSessionId, body: 'Welcome, portal visitors' },
      'id',
      ownerToken,
    );
    await chat.getByRole('log').getByText('Welcome, portal visitors').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}embed-chat.png` });
    const signedInAs = await chat.locator('.footer').getByText('Signed in as').textContent();
    const maxLength = await box.getAttribute('maxlength');
    await chat.getByRole('button', { name: 'Sign out' }).click();
    await chat.getByText('Sign in to take part in the chat.').waitFor();

    expect(signedInAs).toBe('Signed in as Demo Educator');
    expect(Number(maxLength)).toBeGreaterThan(0);
    expect(await chat.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    expect(await chat.getByRole('log').getByText('Hello from the district portal').count()).toBe(1);
  });

  test('shows an ended session without Live', async () => {
    const community = await server.graphql(
      `{ community(slug: "${COMMUNITY}") { pastLiveSessions(first: 1) { nodes { id status } } } }`,
    );
    const ended = community.body.data.community.pastLiveSessions.nodes[0];
    const page = await newPage(browser);

    await page.goto(portalPage('/ended', widget('chat', `session="${ended.id}"`)));
    const chat = page.locator('staffroom-chat');
    await chat.locator('.header').getByText('Ended').waitFor();
    const times = await chat.getByRole('log').locator('time').allTextContents();

    expect(ended.status).toBe('ENDED');
    expect(await chat.locator('.header').getByText('Live', { exact: true }).count()).toBe(0);
    expect(await chat.locator('.live-status.on').count()).toBe(0);
    expect(times.length).toBeGreaterThan(0);
    for (const time of times) {
      expect(time).toMatch(/[A-Z][a-z]{2} \d{1,2}/);
    }
  });

  test('explains a sign-in cut off by COOP', async () => {
    const page = await newPage(browser);
    await page.goto(portalPage('/coop/chat', widget('chat', `session="${liveSessionId}"`)));
    const chat = page.locator('staffroom-chat');
    await chat.getByText('Sign in to take part in the chat.').waitFor();

    await chat.getByRole('button', { name: 'Sign in' }).click();
    const alert = chat.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });

    expect(await alert.textContent()).toContain('this site blocks it from reporting back');
    expect(await alert.getByRole('link', { name: 'Open in Staffroom' }).getAttribute('href')).toBe(
      `${server.url}/s/${encodeURIComponent(liveSessionId)}`,
    );
    expect(await chat.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
  });

  test('falls back to server-sent events', async () => {
    // Every WebSocket of the page goes to a closed port, so none ever opens.
    const blockSockets = `<script>
      window.WebSocket = class extends WebSocket {
        constructor(_url, protocols) { super('ws://127.0.0.1:1/', protocols); }
      };
    </script>`;
    const page = await newPage(browser);
    await page.goto(
      portalPage('/sse', widget('feed', `community="${COMMUNITY}" items="3"`), blockSockets),
    );
    const feed = page.locator('staffroom-feed');
    await feed.getByText('Live', { exact: true }).waitFor({ timeout: 15_000 });

    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Marble runs on a budget', body: 'Pool noodles work.' },
      'id',
      ownerToken,
    );

    await feed.getByRole('link', { name: 'Marble runs on a budget' }).waitFor();
  });

  test('keeps its styles under a strict CSP', async () => {
    const strictStyles = `<meta http-equiv="Content-Security-Policy" content="style-src 'none'">`;
    const page = await newPage(browser);

    await page.goto(
      portalPage('/strict', widget('community', `community="${COMMUNITY}"`), strictStyles),
    );
    const card = page.locator('staffroom-community').locator('section');
    await card.getByRole('link', { name: 'Join in Staffroom' }).waitFor();
    const padding = await card.evaluate((section) => getComputedStyle(section).paddingTop);

    expect(padding).toBe('16px');
  });

  test('fills the iframe variant', async () => {
    const source = `${server.url}/embed/frame/community?embed-key=${embedKey}&community=${COMMUNITY}`;
    const page = await newPage(browser);

    await page.goto(
      portalPage(
        '/frame',
        `<iframe src="${source}" title="Our Staffroom community" width="360" height="480"></iframe>`,
      ),
    );
    const frame = page.frameLocator('iframe');
    const join = frame.getByRole('link', { name: 'Join in Staffroom' });
    await join.waitFor();
    const width = await frame
      .locator('staffroom-community')
      .evaluate((element) => element.getBoundingClientRect().width);

    expect(await join.getAttribute('target')).toBe('_blank');
    expect(width).toBe(360);
  });

  test('follows its origin off and back on the key', async () => {
    const changing = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId, name: 'Changing portal', allowedOrigins: [portalOrigin] },
      'id key',
      ownerToken,
    );
    const setOrigins = (allowedOrigins: string[]) =>
      mutate(
        server,
        'updateEmbedKey',
        'UpdateEmbedKeyInput',
        { embedKeyId: changing.id, allowedOrigins },
        'id',
        ownerToken,
      );
    const page = await newPage(browser);
    await page.goto(
      portalPage(
        '/origin-removed',
        widget('feed', `community="${COMMUNITY}" items="2"`).replace(embedKey, changing.key),
      ),
    );
    const feed = page.locator('staffroom-feed');
    await feed.getByText('Live', { exact: true }).waitFor();

    await setOrigins(['https://elsewhere.example.org']);
    await feed.getByText('This widget is not enabled for this site.').waitFor({ timeout: 15_000 });
    const threadsWhileRemoved = await feed.getByRole('heading', { level: 3 }).count();
    await setOrigins([portalOrigin]);
    await feed.getByRole('button', { name: 'Try again now' }).click();
    await feed.getByRole('heading', { level: 3 }).first().waitFor({ timeout: 3000 });
    await feed.getByText('Live', { exact: true }).waitFor({ timeout: 5000 });

    expect(threadsWhileRemoved).toBe(0);
    expect(await feed.getByText('This widget is not enabled for this site.').count()).toBe(0);
    expect(await feed.getByRole('heading', { level: 3 }).count()).toBe(2);
  });

  test('turns off when the key is revoked', async () => {
    const revocable = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId, name: 'Old portal', allowedOrigins: [portalOrigin] },
      'id key',
      ownerToken,
    );
    const page = await newPage(browser);
    await page.goto(
      portalPage(
        '/revoked',
        widget('feed', `community="${COMMUNITY}"`).replace(embedKey, revocable.key),
      ),
    );
    const feed = page.locator('staffroom-feed');
    await feed.getByText('Live', { exact: true }).waitFor();

    await mutate(
      server,
      'revokeEmbedKey',
      'RevokeEmbedKeyInput',
      { embedKeyId: revocable.id },
      'id',
      ownerToken,
    );

    await feed.getByText('This widget has been turned off by its owner.').waitFor();
    await page.waitForTimeout(500);

    expect(await feed.getByRole('link', { name: 'Open in Staffroom' }).count()).toBe(1);
    expect(await feed.getByRole('button').count()).toBe(0);
    expect(await feed.getByText('Live updates').count()).toBe(0);
  });

  test('shows a key revoked before loading as turned off', async () => {
    const revoked = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId, name: 'Retired portal', allowedOrigins: [portalOrigin] },
      'id key',
      ownerToken,
    );
    await mutate(
      server,
      'revokeEmbedKey',
      'RevokeEmbedKeyInput',
      { embedKeyId: revoked.id },
      'id',
      ownerToken,
    );
    const page = await newPage(browser);

    await page.goto(
      portalPage(
        '/revoked-before',
        [
          widget('feed', `community="${COMMUNITY}"`).replace(embedKey, revoked.key),
          widget('chat', `session="${liveSessionId}"`).replace(embedKey, revoked.key),
        ].join('\n'),
      ),
    );
    const turnedOff = page.getByText('This widget has been turned off by its owner.');
    await turnedOff.nth(1).waitFor();

    expect(await page.getByText('This widget is not enabled for this site.').count()).toBe(0);
    expect(await page.locator('staffroom-chat').getByRole('button').count()).toBe(0);
    expect(await page.locator('staffroom-feed').getByRole('button').count()).toBe(0);
  });
});
