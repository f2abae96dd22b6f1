import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

/** A district admin of riverbend-usd in the demo data. */
const DISTRICT_ADMIN = 'luis.ortega@riverbend.example.org';
const DEMO_PASSWORD = 'staffroom-demo';

describe.skipIf(!ready)('district admin page in Chromium', () => {
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
    const page = await signInThroughPage(browser, server.url, email, DEMO_PASSWORD);
    return page;
  }

  test('adds, renames and removes a school', async () => {
    const page = await signedInPage(DISTRICT_ADMIN);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.getByRole('link', { name: 'District admin' }).click();
    await page.getByRole('heading', { name: /admin$/, level: 1 }).waitFor();
    await page.getByLabel('New school name').fill('Lakeside Middle School');
    await page.getByRole('button', { name: 'Add school' }).click();
    const schools = page.getByTestId('district-schools');
    await schools.getByText('Lakeside Middle School', { exact: true }).waitFor();
    await page.getByText('Rename Lakeside Middle School…').click();
    await page.getByLabel('New name for Lakeside Middle School').fill('Lakeside Academy');
    await schools.getByRole('button', { name: 'Rename', exact: true }).click();
    await schools.getByText('Lakeside Academy', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove Lakeside Academy' }).click();
    await schools.getByText('Lakeside Academy', { exact: true }).waitFor({ state: 'detached' });
    await page.getByTestId('audit-log').getByText('Removed a school').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}district-admin.png`, fullPage: true });

    expect(new URL(page.url()).pathname).toBe('/districts/riverbend-usd/admin');
    expect(await page.getByTestId('audit-log').getByText('Added a school').count()).toBe(1);
    expect(await page.getByTestId('audit-log').getByText('Renamed a school').count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Verify / }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('shows a validation issue beside the school field', async () => {
    const page = await signedInPage(DISTRICT_ADMIN);
    await page.goto(`${server.url}/districts/riverbend-usd/admin`);

    await page.getByRole('button', { name: 'Add school' }).click();
    await page.locator('#field-new-school-error').waitFor();

    expect(await page.getByLabel('New school name').getAttribute('aria-invalid')).toBe('true');
  });

  test('tells a non-admin that only admins manage the district', async () => {
    const page = await signedInPage('demo@staffroom.example.org');

    await page.goto(`${server.url}/districts/riverbend-usd/admin`);
    await page.getByText("Only the district's admins can manage it.").waitFor();

    expect(await page.getByRole('button', { name: 'Add school' }).count()).toBe(0);
  });

  test('defines and awards a district badge', async () => {
    const page = await signedInPage(DISTRICT_ADMIN);

    await page.goto(`${server.url}/districts/riverbend-usd/admin`);
    await page.getByRole('heading', { name: 'Badges' }).waitFor();
    const seeded = await page.getByTestId('district-badges').textContent();
    await page.getByText('Define a badge').click();
    await page.getByLabel('Badge name').fill('Riverbend Data Coach');
    await page.getByLabel('Badge description').fill('Coaches grade teams through data cycles');
    await page.getByLabel('Badge criteria').fill('Lead **two** data cycles this year');
    await page.getByLabel(/Analyst/).check();
    await page.getByRole('button', { name: 'Create badge' }).click();
    await page.getByRole('link', { name: 'Riverbend Data Coach' }).click();
    await page.getByRole('heading', { name: 'Riverbend Data Coach' }).waitFor();
    const breadcrumb = await page.locator('.breadcrumb').textContent();
    await page.getByText('Award this badge').click();
    await page.getByLabel('Member').selectOption({ label: 'Maya Chen' });
    await page.getByRole('button', { name: /^Award/ }).click();
    await page.getByRole('heading', { name: 'Holders (1)' }).waitFor();
    const holder = await page.getByTestId('holder').first().textContent();
    await page.screenshot({ path: `${ARTIFACTS}district-badge.png`, fullPage: true });

    expect(seeded).toContain('Riverbend Digital Learning Coach');
    expect(breadcrumb).toContain('Riverbend Unified School District');
    expect(holder).toContain('Maya Chen');
  });

  test('malformed page address gets 400', async () => {
    const response = await fetch(`${server.url}/u/%E0%A4%A`);

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('malformed address');
  });
});
