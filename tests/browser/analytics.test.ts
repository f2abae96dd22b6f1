import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const COMMUNITY = 'elementary-makerspace-network';

/** Waits for a locator, and on failure saves a screenshot and names the page's text. */
async function waitOrExplain(page: Page, name: string, wait: () => Promise<unknown>) {
  try {
    await wait();
  } catch (error) {
    await page.screenshot({ path: `${ARTIFACTS}analytics-${name}-failed.png`, fullPage: true });
    throw new Error(`${String(error)}\nPage text: ${await page.locator('main').textContent()}`);
  }
}

describe.skipIf(!ready)('analytics dashboard in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
    // Six demo members each start a thread in the first week of March 2025, long before the
    // demo data, so that the figures of that period are known.
    await server.database.db.execute(sql`
      insert into threads (community_id, author_id, title, body, created_at)
      select c.id, m.user_id, 'Analytics thread', 'Body', '2025-03-04T10:00:00Z'
      from communities c
      join lateral (select user_id from memberships where community_id = c.id
        and status = 'active' order by id limit 6) m on true
      where c.slug = ${COMMUNITY}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  test('facilitator changes period and downloads CSV', async () => {
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/c/${COMMUNITY}/manage`);
    await page.getByRole('link', { name: 'Analytics' }).click();
    await waitOrExplain(page, 'load', () =>
      page.getByRole('heading', { level: 1, name: /analytics/ }).waitFor(),
    );
    const canvas = page.getByTestId('trend-participation-canvas');
    // Chart.js sizes the canvas through its style once its chunk has loaded and drawn.
    await waitOrExplain(page, 'chart', () =>
      page.waitForFunction(() => {
        const element = document.querySelector<HTMLCanvasElement>(
          '[data-testid="trend-participation-canvas"]',
        );
        return element !== null && element.style.height !== '';
      }),
    );
    expect(await canvas.isVisible()).toBe(true);

    await page.getByLabel('First day').fill('2025-03-03');
    await page.getByLabel('Last day').fill('2025-03-16');
    await page.getByLabel('Trend by').selectOption('WEEK');
    await page.getByRole('button', { name: 'Show' }).click();
    const threads = page.locator('[data-figure="threads"] .figure-value');
    await waitOrExplain(page, 'period', () => threads.getByText('6', { exact: true }).waitFor());
    expect(await page.locator('[data-figure="activeMembers"] .figure-value').textContent()).toBe(
      '6',
    );
    expect(await page.locator('[data-figure="replies"] .figure-value').textContent()).toBe(
      'hidden: fewer than 5 people',
    );
    expect(
      await page.locator('[data-figure="responseMedianSeconds"] .figure-value').textContent(),
    ).toBe('hidden: fewer than 5 people');
    expect(await page.getByTestId('trend-discussion-withheld').textContent()).toContain(
      '2 of 2 points withheld (hidden: fewer than 5 people)',
    );

    // The chart's table contains the same numbers, one row per week.
    const discussion = page.getByRole('figure', { name: 'Threads, replies and chat' });
    await discussion.getByText('Show the figures as a table').click();
    const rows = discussion.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('td').first().textContent()).toBe('6');
    await page.screenshot({ path: `${ARTIFACTS}analytics-community.png`, fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8');
    expect(csv).toContain(
      'period,2025-03-03T00:00:00.000Z,2025-03-17T00:00:00.000Z,,threads,6\r\n',
    );
    expect(csv).toContain(
      'period,2025-03-03T00:00:00.000Z,2025-03-17T00:00:00.000Z,,replies,fewer than 5\r\n',
    );
  });

  test('period survives reload and Back', async () => {
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/c/${COMMUNITY}/analytics`);
    await page.getByLabel('First day').fill('2025-03-03');
    await page.getByLabel('Last day').fill('2025-03-16');
    await page.getByLabel('Trend by').selectOption('DAY');
    await page.getByRole('button', { name: 'Show' }).click();
    const threads = page.locator('[data-figure="threads"] .figure-value');
    await waitOrExplain(page, 'url', () => threads.getByText('6', { exact: true }).waitFor());
    const address = new URL(page.url());

    await page.reload();
    await waitOrExplain(page, 'reload', () => threads.getByText('6', { exact: true }).waitFor());
    const firstDayAfterReload = await page.getByLabel('First day').inputValue();
    const bucketAfterReload = await page.getByLabel('Trend by').inputValue();
    await page.goBack();
    await page.getByLabel('First day').waitFor();
    const firstDayAfterBack = await page.getByLabel('First day').inputValue();

    expect(address.searchParams.get('from')).toBe('2025-03-03');
    expect(address.searchParams.get('to')).toBe('2025-03-16');
    expect(address.searchParams.get('by')).toBe('day');
    expect(firstDayAfterReload).toBe('2025-03-03');
    expect(bucketAfterReload).toBe('DAY');
    expect(firstDayAfterBack).not.toBe('2025-03-03');
  });

  test('reversed period names fields in words', async () => {
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/c/${COMMUNITY}/analytics`);
    await page.getByLabel('First day').fill('2025-03-16');
    await page.getByLabel('Last day').fill('2025-03-03');
    await page.getByRole('button', { name: 'Show' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'day' });
    await waitOrExplain(page, 'reversed', () => alert.waitFor());

    expect(await alert.textContent()).toBe('The last day must be after the first day.');
  });

  test('charts fit a 320 px screen', async () => {
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${server.url}/c/${COMMUNITY}/analytics`);
    await waitOrExplain(page, 'narrow', () =>
      page.waitForFunction(() => {
        const element = document.querySelector<HTMLCanvasElement>(
          '[data-testid="trend-participation-canvas"]',
        );
        return element !== null && element.style.height !== '';
      }),
    );
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: document.documentElement.clientWidth,
      widestFigure: Math.max(
        ...[...document.querySelectorAll('figure.trend-chart')].map(
          (figure) => figure.getBoundingClientRect().right,
        ),
      ),
    }));
    await page.screenshot({ path: `${ARTIFACTS}analytics-320.png`, fullPage: true });

    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.widestFigure).toBeLessThanOrEqual(widths.viewport);
  });

  test('district admin sees schools', async () => {
    const page = await signInThroughPage(
      browser,
      server.url,
      'luis.ortega@riverbend.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/districts/riverbend-usd/admin`);
    await page.getByRole('link', { name: 'Staff analytics' }).click();
    await waitOrExplain(page, 'district', () =>
      page.getByRole('heading', { name: 'By school' }).waitFor(),
    );
    const table = page.getByRole('table', { name: 'District figures by school' });
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}analytics-district.png`, fullPage: true });
  });

  test('member sees no analytics', async () => {
    const page = await signInThroughPage(
      browser,
      server.url,
      'demo@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/c/${COMMUNITY}/analytics`);
    await waitOrExplain(page, 'forbidden', () =>
      page
        .getByRole('alert')
        .getByText(/Only the community's owners/)
        .waitFor(),
    );
  });
});
