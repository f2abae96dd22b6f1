import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

describe.skipIf(!ready)('web client in Chromium', () => {
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

  async function signedInPage(email: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByTestId('sign-in-email').fill(email);
    await page.getByTestId('sign-in-password').fill('staffroom-demo');
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('viewer-name').waitFor();
    return page;
  }

  test('shows a reply posted in one page live in another', async () => {
    const author = await signedInPage('demo@staffroom.example.org');
    const reader = await signedInPage('facilitator@staffroom.example.org');
    for (const page of [author, reader]) {
      await page.goto(`${server.url}/c/elementary-makerspace-network`);
      await page.getByRole('link', { name: /Design journals/ }).click();
      await page.getByTestId('post-list').waitFor();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') ===
          'connected',
      );
    }
    const readerUrl = reader.url();
    const before = await reader.getByTestId('post-item').count();

    const text = `Live from the browser test ${Date.now()}`;
    await author.getByTestId('reply-body').fill(text);
    await author.getByTestId('reply-submit').click();
    await reader.getByTestId('post-list').getByText(text).waitFor({ timeout: 10_000 });

    expect(reader.url()).toBe(readerUrl);
    expect(await reader.getByTestId('post-item').count()).toBe(before + 1);
    expect(await reader.getByTestId('thread-announcer').textContent()).toContain(
      'New reply from Demo Educator',
    );
    expect(await author.getByTestId('reply-body').inputValue()).toBe('');
    await reader.screenshot({ path: `${ARTIFACTS}thread-live-reply.png`, fullPage: true });
  });

  test('renders the main pages without errors', async () => {
    const page = await signedInPage('demo@staffroom.example.org');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Communities of practice' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}directory.png`, fullPage: true });
    await page.goto(`${server.url}/c/elementary-makerspace-network`);
    await page.getByRole('heading', { name: 'Elementary Makerspace Network' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}community.png`, fullPage: true });
    await page.getByRole('link', { name: 'Makerspace office hours' }).click();
    await page.getByTestId('chat-list').waitFor();
    await page.getByTestId('chat-body').fill('Hello from the browser');
    await page.getByTestId('chat-submit').click();
    await page.getByTestId('chat-list').getByText('Hello from the browser').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}live-session.png`, fullPage: true });
    await page.goto(`${server.url}/c/elementary-makerspace-network`);
    await page.getByRole('link', { name: 'Design Challenge Architect' }).click();
    await page.getByRole('heading', { name: 'Criteria' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}badge.png`, fullPage: true });
    await page.goto(`${server.url}/notifications`);
    await page.getByText(/awarded you the badge/).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}notifications.png`, fullPage: true });

    expect(errors).toEqual([]);
    expect(await page.locator('h1').count()).toBe(1);
  });

  test('creates a community and awards a badge', async () => {
    const page = await signedInPage('facilitator@staffroom.example.org');

    await page.goto(`${server.url}/`);
    await page.getByText('Start a community').click();
    await page.getByLabel('Name', { exact: true }).fill('Browser Test Circle');
    await page.getByLabel('What is it for?').fill('Made by the **browser** test.');
    await page.getByRole('button', { name: 'Create community' }).click();
    await page.getByRole('heading', { name: 'Browser Test Circle' }).waitFor();
    await page.goto(`${server.url}/c/elementary-makerspace-network`);
    await page.getByRole('link', { name: 'Open Sharer' }).click();
    await page.getByText('Award this badge').click();
    await page.getByLabel('Member').selectOption({ label: 'Demo Educator' });
    await page.getByRole('button', { name: 'Award badge' }).click();
    await page.getByText('Awarded to Demo Educator.').waitFor();

    expect(page.url()).toContain('/b/');
    expect(await page.getByRole('heading', { name: /Holders \(2\)/ }).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}badge-awarded.png`, fullPage: true });
  });

  test('shows validation messages beside the fields', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${server.url}/sign-up`);
    await page.getByLabel('Your name').fill('New Teacher');
    await page.getByLabel('School email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();

    await expect.poll(() => page.locator('.field-error').count()).toBe(2);
    expect(await page.getByLabel('School email').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Password').inputValue()).toBe('short');
    await page.screenshot({ path: `${ARTIFACTS}sign-up-errors.png` });
  });
});
