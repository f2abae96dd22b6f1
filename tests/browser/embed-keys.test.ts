import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, newPage, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const DEMO_PASSWORD = 'staffroom-demo';
/** Owner of the public elementary-makerspace-network community in the demo data. */
const OWNER = 'facilitator@staffroom.example.org';
/** A member, not an owner, of elementary-makerspace-network. */
const MEMBER = 'demo@staffroom.example.org';
/** Admin of riverbend-usd, whose riverbend-instructional-coaches community is a district one. */
const DISTRICT_ADMIN = 'luis.ortega@riverbend.example.org';
const COMMUNITY = 'elementary-makerspace-network';

describe.skipIf(!ready)('embed keys page in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  async function ownerEmbedPage(): Promise<Page> {
    const page = await signInThroughPage(browser, server.url, OWNER, DEMO_PASSWORD);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.url,
    });
    await page.goto(`${server.url}/c/${COMMUNITY}/manage`);
    await page.getByRole('link', { name: 'Manage embed keys and snippets' }).click();
    await page.getByRole('heading', { name: 'Embed widgets', level: 1 }).waitFor();
    return page;
  }

  test('owner creates, edits, copies and revokes a key', async () => {
    const page = await ownerEmbedPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.getByLabel('Key name').fill('Makerspace site');
    await page
      .getByLabel('Allowed sites (origins)')
      .fill('https://makers.example.org\nhttp://example.org\n\nhttps://makers.example.org/news');
    await page.getByRole('button', { name: 'Create key' }).click();
    const issues = page.getByTestId('origin-issues');
    await issues.waitFor();
    const issueText = await issues.textContent();
    const originsInvalid = await page
      .getByLabel('Allowed sites (origins)')
      .getAttribute('aria-invalid');
    const keysBefore = await page
      .getByTestId('embed-key')
      .filter({ hasText: 'Makerspace site' })
      .count();

    await page
      .getByLabel('Allowed sites (origins)')
      .fill('https://makers.example.org\nhttp://localhost:5173');
    await page.getByRole('button', { name: 'Create key' }).click();
    const item = page.getByTestId('embed-key').filter({ hasText: 'Makerspace site' });
    await item.waitFor();
    const keyString = (await item.getByTestId('embed-key-string').textContent()) ?? '';
    const originsAfterCreate = await item.getByTestId('embed-key-origins').textContent();

    await item.getByRole('button', { name: 'Edit Makerspace site' }).click();
    await item
      .getByLabel('Allowed sites (origins)')
      .fill('https://makers.example.org\nhttps://intranet.example.org');
    await item.getByRole('button', { name: 'Save changes' }).click();
    await item.getByText('Changes saved.', { exact: false }).waitFor();
    await item.getByTestId('embed-key-origins').getByText('https://intranet.example.org').waitFor();
    const originsAfterEdit = await item.getByTestId('embed-key-origins').textContent();
    // The configurator starts with the newest live key, which the demo data's key is older than.
    await page
      .getByLabel('Embed key', { exact: true })
      .selectOption({ label: `Makerspace site (${keyString})` });

    expect(issueText).toContain('Line 2 (http://example.org)');
    expect(issueText).toContain('Line 4 (https://makers.example.org/news)');
    expect(issueText).not.toContain('Line 1');
    expect(originsInvalid).toBe('true');
    expect(keysBefore).toBe(0);
    expect(keyString).toMatch(/^ek_[A-Za-z0-9_-]+$/);
    expect(originsAfterCreate).toContain('http://localhost:5173');
    expect(originsAfterEdit).toContain('https://intranet.example.org');
    expect(originsAfterEdit).not.toContain('http://localhost:5173');

    const preview = page.getByTestId('widget-preview');
    const feed = preview.locator(`staffroom-feed[embed-key="${keyString}"]`);
    await feed.waitFor({ state: 'attached' });
    const previewCommunity = await feed.getAttribute('community');
    // Locators reach into the widget's open shadow root.
    await feed.getByText('Welcome! Start here').waitFor();
    const openLink = await feed
      .getByRole('link', { name: 'Open in Staffroom' })
      .getAttribute('href');
    await page.getByRole('button', { name: 'Copy the script snippet' }).click();
    await page.getByTestId('snippet-script-status').getByText('Copied').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const iframeSnippet = await page.getByTestId('snippet-iframe').inputValue();

    expect(previewCommunity).toBe(COMMUNITY);
    expect(openLink).toContain(`/c/${COMMUNITY}`);
    expect(copied).toBe(
      `<script type="module" src="${server.url}/embed/loader.js"></script>\n` +
        `<staffroom-feed embed-key="${keyString}" community="${COMMUNITY}" items="5" theme="light"></staffroom-feed>`,
    );
    expect(iframeSnippet).toContain(
      `src="${server.url}/embed/frame/feed?embed-key=${keyString}&amp;community=${COMMUNITY}&amp;items=5&amp;theme=light"`,
    );

    await page.getByLabel(/^Live chat/).check();
    const liveSession = page.getByLabel('Live session', { exact: true });
    await liveSession.waitFor();
    const chosenSession = await liveSession.inputValue();
    const chosenLabel = await liveSession.locator('option:checked').textContent();
    const chatSnippet = await page.getByTestId('snippet-script').inputValue();
    await page.getByLabel(/^Community card/).check();
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByLabel('Language (optional)').fill('es');
    const cardSnippet = await page.getByTestId('snippet-script').inputValue();

    expect(chosenLabel).toContain('Makerspace office hours');
    expect(chosenLabel).toContain('(live now)');
    expect(chatSnippet).toContain(
      `<staffroom-chat embed-key="${keyString}" session="${chosenSession}" items="30" theme="light"></staffroom-chat>`,
    );
    expect(cardSnippet).toContain(
      `<staffroom-community embed-key="${keyString}" community="${COMMUNITY}" theme="dark" locale="es"></staffroom-community>`,
    );

    await item.getByText('Usage by day').click();
    const usage = await item.locator('details').textContent();
    await item.getByRole('button', { name: 'Revoke Makerspace site' }).click();
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    await item.getByRole('button', { name: 'Revoke key' }).click();
    await item.getByRole('heading', { name: 'Makerspace site Revoked' }).waitFor();
    const editButtons = await item.getByRole('button', { name: /^Edit/ }).count();
    const keyOptions = await page
      .getByLabel('Embed key', { exact: true })
      .locator('option')
      .allTextContents();
    await page.screenshot({ path: `${ARTIFACTS}embed-keys.png`, fullPage: true });

    expect(usage).toMatch(/Not used in the last 14 days|Requests/);
    expect(focused).toBe('Revoke key');
    expect(editButtons).toBe(0);
    expect(keyOptions.join('\n')).not.toContain(keyString);
    expect(errors).toEqual([]);
  });

  test('key actions move keyboard focus', async () => {
    const page = await ownerEmbedPage();

    await page.getByLabel('Key name').fill('Focus portal');
    await page.getByLabel('Allowed sites (origins)').fill('https://focus.example.org');
    await page.getByRole('button', { name: 'Create key' }).click();
    const item = page.getByTestId('embed-key').filter({ hasText: 'Focus portal' });
    await item.waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H3');
    const afterCreate = await focusedElement(page);

    await item.getByRole('button', { name: 'Edit Focus portal' }).click();
    const afterEdit = await focusedElement(page);
    await page.keyboard.press('Escape');
    const formsAfterEscape = await item.getByTestId('embed-key-form').count();
    const afterEscape = await focusedElement(page);
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.type(' 2');
    await item.getByRole('button', { name: 'Save changes' }).click();
    await item.getByText('Changes saved.', { exact: false }).waitFor();
    // The list reloads after saving, so the renamed Edit button takes focus a moment later.
    await page
      .waitForFunction(
        () => document.activeElement?.getAttribute('aria-label') === 'Edit Focus portal 2',
        null,
        { timeout: 5000 },
      )
      .catch(() => {});
    const afterSave = await focusedElement(page);
    await page.getByRole('button', { name: 'Edit Focus portal 2' }).click();
    await item.getByRole('button', { name: 'Cancel' }).click();
    const afterCancel = await focusedElement(page);

    expect(afterCreate.tag).toBe('H3');
    expect(afterCreate.text).toBe('Focus portal');
    expect(afterEdit.tag).toBe('INPUT');
    expect(afterEdit.value).toBe('Focus portal');
    expect(formsAfterEscape).toBe(0);
    expect(afterEscape.label).toBe('Edit Focus portal');
    expect(afterSave.label).toBe('Edit Focus portal 2');
    expect(afterCancel.label).toBe('Edit Focus portal 2');

    const revoke = item.getByRole('button', { name: 'Revoke Focus portal 2' });
    const revokeButtons = await revoke.count();
    await revoke.click();
    const afterOpen = await focusedElement(page);
    await page.keyboard.press('Escape');
    const confirmAfterEscape = await item.getByRole('button', { name: 'Revoke key' }).count();
    const afterRevokeEscape = await focusedElement(page);

    expect(revokeButtons).toBe(1);
    expect(afterOpen.text).toBe('Revoke key');
    expect(confirmAfterEscape).toBe(0);
    expect(afterRevokeEscape.label).toBe('Revoke Focus portal 2');
  });

  test('key form shows name and origin limits', async () => {
    const page = await ownerEmbedPage();
    const form = page.getByTestId('embed-key-form');
    const origins = Array.from({ length: 30 }, (_, index) => `https://site${index}.example.org`);

    await form.getByLabel('Key name').fill('x'.repeat(500));
    const longName = await form.getByLabel('Key name').inputValue();
    const longCount = await form.getByTestId('key-name-count').textContent();
    const leftOut = await form.getByTestId('key-name-left-out').textContent();
    await form.getByLabel('Key name').fill('Too many sites');
    const shortCount = await form.getByTestId('key-name-count').textContent();
    const leftOutAfterFix = await form.getByTestId('key-name-left-out').textContent();
    await form.getByLabel('Allowed sites (origins)').fill(origins.join('\n'));
    const originCount = await form.getByTestId('origin-count').textContent();
    await form.getByRole('button', { name: 'Create key' }).click();
    const issues = await form.getByTestId('origin-issues').textContent();

    expect(longName).toHaveLength(80);
    expect(longCount).toBe('80 of 80 characters');
    expect(leftOut).toContain('the last 420 characters entered were left out');
    expect(shortCount).toBe('14 of 80 characters');
    expect(leftOutAfterFix).toBe('');
    expect(originCount).toBe('30 of 20 origins: remove 10.');
    expect(issues).toContain('must list at most 20 origins, and 30 were entered');
  });

  test('non-owner sees the owners-only message', async () => {
    const page = await signInThroughPage(browser, server.url, MEMBER, DEMO_PASSWORD);

    await page.goto(`${server.url}/c/${COMMUNITY}/embed`);
    await page.getByTestId('embed-owners-only').waitFor();
    const text = await page.getByTestId('embed-owners-only').textContent();

    expect(text).toContain('Only the owners of Elementary Makerspace Network');
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
  });

  test('signed-out visitor is asked to sign in', async () => {
    const page = await newPage(browser);

    await page.goto(`${server.url}/c/${COMMUNITY}/embed`);
    const link = page.getByRole('link', { name: 'Sign in', exact: true }).last();
    await link.waitFor();

    expect(await link.getAttribute('href')).toBe(
      `/sign-in?next=${encodeURIComponent(`/c/${COMMUNITY}/embed`)}`,
    );
  });

  test('district admin accepts open district read', async () => {
    const page = await signInThroughPage(browser, server.url, DISTRICT_ADMIN, DEMO_PASSWORD);

    await page.goto(`${server.url}/districts/riverbend-usd/admin`);
    await page.getByRole('link', { name: 'Manage embed keys and snippets' }).click();
    await page.getByRole('heading', { name: 'Embed widgets', level: 1 }).waitFor();
    await page.getByLabel('Key name').fill('Riverbend portal');
    await page.getByLabel('Allowed sites (origins)').fill('https://portal.riverbend.example.org');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('must list at least one', { exact: false }).waitFor();
    await page.getByLabel(/Riverbend Instructional Coaches/).check();
    await page.getByLabel('I accept that anyone with the snippet can read').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const item = page.getByTestId('embed-key').filter({ hasText: 'Riverbend portal' });
    await item.waitFor();
    const facts = await item.locator('dl').textContent();
    const keyString = await item.getByTestId('embed-key-string').textContent();
    await page
      .getByLabel('Embed key', { exact: true })
      .selectOption({ label: `Riverbend portal (${keyString})` });
    const snippet = await page.getByTestId('snippet-script').inputValue();

    expect(facts).toContain('Riverbend Instructional Coaches');
    expect(facts).toContain('Accepted: anyone with the snippet');
    expect(snippet).toContain(
      `embed-key="${keyString}" community="riverbend-instructional-coaches"`,
    );
  });

  test('embed page fits 320 px and passes axe', async () => {
    const context = await browser.newContext({
      viewport: { width: 320, height: 800 },
      // axe-core is injected as an inline script, which the page's Content-Security-Policy blocks.
      bypassCSP: true,
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByTestId('sign-in-email').fill(OWNER);
    await page.getByTestId('sign-in-password').fill(DEMO_PASSWORD);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('viewer-name').waitFor();

    await page.goto(`${server.url}/c/${COMMUNITY}/embed`);
    await page.getByRole('heading', { name: 'Snippet and preview' }).waitFor();
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    await page.addScriptTag({ path: axePath });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: () => Promise<AxeResults> } }).axe;
      const results = await axe.run();
      return results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.nodes.length}`);
    });
    await page.screenshot({ path: `${ARTIFACTS}embed-keys-320.png`, fullPage: true });

    expect(scrollWidth).toBeLessThanOrEqual(320);
    expect(violations).toEqual([]);
  });
});

/** Returns the tag, accessible label, text and value of the element that has keyboard focus. */
function focusedElement(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    return {
      tag: element?.tagName,
      label: element?.getAttribute('aria-label'),
      text: element?.textContent?.trim(),
      value: element instanceof HTMLInputElement ? element.value : undefined,
    };
  });
}

interface AxeResults {
  violations: { id: string; impact: string | null; nodes: unknown[] }[];
}
