/**
 * Badge images in Chromium. The define-badge form draws a template with a live preview, and it
 * uploads a PNG after checking it in the browser, showing the server's rejection of a mismatched
 * file. The badge page shows the image beside the badge's name.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makePng } from '../helpers/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');
const COMMUNITY = 'elementary-makerspace-network';

describe.skipIf(!ready)('badge images in Chromium', () => {
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

  async function openBadgeForm(name: string): Promise<Page> {
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/c/${COMMUNITY}`);
    await page.getByText('Define a badge').click();
    await page.getByLabel('Badge name').fill(name);
    await page.getByLabel('Badge description').fill('Shows a badge image.');
    await page.getByLabel('Badge criteria').fill('Take part in a build day.');
    await page.getByLabel('Designer').check();
    return page;
  }

  async function badgeNamed(name: string): Promise<{ id: string; imageUrl: string }> {
    const result = await server.graphql(
      `{ community(slug: "${COMMUNITY}") { badges(first: 50) { nodes { id name imageUrl } } } }`,
    );
    return result.body.data.community.badges.nodes.find(
      (node: { name: string }) => node.name === name,
    );
  }

  /** Returns the natural width of the image beside the badge's heading, once it has loaded. */
  async function shownImageWidth(page: Page, badgeId: string): Promise<number> {
    await page.goto(`${server.url}/b/${encodeURIComponent(badgeId)}`);
    const image = page.locator('.badge-heading img');
    await image.waitFor();
    await page.waitForFunction(
      () => (document.querySelector('.badge-heading img') as HTMLImageElement | null)?.complete,
    );
    return image.evaluate((element) => (element as HTMLImageElement).naturalWidth);
  }

  test('defines a badge with a template image', async () => {
    const page = await openBadgeForm('Template Tinkerer');
    await page.setViewportSize({ width: 320, height: 900 });
    await page.getByLabel('Colour', { exact: true }).fill('#aa3300');
    await page.getByLabel('Symbol', { exact: true }).selectOption({ label: 'Atom' });
    const preview = page.getByRole('img', { name: 'Preview of the new badge' });
    await expect.poll(() => preview.getAttribute('src')).toContain('symbol=ATOM');
    const previewSrc = await preview.getAttribute('src');
    await expect
      .poll(() => preview.evaluate((element) => (element as HTMLImageElement).naturalWidth))
      .toBe(256);
    const formOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    await page.screenshot({ path: `${ARTIFACTS}badge-form-template-320.png`, fullPage: true });
    await page.getByRole('button', { name: 'Create badge' }).click();
    await page.getByText('Created the badge “Template Tinkerer”.').waitFor();
    const badge = await badgeNamed('Template Tinkerer');
    const width = await shownImageWidth(page, badge.id);
    const alt = await page.locator('.badge-heading img').getAttribute('alt');
    const served = await (await fetch(`${server.url}${badge.imageUrl}`)).text();
    await page.screenshot({ path: `${ARTIFACTS}badge-template-image.png` });

    expect(previewSrc).toContain('color=%23aa3300');
    expect(formOverflow).toBeLessThanOrEqual(0);
    expect(width).toBe(256);
    expect(alt).toBe('');
    expect(served).toContain('fill="#aa3300"');
  });

  test('defines a badge with an uploaded image', async () => {
    const page = await openBadgeForm('Uploaded Maker');
    await page.getByLabel('Upload a PNG or SVG image').check();
    const fileInput = page.getByLabel('Image file');
    await page.getByRole('button', { name: 'Create badge' }).click();
    const missing = await page.getByText('Choose a PNG or SVG image to upload.').textContent();

    await fileInput.setInputFiles({
      name: 'huge.png',
      mimeType: 'image/png',
      buffer: Buffer.from(makePng(4, 4, { padding: 600 * 1024 })),
    });
    const tooLarge = await page.getByText('a badge image may be at most 512 KB').textContent();
    await fileInput.setInputFiles({
      name: 'disguised.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from(makePng()),
    });
    const mismatch = await page.getByText(/its content is a PNG image/).textContent();
    await fileInput.setInputFiles({
      name: 'maker.png',
      mimeType: 'image/png',
      buffer: Buffer.from(makePng(48, 48, { rgb: [200, 40, 40] })),
    });
    await page.getByText(/Uploaded maker\.png/).waitFor();
    const previewShown = await page.getByRole('img', { name: 'Preview of the new badge' }).count();
    await page.getByRole('button', { name: 'Create badge' }).click();
    await page.getByText('Created the badge “Uploaded Maker”.').waitFor();
    const badge = await badgeNamed('Uploaded Maker');
    const width = await shownImageWidth(page, badge.id);
    await page.setViewportSize({ width: 320, height: 800 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    await page.screenshot({ path: `${ARTIFACTS}badge-uploaded-image-320.png` });

    expect(tooLarge).toContain('512 KB');
    expect(mismatch).toContain('image/svg+xml');
    expect(missing).toContain('Choose a PNG or SVG image');
    expect(previewShown).toBe(1);
    expect(width).toBe(48);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
