import { readFile } from 'node:fs/promises';
import { desc, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mailOutbox } from '../../drizzle/tables/index.ts';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const PASSWORD = 'correct horse battery staple';
const SIGN_OUT_EVERYWHERE = `mutation { signOutEverywhere {
  __typename ... on MutationSignOutEverywhereSuccess { data } ... on Error { message } } }`;

describe.skipIf(!ready)('account pages in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true' } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  /** Signs in through the sign-in page and waits until the socket carries the new sign-in. */
  async function signedInPage(email: string): Promise<Page> {
    const page = await signInThroughPage(browser, server.url, email, PASSWORD);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') ===
        'connected',
    );
    return page;
  }

  test('shows a banner when the sign-in is revoked', async () => {
    const person = await signUpUser(server);
    const page = await signedInPage(person.email);
    await page.goto(`${server.url}/settings`);
    await page.getByRole('heading', { name: 'Account settings' }).waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') ===
        'connected',
    );

    const result = await server.graphql(SIGN_OUT_EVERYWHERE, {}, { token: person.token });
    const banner = page.getByTestId('sign-in-ended');
    await banner.waitFor();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();

    expect(result.body.data.signOutEverywhere.__typename).toBe('MutationSignOutEverywhereSuccess');
    expect(await banner.textContent()).toContain('Your sign-in has ended.');
    expect(await banner.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe(
      `/sign-in?next=${encodeURIComponent('/settings')}`,
    );
    expect(await page.getByTestId('viewer-name').count()).toBe(0);
    expect(await page.getByTestId('connection-status').getAttribute('data-state')).not.toBe(
      'reconnecting',
    );
    await page.screenshot({ path: `${ARTIFACTS}sign-in-ended.png` });
  });

  test('shows no banner after signing out', async () => {
    const person = await signUpUser(server);
    const page = await signedInPage(person.email);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.waitForTimeout(500);

    expect(await page.getByTestId('sign-in-ended').count()).toBe(0);
  });

  test('creates, lists and revokes an API token', async () => {
    const person = await signUpUser(server);
    const page = await signedInPage(person.email);
    await page.goto(`${server.url}/settings`);
    await page.getByText('You have no API tokens.').waitFor();

    await page.getByText('Create a token').click();
    await page.getByLabel('Token name').fill('Gradebook sync');
    await page.getByLabel('Write: mutations too').check();
    await page.getByLabel('Expires after (days)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('new-token-value').inputValue();
    await page.getByTestId('api-token').getByText('Gradebook sync').waitFor();
    const tokenWorked = await server.graphql('{ viewer { id } }', {}, { token: secret });
    await page.screenshot({ path: `${ARTIFACTS}settings-api-token.png`, fullPage: true });

    await page.getByRole('button', { name: 'Revoke Gradebook sync' }).click();
    await page.getByText('You have no API tokens.').waitFor();
    const tokenRevoked = await server.graphql('{ viewer { id } }', {}, { token: secret });

    expect(secret.length).toBeGreaterThan(20);
    expect(await page.getByText('It is shown only once').count()).toBe(1);
    expect(tokenWorked.body.data.viewer.id).toBe(person.id);
    expect(tokenRevoked.status).toBe(401);
    expect(await page.getByTestId('api-token').count()).toBe(0);
  });

  test('downloads the account data', async () => {
    const person = await signUpUser(server, { displayName: 'Dana Download' });
    const page = await signedInPage(person.email);
    await page.goto(`${server.url}/settings`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download my data' }).click(),
    ]);
    const path = await download.path();
    const data = JSON.parse(await readFile(path, 'utf8'));

    expect(download.suggestedFilename()).toMatch(/^staffroom-export-.*\.json$/);
    expect(JSON.stringify(data)).toContain('Dana Download');
  });

  test('shows a district sign-in error in plain words', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${server.url}/sign-in?ssoError=invalid_state`);

    expect(await page.getByTestId('sso-error').textContent()).toContain(
      'expired or was started in another browser',
    );
  });

  test('answers a password reset request the same way', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);

    await page.getByText('Forgot password?').click();
    await page.getByLabel('Your account email').fill('nobody@example.org');
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await page.getByText('If an account uses this address').waitFor();

    expect(await page.locator('.form-error').count()).toBe(0);
  });

  test('resets a forgotten password from the mailed link', async () => {
    const person = await signUpUser(server);
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByText('Forgot password?').click();
    await page.getByLabel('Your account email').fill(person.email);
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await page.getByText('If an account uses this address').waitFor();
    const [mail] = await server.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, person.email))
      .orderBy(desc(mailOutbox.id))
      .limit(1);
    const path = /\/reset-password\?token=[^\s]+/.exec(mail?.textBody ?? '')?.[0];

    await page.goto(`${server.url}${path}`);
    await page.getByLabel('New password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    await page.getByTestId('sign-in-email').fill(person.email);
    await page.getByTestId('sign-in-password').fill('a brand new passphrase');
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('viewer-name').waitFor();

    expect(path).toBeDefined();
    expect(await page.getByTestId('viewer-name').textContent()).not.toBe('');
  });
});
