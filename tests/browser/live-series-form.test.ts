/**
 * Scheduling a weekly series from the community page in Chromium at phone width, with the
 * keyboard only for the repeat choices, and the series summary on an occurrence's page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const PASSWORD = 'correct horse battery staple';
const ZONE = 'America/New_York';

describe.skipIf(!ready)('live series form in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let slug: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true' } });
    browser = await launchChromium();
    const host = await signUpUser(server, { displayName: 'Rita Repeat', password: PASSWORD });
    slug = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Office Hours Guild', focus: 'STEM', visibility: 'PUBLIC' },
        'slug',
        host.token,
      )
    ).slug;

    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      timezoneId: ZONE,
      locale: 'en-US',
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByTestId('sign-in-email').fill(host.email);
    await page.getByTestId('sign-in-password').fill(PASSWORD);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('viewer-name').waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  test('schedules a weekly series by keyboard', async () => {
    await page.goto(`${server.url}/c/${slug}`);
    await page.getByText('Schedule a live session').focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Live session title').fill('Tuesday office hours');
    // March 3, 2099 is a Tuesday, the week before clocks change in New York.
    await page.getByLabel('Starts').fill('2099-03-03T16:00');
    await page.getByLabel('Ends', { exact: true }).fill('2099-03-03T17:00');

    await page.getByLabel('Repeats').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.getByLabel('The first Tuesday of each month').focus();
    await page.keyboard.press('Space');
    const monthlyChoice = await page.getByLabel('The first Tuesday of each month').isChecked();
    const monthlyOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    await page
      .locator('form')
      .filter({ hasText: 'Repeats' })
      .screenshot({
        path: `${ARTIFACTS}live-series-form-phone.png`,
      });
    await page.getByLabel('Repeats').focus();
    await page.keyboard.press('ArrowUp');
    await page.getByLabel('Weeks between sessions').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    const endLabels = await page
      .locator('form')
      .filter({ hasText: 'Repeats' })
      .getByText(/ends$/i)
      .allTextContents();
    await page.getByLabel('Seats (capacity)').fill('12');
    await page.getByLabel('Number of sessions', { exact: true }).focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    const success = page.getByRole('status').filter({ hasText: 'Scheduled' });
    await success.waitFor();

    // Intl puts a narrow no-break space before PM.
    expect((await success.textContent())?.replace(/\s/g, ' ')).toBe(
      'Scheduled “Tuesday office hours”: Every 2 weeks on Tuesday at 4:00 PM (America/New_York), 3 times.',
    );
    expect(endLabels).toEqual(['Ends', 'Series ends']);
    expect(monthlyChoice).toBe(true);
    expect(monthlyOverflow).toBeLessThanOrEqual(0);
    expect(await page.getByLabel('Repeats').inputValue()).toBe('NEVER');
  });

  test('shows the summary on an occurrence', async () => {
    await page.goto(`${server.url}/c/${slug}`);
    await page.getByRole('link', { name: 'Tuesday office hours' }).first().click();

    const series = page.getByTestId('live-session-series');
    await series.waitFor();

    expect((await series.textContent())?.replace(/\s/g, ' ')).toBe(
      'Session 1 of a series: Every 2 weeks on Tuesday at 4:00 PM (America/New_York), 3 times',
    );
    expect(await page.getByText('12 seats').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Cancel the series' }).isVisible()).toBe(true);
  });
});
