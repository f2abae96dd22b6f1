import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { authSessions } from '../../drizzle/tables/index.ts';
import { launchChromium, newPage, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const DEMO_PASSWORD = 'staffroom-demo';
const OWNER = 'facilitator@staffroom.example.org';
const MEMBER = 'demo@staffroom.example.org';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  ... on MutationSignInSuccess { data { token } } } }`;

/**
 * A page of another site: its button opens Staffroom's widget sign-in window the way a widget
 * does, and it records every message it receives in `window.received`. The query parameters
 * `base`, `key` and `nonce` fill the address, and `origin` replaces the page's own origin.
 */
const HOST_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host site</title></head>
<body><button id="open">Sign in with Staffroom</button>
<script>
  window.received = [];
  window.addEventListener('message', (event) => {
    window.received.push({ origin: event.origin, data: event.data });
  });
  document.getElementById('open').addEventListener('click', () => {
    const params = new URLSearchParams(location.search);
    const origin = params.get('origin') ?? location.origin;
    window.open(
      params.get('base') + '/embed/sign-in?key=' + encodeURIComponent(params.get('key')) +
        '&origin=' + encodeURIComponent(origin) + '&nonce=' + params.get('nonce'),
      'staffroom-sign-in',
      'popup,width=480,height=640',
    );
  });
</script></body></html>`;

interface Received {
  origin: string;
  data: { type: string; nonce: string; token?: string; expiresAt?: string; displayName?: string };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

describe.skipIf(!ready)('widget sign-in window in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let hostSite: Server;
  let hostOrigin: string;
  let embedKey: string;
  let ownerToken: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
    hostSite = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(HOST_PAGE);
    });
    hostOrigin = `http://127.0.0.1:${await listen(hostSite)}`;

    const signIn = await server.graphql(SIGN_IN, {
      input: { email: OWNER, password: DEMO_PASSWORD, session: 'BEARER' },
    });
    ownerToken = signIn.body.data.signIn.data.token;
    const community = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { id } }',
    );
    const created = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      {
        communityId: community.body.data.community.id,
        name: 'Host site',
        allowedOrigins: [hostOrigin],
      },
      'id key',
      ownerToken,
    );
    embedKey = created.key;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => hostSite?.close(resolve));
    await server?.stop();
    await database?.drop();
  });

  /** Opens the host page with the given parameters and clicks its button; returns the sign-in window. */
  async function openFromHost(
    hostPage: Page,
    parameters: { key?: string; origin?: string; nonce: string },
  ): Promise<Page> {
    const query = new URLSearchParams({ base: server.url, key: parameters.key ?? embedKey });
    query.set('nonce', parameters.nonce);
    if (parameters.origin !== undefined) {
      query.set('origin', parameters.origin);
    }
    await hostPage.goto(`${hostOrigin}/?${query}`);
    const [popup] = await Promise.all([
      hostPage.waitForEvent('popup'),
      hostPage.getByRole('button', { name: 'Sign in with Staffroom' }).click(),
    ]);
    popup.setDefaultTimeout(10_000);
    return popup;
  }

  const received = (hostPage: Page) =>
    hostPage.evaluate(() => (window as unknown as { received: Received[] }).received);

  const widgetSessions = () =>
    server.database.db
      .select({ origin: authSessions.origin, embedKeyId: authSessions.embedKeyId })
      .from(authSessions)
      .where(eq(authSessions.kind, 'widget'));

  const nonce = () => randomBytes(16).toString('base64url');

  test('signs in, allows and posts a token', async () => {
    const hostPage = await newPage(browser);
    const sent = nonce();

    const popup = await openFromHost(hostPage, { nonce: sent });
    await popup.getByRole('heading', { name: 'Sign in to Staffroom' }).waitFor();
    const mainNavigation = await popup.getByRole('navigation', { name: 'Main' }).count();
    await popup.getByRole('link', { name: 'Sign in', exact: true }).last().click();
    await popup.getByTestId('sign-in-email').waitFor();
    const formPath = new URL(popup.url()).pathname;
    const context = await popup.getByTestId('widget-sign-in-context').textContent();
    const emailFocused = await popup
      .getByTestId('sign-in-email')
      .evaluate((input) => input === document.activeElement);
    await popup.getByTestId('sign-in-email').fill(OWNER);
    await popup.getByTestId('sign-in-password').fill(DEMO_PASSWORD);
    await popup.getByTestId('sign-in-submit').click();
    const consent = await popup.getByTestId('widget-consent').textContent();
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Allow' }).click();
    await closed;
    await hostPage.waitForFunction(
      () => (window as unknown as { received: unknown[] }).received.length > 0,
    );
    const [message] = await received(hostPage);
    const sessions = await widgetSessions();

    expect(mainNavigation).toBe(0);
    expect(formPath).toBe('/embed/sign-in');
    expect(context).toContain(`${hostOrigin} wants to show Staffroom content as you.`);
    expect(emailFocused).toBe(true);
    expect(consent).toBe(
      `${hostOrigin} wants to show Staffroom content as Jordan Ellis for 60 minutes.`,
    );
    expect(message?.origin).toBe(server.url);
    expect(message?.data.type).toBe('staffroom:widget-token');
    expect(message?.data.nonce).toBe(sent);
    expect(message?.data.displayName).toBe('Jordan Ellis');
    expect(message?.data.token).toMatch(/\S{20,}/);
    expect(Date.parse(message?.data.expiresAt ?? '')).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.origin).toBe(hostOrigin);
  });

  test('cancel posts the cancel message', async () => {
    const hostPage = await signInThroughPage(browser, server.url, MEMBER, DEMO_PASSWORD);
    const sent = nonce();
    const before = (await widgetSessions()).length;

    const popup = await openFromHost(hostPage, { nonce: sent });
    await popup.getByTestId('widget-consent').waitFor();
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Cancel' }).click();
    await closed;
    await hostPage.waitForFunction(
      () => (window as unknown as { received: unknown[] }).received.length > 0,
    );
    const messages = await received(hostPage);

    expect(messages).toEqual([
      {
        origin: server.url,
        data: { type: 'staffroom:widget-sign-in-cancelled', nonce: sent },
      },
    ]);
    expect(await widgetSessions()).toHaveLength(before);
  });

  test('bad origin parameter posts nothing', async () => {
    const hostPage = await signInThroughPage(browser, server.url, MEMBER, DEMO_PASSWORD);

    const popup = await openFromHost(hostPage, {
      nonce: nonce(),
      origin: `${hostOrigin}/some/path`,
    });
    const invalid = await popup.getByTestId('widget-sign-in-invalid').textContent();
    const buttons = await popup.getByRole('button', { name: /Allow|Cancel/ }).count();
    await popup.close();
    await hostPage.waitForTimeout(300);

    expect(invalid).toContain('This sign-in link is not valid');
    expect(invalid).toContain(`${hostOrigin}/some/path`);
    expect(buttons).toBe(0);
    expect(await received(hostPage)).toEqual([]);
  });

  test('missing nonce is rejected', async () => {
    const page = await newPage(browser);

    await page.goto(
      `${server.url}/embed/sign-in?key=${embedKey}&origin=${encodeURIComponent(hostOrigin)}`,
    );
    const invalid = await page.getByTestId('widget-sign-in-invalid').textContent();

    expect(invalid).toContain('has no nonce');
  });

  test('origin not on the key shows the error', async () => {
    const hostPage = await signInThroughPage(browser, server.url, MEMBER, DEMO_PASSWORD);
    const before = (await widgetSessions()).length;

    // The page claims an origin that the key does not list; the server rejects it.
    const popup = await openFromHost(hostPage, {
      nonce: nonce(),
      origin: 'https://elsewhere.example.org',
    });
    await popup.getByRole('button', { name: 'Allow' }).click();
    const alert = await popup.getByRole('alert').textContent();
    await popup.close();

    expect(alert).toContain('not enabled for https://elsewhere.example.org');
    expect(await received(hostPage)).toEqual([]);
    expect(await widgetSessions()).toHaveLength(before);
  });

  test('window without opener shows return', async () => {
    const page = await signInThroughPage(browser, server.url, MEMBER, DEMO_PASSWORD);

    await page.goto(
      `${server.url}/embed/sign-in?key=${embedKey}&origin=${encodeURIComponent(hostOrigin)}&nonce=${nonce()}`,
    );
    await page.getByTestId('widget-sign-in-no-opener').waitFor();

    expect(await page.getByRole('button', { name: 'Allow' }).count()).toBe(0);
  });

  test('revoked key shows the error', async () => {
    const revocable = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      {
        communityId: (
          await server.graphql('{ community(slug: "elementary-makerspace-network") { id } }')
        ).body.data.community.id,
        name: 'Soon revoked',
        allowedOrigins: [hostOrigin],
      },
      'id key',
      ownerToken,
    );
    await mutate(
      server,
      'revokeEmbedKey',
      'RevokeEmbedKeyInput',
      { embedKeyId: revocable.id },
      'id',
      ownerToken,
    );
    const hostPage = await signInThroughPage(browser, server.url, MEMBER, DEMO_PASSWORD);

    const popup = await openFromHost(hostPage, { key: revocable.key, nonce: nonce() });
    await popup.getByRole('button', { name: 'Allow' }).click();
    const alert = await popup.getByRole('alert').textContent();
    await popup.close();

    expect(alert).toContain('revoked');
    expect(await received(hostPage)).toEqual([]);
  });
});
