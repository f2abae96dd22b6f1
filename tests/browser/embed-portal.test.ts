import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type Request,
  type WebSocket,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { EMBED_OPERATIONS, embedOperationId } from '../../schema/embed-operations.ts';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Json, mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { CHROMIUM_PATH, servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const PASSWORD = 'staffroom-demo';
/** Owner of elementary-makerspace-network in the demo data: Jordan Ellis. */
const OWNER = 'facilitator@staffroom.example.org';
/** A member of elementary-makerspace-network: Demo Educator, who has one of its badges. */
const MEMBER = 'demo@staffroom.example.org';
const MEMBER_NAME = 'Demo Educator';
const COMMUNITY = 'elementary-makerspace-network';
const COMMUNITY_NAME = 'Elementary Makerspace Network';
const LIVE_SESSION_TITLE = 'Portal drop-in hour';
const WELCOME_MESSAGE = 'Welcome to the drop-in hour, portal readers.';
const TURNED_OFF = 'This widget has been turned off by its owner.';
const NOT_ENABLED = 'This widget is not enabled for this site.';
/** Items each widget shows on the portal page; the API reads below use the same numbers. */
const FEED_ITEMS = 3;
const SESSION_ITEMS = 3;
const BADGE_ITEMS = 6;
/** The widgets of the portal page, as the selectors of their elements. */
const WIDGETS = [
  'staffroom-feed',
  'staffroom-sessions',
  'staffroom-chat',
  'staffroom-badges[community]',
  'staffroom-badges[person]',
  'staffroom-community',
] as const;
/** The widgets that keep a live subscription open. */
const LIVE_WIDGETS = [
  'staffroom-feed',
  'staffroom-sessions',
  'staffroom-chat',
  'staffroom-community',
] as const;

/** The switches that `launchChromium` passes, for the Chromium profiles this file launches. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

const AXE_SOURCE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  ... on MutationSignInSuccess { data { token user { id } } } } }`;

const COMMUNITY_DATA = `query($slug: String!) { community(slug: $slug) {
  id name memberCount
  threads(first: ${FEED_ITEMS}) { nodes { id title kind } }
  upcomingLiveSessions(first: ${SESSION_ITEMS}) { nodes { title status } }
  badges(first: ${BADGE_ITEMS}) { nodes { name } } } }`;

const PERSON_BADGES = `query($id: ID!) { node(id: $id) { ... on User {
  displayName badgeAwards(first: 12) { nodes { badge { name } } } } } }`;

const CHAT_EVENTS = `subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) {
  type chatMessage { body author { displayName } } } }`;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Launches Chromium with a profile of its own whose preferences block third-party cookies
 * (`block`) or allow them: profile.cookie_controls_mode 1 blocks them and 0 allows them. The
 * probe test below checks both settings in Chromium 156.
 */
async function launchProfile(
  block: boolean,
): Promise<{ context: BrowserContext; remove: () => void }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'staffroom-portal-profile-'));
  mkdirSync(join(userDataDir, 'Default'));
  writeFileSync(
    join(userDataDir, 'Default', 'Preferences'),
    JSON.stringify({
      profile: { cookie_controls_mode: block ? 1 : 0, block_third_party_cookies: block },
    }),
  );
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(10_000);
  return { context, remove: () => rmSync(userDataDir, { recursive: true, force: true }) };
}

/** Returns the text of the page's body, the open shadow roots of its widgets included. */
function deepText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    const walk = (parent: Node) => {
      for (const node of Array.from(parent.childNodes)) {
        if (node.nodeType === Node.TEXT_NODE) {
          parts.push(node.textContent ?? '');
        }
        if (node instanceof Element && node.shadowRoot) {
          walk(node.shadowRoot);
        }
        walk(node);
      }
    };
    walk(document.body);
    return parts.join(' ');
  });
}

/** The element that has keyboard focus, looked up through shadow roots. */
interface Focused {
  /** The widget's selector from WIDGETS, or null outside widgets. */
  widget: string | null;
  tag: string;
  text: string;
  outlineStyle: string;
}

function focusedElement(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) {
      element = element.shadowRoot.activeElement;
    }
    const root = element?.getRootNode();
    const host = root instanceof ShadowRoot ? root.host : null;
    const widget = host
      ? `${host.localName}${host.localName === 'staffroom-badges' ? (host.hasAttribute('person') ? '[person]' : '[community]') : ''}`
      : null;
    return {
      widget,
      tag: element?.localName ?? '',
      text: (element?.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80),
      outlineStyle: element ? getComputedStyle(element).outlineStyle : 'none',
    };
  });
}

/** What axe-core found on a page: its serious and critical findings, and its reach. */
interface AxeFindings {
  serious: string[];
  /** Elements inside shadow roots that passed a rule, to show that axe checked the widgets. */
  shadowNodesPassed: number;
}

/** Runs axe-core on the whole document, whose open shadow roots axe checks too. */
async function runAxe(page: Page): Promise<AxeFindings> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    interface AxeNode {
      /** One selector per shadow boundary crossed: nested arrays for a node in a shadow root. */
      target: unknown[];
      failureSummary?: string;
    }
    interface AxeRule {
      id: string;
      impact: string | null;
      help: string;
      nodes: AxeNode[];
    }
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<Json> } }).axe;
    const result = await axe.run(document);
    const serious = (result.violations as AxeRule[])
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${violation.impact} ${violation.id} (${violation.help}): ${violation.nodes
            .map((node) => `${JSON.stringify(node.target)} ${node.failureSummary ?? ''}`)
            .join(' | ')}`,
      );
    const shadowNodesPassed = (result.passes as AxeRule[])
      .flatMap((rule) => rule.nodes)
      .filter((node) => Array.isArray(node.target[0])).length;
    return { serious, shadowNodesPassed };
  });
}

describe.skipIf(!ready)('widgets on a district portal in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let portal: Server;
  /** The portal's origin, on the key: another site than the server's http://127.0.0.1:<port>. */
  let portalOrigin: string;
  /** The same portal server under an origin that no key lists. */
  let strangerOrigin: string;
  let ownerToken: string;
  let memberToken: string;
  let memberId: string;
  let communityId: string;
  let liveSessionId: string;
  let embedKey: string;
  const pages = new Map<string, string>();
  const openContexts = new Set<BrowserContext>();

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    // The server builds client/dist, widgets included, when it is missing or older than its
    // sources, as `npm start` does; CI builds it before the tests.
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
    portal = createServer((request, response) => {
      const html = pages.get(new URL(request.url ?? '/', 'http://portal').pathname);
      response
        .writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(html ?? 'Not found');
    });
    const portalPort = await listen(portal);
    portalOrigin = `http://localhost:${portalPort}`;
    strangerOrigin = `http://127.0.0.1:${portalPort}`;

    const owner = await server.graphql(SIGN_IN, {
      input: { email: OWNER, password: PASSWORD, session: 'BEARER' },
    });
    ownerToken = owner.body.data.signIn.data.token;
    const member = await server.graphql(SIGN_IN, {
      input: { email: MEMBER, password: PASSWORD, session: 'BEARER' },
    });
    memberToken = member.body.data.signIn.data.token;
    memberId = member.body.data.signIn.data.user.id;
    const community = await server.graphql(`{ community(slug: "${COMMUNITY}") { id } }`);
    communityId = community.body.data.community.id;
    embedKey = await createKey('District portal');
    liveSessionId = await startLiveSession();
    await mutate(
      server,
      'sendChatMessage',
      'SendChatMessageInput',
      { liveSessionId, body: WELCOME_MESSAGE },
      'id',
      ownerToken,
    );
  }, 180_000);

  afterEach(async () => {
    for (const context of openContexts) {
      await context.close();
    }
    openContexts.clear();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => portal?.close(resolve));
    await server?.stop();
    await database?.drop();
  });

  async function createKey(name: string): Promise<string> {
    const created = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId, name, allowedOrigins: [portalOrigin] },
      'key',
      ownerToken,
    );
    return created.key;
  }

  /** Schedules a live session in the community as its owner and starts it. */
  async function startLiveSession(): Promise<string> {
    const scheduled = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: LIVE_SESSION_TITLE,
        startsAt: new Date(Date.now() + 600_000).toISOString(),
        endsAt: new Date(Date.now() + 4_200_000).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id',
      ownerToken,
    );
    await mutate(
      server,
      'startLiveSession',
      'LiveSessionIdInput',
      { liveSessionId: scheduled.id },
      'id',
      ownerToken,
    );
    return scheduled.id;
  }

  /** Opens a page in a context of its own, closed after the test. */
  async function openPage(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    context.setDefaultTimeout(10_000);
    openContexts.add(context);
    return context.newPage();
  }

  /**
   * Serves a portal page at `path` that loads the widgets from the server and shows `body`;
   * returns its address under `origin`.
   */
  function portalPage(path: string, body: string, origin = portalOrigin): string {
    pages.set(
      path,
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Riverbend staff portal</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #1f2a37; background: #f4f6f8; }
  header, main { padding: 0.75rem; }
  main { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 24rem), 1fr)); }
</style>
<script type="module" src="${server.url}/embed/loader.js"></script>
</head>
<body>
<header><h1>Riverbend staff portal</h1></header>
<main>
${body}
</main>
</body>
</html>`,
    );
    return `${origin}${path}`;
  }

  /** Returns the markup of the portal page's six widgets, all through `key`. */
  function allWidgets(key = embedKey, theme = 'light'): string {
    const common = `embed-key="${key}" theme="${theme}"`;
    return [
      `<staffroom-feed ${common} community="${COMMUNITY}" items="${FEED_ITEMS}"></staffroom-feed>`,
      `<staffroom-sessions ${common} community="${COMMUNITY}" items="${SESSION_ITEMS}"></staffroom-sessions>`,
      `<staffroom-chat ${common} session="${liveSessionId}" items="10"></staffroom-chat>`,
      `<staffroom-badges ${common} community="${COMMUNITY}" items="${BADGE_ITEMS}"></staffroom-badges>`,
      `<staffroom-badges ${common} person="${memberId}"></staffroom-badges>`,
      `<staffroom-community ${common} community="${COMMUNITY}"></staffroom-community>`,
    ].join('\n');
  }

  /** Reads, through the first-party API, what the community's widgets must show. */
  async function communityData(): Promise<Json> {
    const result = await server.graphql(COMMUNITY_DATA, { slug: COMMUNITY });
    return result.body.data.community;
  }

  /** Returns the first discussion among the threads the feed shows, which members may reply to. */
  async function shownDiscussion(): Promise<{ id: string; title: string }> {
    const threads = (await communityData()).threads.nodes;
    const discussion = threads.find((thread: Json) => thread.kind === 'DISCUSSION');
    if (!discussion) {
      throw new Error(`No discussion among the feed's threads: ${JSON.stringify(threads)}`);
    }
    return discussion;
  }

  /** Waits until every widget of the portal page shows its content and its live ones are live. */
  async function waitForWidgets(page: Page): Promise<void> {
    await page.locator('staffroom-feed').getByRole('heading', { level: 3 }).first().waitFor();
    await page.locator('staffroom-sessions').getByRole('heading', { level: 3 }).first().waitFor();
    await page.locator('staffroom-chat').getByRole('log').getByRole('listitem').first().waitFor();
    // Badge images have empty alt text, since the badge's name follows them.
    await page.locator('staffroom-badges[community]').locator('img').first().waitFor();
    await page.locator('staffroom-badges[person]').getByRole('heading', { level: 3 }).waitFor();
    await page
      .locator('staffroom-community')
      .getByRole('link', { name: 'Join in Staffroom' })
      .waitFor();
    for (const selector of LIVE_WIDGETS) {
      await page.locator(selector).getByText('Live', { exact: true }).waitFor();
    }
  }

  /** Opens the portal with all six widgets and checks each against the server's data. */
  async function expectWidgetsShowData(page: Page, artifact: string): Promise<void> {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const expected = await communityData();
    const personBadges = (await server.graphql(PERSON_BADGES, { id: memberId })).body.data.node;

    await page.goto(portalPage('/portal', allWidgets()));
    await waitForWidgets(page);
    const feed = page.locator('staffroom-feed');
    const sessions = page.locator('staffroom-sessions');
    const chat = page.locator('staffroom-chat');
    const communityBadges = page.locator('staffroom-badges[community]');
    const person = page.locator('staffroom-badges[person]');
    const card = page.locator('staffroom-community');
    await page.screenshot({ path: `${ARTIFACTS}${artifact}`, fullPage: true });

    expect(await feed.getByRole('heading', { level: 2 }).textContent()).toBe(
      `Latest in ${COMMUNITY_NAME}`,
    );
    expect(await feed.getByRole('heading', { level: 3 }).allTextContents()).toEqual(
      expected.threads.nodes.map((thread: Json) => thread.title),
    );
    expect(await sessions.getByRole('heading', { level: 2 }).textContent()).toBe(
      `Live sessions in ${COMMUNITY_NAME}`,
    );
    expect(await sessions.getByRole('heading', { level: 3 }).allTextContents()).toEqual(
      expected.upcomingLiveSessions.nodes.map((session: Json) => session.title),
    );
    expect(
      await sessions
        .getByRole('listitem')
        .filter({ hasText: LIVE_SESSION_TITLE })
        .getByText('Live now')
        .count(),
    ).toBe(1);
    expect(await chat.getByRole('heading', { level: 2 }).textContent()).toBe(
      `Chat: ${LIVE_SESSION_TITLE}`,
    );
    expect(await chat.getByRole('log').getByText(WELCOME_MESSAGE).count()).toBe(1);
    expect(await chat.getByRole('log').textContent()).toContain('Jordan Ellis');
    expect(await chat.getByText('Live now').count()).toBe(1);
    expect(await communityBadges.getByRole('heading', { level: 2 }).textContent()).toBe(
      `Badges of ${COMMUNITY_NAME}`,
    );
    expect(await communityBadges.getByRole('heading', { level: 3 }).allTextContents()).toEqual(
      expected.badges.nodes.map((badge: Json) => badge.name),
    );
    expect(
      await communityBadges
        .locator('img')
        .first()
        .evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0),
    ).toBe(true);
    expect(await person.getByRole('heading', { level: 2 }).textContent()).toBe(
      `Badges of ${MEMBER_NAME}`,
    );
    expect(await person.getByRole('heading', { level: 3 }).allTextContents()).toEqual(
      personBadges.badgeAwards.nodes.map((award: Json) => award.badge.name),
    );
    expect(await person.getByRole('heading', { level: 3 }).allTextContents()).toContain(
      'Design Challenge Architect',
    );
    expect(await card.getByRole('heading', { level: 2 }).textContent()).toBe(COMMUNITY_NAME);
    expect(await card.getByText(`${expected.memberCount} members`).count()).toBe(1);
    expect(await card.getByText(/^Teachers building hands-on STEM/).count()).toBe(1);
    expect(await card.getByRole('link', { name: 'Join in Staffroom' }).getAttribute('href')).toBe(
      `${server.url}/c/${COMMUNITY}`,
    );
    expect(errors).toEqual([]);
  }

  /**
   * On a portal page showing every widget, posts a reply, a thread and a chat message through
   * the API and checks that the page shows each one without reloading.
   */
  async function expectLiveUpdates(page: Page, label: string): Promise<void> {
    const feed = page.locator('staffroom-feed');
    const chat = page.locator('staffroom-chat');
    const discussion = await shownDiscussion();
    await page.evaluate(() => {
      (window as unknown as { loadedOnce: boolean }).loadedOnce = true;
    });
    const replyText = `Cardboard gears held up all week (${label}).`;
    const threadTitle = `Paper circuits for grade 2 (${label})`;
    const chatText = `The recording link is in the thread (${label}).`;

    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: discussion.id, body: replyText },
      'id',
      memberToken,
    );
    const reply = feed.getByRole('listitem').filter({ hasText: discussion.title });
    await reply.getByText(replyText).waitFor();
    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title: threadTitle, body: 'Copper tape, coin cells and LEDs.' },
      'id',
      ownerToken,
    );
    await feed.getByRole('link', { name: threadTitle }).waitFor();
    const shownTitles = await feed.getByRole('heading', { level: 3 }).allTextContents();
    const expectedTitles = (await communityData()).threads.nodes.map(
      (thread: Json) => thread.title,
    );
    await mutate(
      server,
      'sendChatMessage',
      'SendChatMessageInput',
      { liveSessionId, body: chatText },
      'id',
      ownerToken,
    );
    await chat.getByRole('log').getByText(chatText).waitFor();
    const stayed = await page.evaluate(
      () =>
        (window as unknown as { loadedOnce?: boolean }).loadedOnce === true &&
        performance.getEntriesByType('navigation').length === 1,
    );

    expect(await reply.textContent()).toContain(`Latest reply by ${MEMBER_NAME}`);
    expect(shownTitles).toEqual(expectedTitles);
    expect(shownTitles).toContain(threadTitle);
    expect(stayed).toBe(true);
  }

  /**
   * Signs in through the chat widget's popup as the member, allows, sends a message from the
   * widget's send box, and checks that a second reader's page and an API subscriber receive it.
   */
  async function expectChatSignIn(page: Page, readerPage: Page, label: string): Promise<void> {
    const chat = page.locator('staffroom-chat');
    const body = `Joining from the portal (${label}).`;
    await readerPage.goto(
      portalPage(
        '/reader',
        `<staffroom-chat embed-key="${embedKey}" session="${liveSessionId}"></staffroom-chat>`,
      ),
    );
    const readerChat = readerPage.locator('staffroom-chat');
    await readerChat.getByText('Live', { exact: true }).waitFor();
    const subscription = server.subscribe(
      CHAT_EVENTS,
      { id: liveSessionId },
      { token: ownerToken },
    );
    await subscription.settle();
    await chat.getByText('Sign in to take part in the chat.').waitFor();

    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      chat.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    popup.setDefaultTimeout(10_000);
    const popupUrl = new URL(popup.url());
    await popup.getByRole('heading', { name: 'Sign in to Staffroom' }).waitFor();
    await popup.getByRole('link', { name: 'Sign in', exact: true }).last().click();
    await popup.getByTestId('sign-in-email').fill(MEMBER);
    await popup.getByTestId('sign-in-password').fill(PASSWORD);
    await popup.getByTestId('sign-in-submit').click();
    const consent = await popup.getByTestId('widget-consent').textContent();
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Allow' }).click();
    await closed;
    await chat.getByText(`Signed in as ${MEMBER_NAME}`, { exact: true }).waitFor();
    const box = chat.getByRole('textbox', { name: 'Message' });
    await box.fill(body);
    await box.press('Enter');
    await chat.getByRole('log').getByText(body).waitFor();
    await readerChat.getByRole('log').getByText(body).waitFor();
    // The send box empties when the mutation returns, which may be after the live event.
    await expect.poll(() => box.inputValue()).toBe('');
    let received: Json = null;
    for (let read = 0; read < 10 && !received; read += 1) {
      const result = await subscription.next();
      const event = result.data?.liveSessionEvents;
      if (event?.chatMessage?.body === body) {
        received = event;
      }
    }
    await subscription.close();

    expect(popupUrl.origin).toBe(server.url);
    expect(popupUrl.pathname).toBe('/embed/sign-in');
    expect(consent).toContain(`${portalOrigin} wants to show Staffroom content as ${MEMBER_NAME}`);
    expect(received?.type).toBe('CHAT_MESSAGE');
    expect(received?.chatMessage.author.displayName).toBe(MEMBER_NAME);
    expect(await chat.getByRole('log').getByText(body).count()).toBe(1);
  }

  test('each widget shows the community data', async () => {
    const page = await openPage();

    await expectWidgetsShowData(page, 'embed-portal.png');
  });

  test('feed and chat update live', async () => {
    const page = await openPage();
    await page.goto(portalPage('/portal', allWidgets()));
    await waitForWidgets(page);

    await expectLiveUpdates(page, 'first-party profile');
  });

  test('chat signs in through the popup and sends', async () => {
    const page = await openPage();
    const readerPage = await openPage();
    await page.goto(portalPage('/portal', allWidgets()));
    await waitForWidgets(page);

    await expectChatSignIn(page, readerPage, 'first-party profile');
  });

  describe('with third-party cookies blocked', () => {
    let blocked: { context: BrowserContext; remove: () => void };

    beforeAll(async () => {
      blocked = await launchProfile(true);
    });

    afterAll(async () => {
      await blocked?.context.close();
      blocked?.remove();
    });

    /**
     * Sets a SameSite=None cookie on the Staffroom origin from a first-party page, then opens a
     * portal page that frames a Staffroom page. Returns the cookie as the Staffroom origin reads
     * it first-party, as the framed Staffroom page reads it, and as the frame's request sent it.
     */
    async function probeThirdPartyCookie(context: BrowserContext) {
      const page = await context.newPage();
      await page.goto(`${server.url}/healthz`);
      await page.evaluate(() => {
        // biome-ignore lint/suspicious/noDocumentCookie: the probe sets a cookie as a Staffroom page's script would.
        document.cookie = 'portal-probe=first-party; SameSite=None; Secure; Path=/; Max-Age=600';
      });
      const firstParty = await page.evaluate(() => document.cookie);
      const frameSource = `${server.url}/embed/frame/community?embed-key=${embedKey}&community=${COMMUNITY}`;
      const frameRequest = page.waitForRequest((request) =>
        request.url().startsWith(`${server.url}/embed/frame/`),
      );

      await page.goto(
        portalPage(
          '/cookie-probe',
          `<iframe src="${frameSource}" title="Our Staffroom community" width="360" height="420"></iframe>`,
        ),
      );
      const frame = page.frameLocator('iframe');
      await frame.getByRole('link', { name: /Join in Staffroom/ }).waitFor();
      const framed = page.frames().find((candidate) => candidate.url() === frameSource);
      const framedCookie = await framed?.evaluate(() => document.cookie);
      const frameRequestCookie = await (await frameRequest).headerValue('cookie');
      await page.close();
      return { firstParty, framedCookie, frameRequestCookie };
    }

    test('probe shows third-party cookies blocked', async () => {
      const allowing = await launchProfile(false);
      const allowedProbe = await probeThirdPartyCookie(allowing.context).finally(async () => {
        await allowing.context.close();
        allowing.remove();
      });

      const blockedProbe = await probeThirdPartyCookie(blocked.context);

      // The same probe in a profile that allows third-party cookies reads the cookie in each place.
      expect(allowedProbe).toEqual({
        firstParty: 'portal-probe=first-party',
        framedCookie: 'portal-probe=first-party',
        frameRequestCookie: 'portal-probe=first-party',
      });
      expect(blockedProbe).toEqual({
        firstParty: 'portal-probe=first-party',
        framedCookie: '',
        frameRequestCookie: null,
      });
    });

    test('widgets show data and update live', async () => {
      const page = await blocked.context.newPage();

      await expectWidgetsShowData(page, 'embed-portal-third-party-cookies-blocked.png');
      await expectLiveUpdates(page, 'third-party cookies blocked');
      await page.close();
    });

    test('chat signs in through the popup', async () => {
      const page = await blocked.context.newPage();
      const readerPage = await blocked.context.newPage();
      await page.goto(portalPage('/portal', allWidgets()));
      await waitForWidgets(page);

      await expectChatSignIn(page, readerPage, 'third-party cookies blocked');
      await page.close();
      await readerPage.close();
    });
  });

  test('origin not on the key gets no data', async () => {
    const expected = await communityData();
    const page = await openPage();
    const embedRequests: Request[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${server.url}/embed/graphql`)) {
        embedRequests.push(request);
      }
    });
    const feedOperation = EMBED_OPERATIONS.WidgetCommunityFeed;
    const readAttempt = {
      url: `${server.url}/embed/graphql?key=${embedKey}`,
      body: JSON.stringify({
        operationName: 'WidgetCommunityFeed',
        variables: { slug: COMMUNITY, first: FEED_ITEMS },
        extensions: { persistedQuery: { version: 1, sha256Hash: embedOperationId(feedOperation) } },
      }),
    };
    /** Reads the feed as a page script would: JSON (preflighted) and text/plain (not). */
    const readFeed = (attempt: { url: string; body: string }) =>
      Promise.all(
        ['application/json', 'text/plain'].map((type) =>
          fetch(attempt.url, {
            method: 'POST',
            headers: { 'Content-Type': type },
            body: attempt.body,
            credentials: 'omit',
          }).then(
            (response) => response.text(),
            (error: Error) => `${error.name}: ${error.message}`,
          ),
        ),
      );
    const openSocket = (url: string) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url, 'graphql-transport-ws');
        socket.onopen = () => {
          socket.close();
          resolve('open');
        };
        socket.onclose = (event) => resolve(`closed ${event.code}`);
        setTimeout(() => resolve('no answer'), 5000);
      });
    const socketUrl = `${server.url.replace(/^http/, 'ws')}/embed/graphql?key=${embedKey}`;

    await page.goto(portalPage('/portal', allWidgets(), strangerOrigin));
    const notEnabledNotices = page.getByText(NOT_ENABLED);
    for (let index = 0; index < WIDGETS.length; index += 1) {
      await notEnabledNotices.nth(index).waitFor();
    }
    await page.screenshot({ path: `${ARTIFACTS}embed-portal-origin-not-allowed.png` });
    const text = await deepText(page);
    const strangerReads = await page.evaluate(readFeed, readAttempt);
    const strangerSocket = await page.evaluate(openSocket, socketUrl);
    const allowedPage = await openPage();
    await allowedPage.goto(portalPage('/empty', ''));
    const allowedReads = await allowedPage.evaluate(readFeed, readAttempt);
    const allowedSocket = await allowedPage.evaluate(openSocket, socketUrl);
    const readableResponses = await Promise.all(
      embedRequests.map(async (request) => {
        const response = await request.response();
        return response?.headers()['access-control-allow-origin'] ?? null;
      }),
    );

    for (const selector of WIDGETS) {
      expect(await page.locator(selector).getByText(NOT_ENABLED).count(), selector).toBe(1);
      expect(
        await page.locator(selector).getByRole('link', { name: 'Open in Staffroom' }).count(),
        selector,
      ).toBe(1);
    }
    for (const thread of expected.threads.nodes) {
      expect(text).not.toContain(thread.title);
    }
    for (const badge of expected.badges.nodes) {
      expect(text).not.toContain(badge.name);
    }
    expect(text).not.toContain(COMMUNITY_NAME);
    expect(text).not.toContain(WELCOME_MESSAGE);
    expect(embedRequests.length).toBeGreaterThan(0);
    expect(readableResponses.filter((header) => header !== null)).toEqual([]);
    expect(strangerReads).toEqual(['TypeError: Failed to fetch', 'TypeError: Failed to fetch']);
    expect(strangerSocket).toBe('closed 1006');
    // The same reads from the portal's own origin get the feed, so the origin alone blocks them.
    expect(allowedReads[0]).toContain(expected.threads.nodes[0].title);
    expect(allowedSocket).toBe('open');
  });

  test('revoked key turns the widgets off', async () => {
    const key = await createKey('Portal about to be revoked');
    const keyRow = await server.graphql(
      `{ community(slug: "${COMMUNITY}") { embedKeys { id key } } }`,
      {},
      { token: ownerToken },
    );
    const keyId = keyRow.body.data.community.embedKeys.find((row: Json) => row.key === key).id;
    const discussion = await shownDiscussion();
    const page = await openPage();
    const sockets: WebSocket[] = [];
    page.on('websocket', (socket) => sockets.push(socket));
    const requestsAfter: string[] = [];
    let revoked = false;
    page.on('request', (request) => {
      if (revoked && request.url().startsWith(server.url)) {
        requestsAfter.push(request.url());
      }
    });
    await page.goto(portalPage('/revoked', allWidgets(key)));
    await waitForWidgets(page);
    const socketsBefore = sockets.length;

    await mutate(
      server,
      'revokeEmbedKey',
      'RevokeEmbedKeyInput',
      { embedKeyId: keyId },
      'id',
      ownerToken,
    );
    revoked = true;
    const notices = page.getByText(TURNED_OFF);
    for (let index = 0; index < WIDGETS.length; index += 1) {
      await notices.nth(index).waitFor();
    }
    const lateReply = 'Posted after the key was revoked.';
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: discussion.id, body: lateReply },
      'id',
      memberToken,
    );
    await mutate(
      server,
      'sendChatMessage',
      'SendChatMessageInput',
      { liveSessionId, body: lateReply },
      'id',
      ownerToken,
    );
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${ARTIFACTS}embed-portal-revoked.png`, fullPage: true });
    const text = await deepText(page);

    for (const selector of WIDGETS) {
      expect(await page.locator(selector).getByText(TURNED_OFF).count(), selector).toBe(1);
    }
    expect(text).not.toContain(lateReply);
    expect(text).not.toContain(discussion.title);
    expect(socketsBefore).toBeGreaterThanOrEqual(LIVE_WIDGETS.length);
    expect(sockets.length).toBe(socketsBefore);
    expect(sockets.filter((socket) => !socket.isClosed())).toEqual([]);
    expect(requestsAfter).toEqual([]);
  });

  test('iframe variant renders only on allowed origins', async () => {
    const expected = await communityData();
    const source = `${server.url}/embed/frame/feed?embed-key=${embedKey}&community=${COMMUNITY}&items=${FEED_ITEMS}&theme=light`;
    const frameHtml = `<iframe src="${source}" title="Makerspace: latest discussion" style="width: 100%; height: 520px; border: 0"></iframe>`;
    const page = await openPage();
    const policies: string[] = [];
    page.on('response', (response) => {
      if (response.url() === source) {
        policies.push(response.headers()['content-security-policy'] ?? '');
      }
    });

    await page.goto(portalPage('/frame', frameHtml));
    const frame = page.frameLocator('iframe');
    await frame.getByRole('heading', { name: `Latest in ${COMMUNITY_NAME}` }).waitFor();
    const titles = await frame.getByRole('heading', { level: 3 }).allTextContents();
    const strangerPage = await openPage();
    const blockedFrameMessage = strangerPage.waitForEvent('console', {
      predicate: (message) => message.text().includes('frame-ancestors'),
    });
    await strangerPage.goto(portalPage('/frame', frameHtml, strangerOrigin));
    const blockedFrameText = (await blockedFrameMessage).text();
    const strangerFrame = strangerPage.frames()[1];
    const strangerFrameContent = await strangerFrame?.evaluate(
      () => document.querySelectorAll('staffroom-feed').length,
    );
    await strangerPage.screenshot({ path: `${ARTIFACTS}embed-portal-frame-refused.png` });

    expect(titles).toEqual(
      expected.threads.nodes.map((thread: Json) => `${thread.title} (opens in a new tab)`),
    );
    expect(policies[0]).toContain(`frame-ancestors 'self' ${portalOrigin}`);
    expect(policies[0]).not.toContain(strangerOrigin);
    expect(blockedFrameText).toContain('frame-ancestors');
    expect(strangerFrame?.url()).not.toBe(source);
    expect(strangerFrameContent ?? 0).toBe(0);
  });

  test('axe finds no serious violations', async () => {
    const findings: Record<string, string[]> = {};
    const shadowNodesPassed: Record<string, number> = {};
    for (const [name, theme, width] of [
      ['light', 'light', 1280],
      ['dark', 'dark', 1280],
      ['light at 320 px', 'light', 320],
    ] as const) {
      const page = await openPage(width);
      await page.goto(portalPage(`/axe-${theme}`, allWidgets(embedKey, theme)));
      await waitForWidgets(page);
      const result = await runAxe(page);
      findings[name] = result.serious;
      shadowNodesPassed[name] = result.shadowNodesPassed;
      await page.screenshot({
        path: `${ARTIFACTS}embed-portal-axe-${theme}-${width}.png`,
        fullPage: true,
      });
    }

    expect(findings).toEqual({ light: [], dark: [], 'light at 320 px': [] });
    for (const [name, count] of Object.entries(shadowNodesPassed)) {
      expect(count, name).toBeGreaterThan(100);
    }
  });

  test('Tab reaches every widget link and button', async () => {
    const expected = await communityData();
    const page = await openPage();
    await page.goto(portalPage('/portal', allWidgets()));
    await waitForWidgets(page);

    const reached: Focused[] = [];
    for (let presses = 0; presses < 80; presses += 1) {
      await page.keyboard.press('Tab');
      const focused = await focusedElement(page);
      if (focused.widget === null && reached.length > 0) {
        break;
      }
      reached.push(focused);
    }
    const stops = reached.map((focused) => `${focused.widget} ${focused.tag} ${focused.text}`);
    const signIn = reached.findIndex(
      (focused) => focused.widget === 'staffroom-chat' && focused.text === 'Sign in',
    );
    // Focus is past the last widget now; Shift+Tab walks back to the chat's Sign in button.
    for (let back = reached.length; back > signIn; back -= 1) {
      await page.keyboard.press('Shift+Tab');
    }
    const onSignIn = await focusedElement(page);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.keyboard.press('Enter')]);
    const popupPath = new URL(popup.url()).pathname;
    await popup.close();

    for (const selector of WIDGETS) {
      expect(stops).toContain(`${selector} a Open in Staffroom`);
    }
    for (const thread of expected.threads.nodes) {
      expect(stops).toContain(`staffroom-feed a ${thread.title}`);
    }
    for (const badge of expected.badges.nodes) {
      expect(stops).toContain(`staffroom-badges[community] a ${badge.name}`);
    }
    expect(stops).toContain('staffroom-community a Join in Staffroom');
    expect(stops).toContain('staffroom-chat button Sign in');
    expect(stops.filter((stop) => stop.startsWith('staffroom-chat div'))).toHaveLength(1);
    expect(reached.filter((focused) => focused.outlineStyle === 'none')).toEqual([]);
    expect(onSignIn.text).toBe('Sign in');
    expect(popupPath).toBe('/embed/sign-in');
  });

  test('no horizontal scroll at 320 px', async () => {
    // A long unbroken word in a title would widen the feed past the screen unless it wraps.
    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      {
        communityId,
        title:
          'Templates: https://docs.example.org/makerspace/cardboard-automata-linkages-grade-three',
        body: 'Printable cam and follower templates.',
      },
      'id',
      ownerToken,
    );
    const page = await openPage(320);

    await page.goto(portalPage('/portal', allWidgets()));
    await waitForWidgets(page);
    await page.screenshot({ path: `${ARTIFACTS}embed-portal-320.png`, fullPage: true });
    const layout = await page.evaluate(
      (selectors) => {
        const viewport = document.documentElement.clientWidth;
        const widgets = selectors.map((selector) => {
          const host = document.querySelector(selector) as HTMLElement;
          const section = host.shadowRoot?.querySelector('section') as HTMLElement;
          return {
            selector,
            right: Math.ceil(host.getBoundingClientRect().right),
            overflow: section.scrollWidth - section.clientWidth,
          };
        });
        return { viewport, scrollWidth: document.documentElement.scrollWidth, widgets };
      },
      [...WIDGETS],
    );

    expect(layout.viewport).toBe(320);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.viewport);
    for (const widget of layout.widgets) {
      expect(widget.right, widget.selector).toBeLessThanOrEqual(layout.viewport);
      expect(widget.overflow, widget.selector).toBe(0);
    }
  });
});
