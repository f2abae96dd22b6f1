import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

describe.skipIf(!ready)('badge page in Chromium', () => {
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

  test('shows alignments and revokes an award', async () => {
    const community = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { badges(first: 5) { nodes { id name holderCount } } } }',
    );
    const badge = community.body.data.community.badges.nodes.find(
      (node: { holderCount: number }) => node.holderCount > 0,
    );
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/b/${encodeURIComponent(badge.id)}`);
    await page.getByRole('heading', { name: 'Aligned standards' }).waitFor();
    const iste = await page
      .getByRole('region', { name: 'ISTE Standards for Educators' })
      .textContent();
    const kind = await page.getByTestId('badge-kind').textContent();
    const holdersBefore = await page.getByTestId('holder').count();

    const holder = page.getByTestId('holder').first();
    const holderName = (await holder.textContent())?.split(' ·')[0]?.trim() ?? '';
    await holder.getByRole('button', { name: /Revoke/ }).click();
    const focusedAfterOpening = await page.evaluate(() => document.activeElement?.id);
    await page.getByRole('button', { name: 'Revoke the award' }).click();
    const emptyReason = await page.getByText('must not be empty').textContent();
    await page.getByLabel(/Why revoke/).fill('Awarded by mistake during the demo');
    await page.getByRole('button', { name: 'Revoke the award' }).click();
    await page.getByRole('heading', { name: `Holders (${badge.holderCount - 1})` }).waitFor();
    const holdersAfter = await page.getByTestId('holder').count();
    await page.screenshot({ path: `${ARTIFACTS}badge-page.png`, fullPage: true });

    expect(focusedAfterOpening).toMatch(/^field-revoke-reason-/);
    expect(iste).toMatch(/2\.\d/);
    expect(kind).toContain('Participation badge');
    expect(holderName.length).toBeGreaterThan(0);
    expect(emptyReason).toContain('must not be empty');
    expect(holdersAfter).toBe(holdersBefore - 1);
  });

  test('defines a microcredential with a validity', async () => {
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/c/elementary-makerspace-network`);
    await page.getByText('Define a badge').click();
    await page.getByLabel('Badge name').fill('Robotics Mentor');
    await page.getByLabel('Badge description').fill('Mentored a robotics team for a season');
    await page.getByLabel('Badge criteria').fill('Coach **one** team through a competition');
    await page.getByLabel(/Microcredential/).check();
    await page.getByLabel('Valid for (days)').fill('two years');
    await page.getByRole('button', { name: 'Create badge' }).click();
    const badDays = await page.getByText('Enter a whole number of days.').textContent();
    await page.getByLabel('Valid for (days)').fill('730');
    await page.getByLabel('Designer').check();
    await page.getByRole('button', { name: 'Create badge' }).click();
    await page.getByText('Created the badge “Robotics Mentor”.').waitFor();
    const created = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { badges(first: 30) { nodes { name kind validForDays alignments { code } } } } }',
    );
    const robotics = created.body.data.community.badges.nodes.find(
      (node: { name: string }) => node.name === 'Robotics Mentor',
    );
    await page.getByLabel('Badge name').fill('Robotics Mentor');
    await page.getByLabel('Badge description').fill('A second badge of the same name');
    await page.getByLabel('Badge criteria').fill('Any');
    await page.getByLabel('Designer').check();
    await page.getByRole('button', { name: 'Create badge' }).click();
    const nameError = page.locator('#field-badge-name-error');
    await nameError.waitFor();
    const duplicateMessage = await nameError.textContent();
    const nameInvalid = await page.getByLabel('Badge name').getAttribute('aria-invalid');

    expect(badDays).toContain('whole number');
    expect(duplicateMessage).toContain('already has a badge named');
    expect(nameInvalid).toBe('true');
    expect(robotics).toEqual({
      name: 'Robotics Mentor',
      kind: 'MICROCREDENTIAL',
      validForDays: 730,
      alignments: [{ code: '2.5' }],
    });
  });
});
