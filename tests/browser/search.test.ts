import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, newPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

describe.skipIf(!ready)('search in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true' } });
    browser = await launchChromium();
    const owner = await signUpUser(server, { displayName: 'Tess Tangram' });
    const create = async (name: string, titles: [string, string][]) => {
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name, description: 'Shapes and tangram puzzles.', focus: 'STEM', visibility: 'PUBLIC' },
        'id',
        owner.token,
      );
      for (const [title, body] of titles) {
        await mutate(
          server,
          'createThread',
          'CreateThreadInput',
          { communityId: community.id, title, body },
          'id',
          owner.token,
        );
      }
    };
    await create('Shape Garden', [
      ['Teaching with tangrams', 'Tangram puzzles show that x < y can hold for areas.'],
      ['Pattern blocks', 'Pattern blocks pair well with a tangram set.'],
    ]);
    await create('Puzzle Club', [['Tangram race', 'A timed tangram race for grade 3.']]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  test('searches, filters and opens a result', async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);

    await page.getByRole('searchbox', { name: 'Search Staffroom' }).fill('tangrams');
    await page.getByRole('searchbox', { name: 'Search Staffroom' }).press('Enter');
    await page.waitForURL(/\/search\?q=tangrams$/);
    const results = page.getByTestId('search-result');
    await results.first().waitFor();
    const titles = await results.getByRole('heading').allTextContents();
    const marks = await page.locator('.search-result mark').allTextContents();
    const firstSnippet = await results.first().locator('.snippet').textContent();
    await page.screenshot({ path: `${ARTIFACTS}search-results.png`, fullPage: true });

    expect(titles[0]).toBe('Teaching with tangrams');
    expect(titles).toEqual(
      expect.arrayContaining(['Pattern blocks', 'Tangram race', 'Shape Garden', 'Puzzle Club']),
    );
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every((mark) => /^tangram/i.test(mark))).toBe(true);
    expect(firstSnippet).toContain('x < y');

    await page.getByLabel('Kind').selectOption({ label: 'Thread' });
    await page.waitForURL(/kind=THREAD/);
    await page.getByLabel('Community').selectOption({ label: 'Puzzle Club' });
    await page.waitForURL(/community=/);
    await expect
      .poll(() => results.getByRole('heading').allTextContents())
      .toEqual(['Tangram race']);

    await results.getByRole('link', { name: 'Tangram race' }).click();
    await page.waitForURL(/\/t\//);
    await page.getByRole('heading', { name: 'Tangram race', level: 1 }).waitFor();

    expect(errors).toEqual([]);
  });

  test('shows an empty state for no match', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/search?q=zeppelin`);

    await page.getByText('Nothing matches.').waitFor();

    expect(await page.getByTestId('search-result').count()).toBe(0);
    expect(await page.getByRole('searchbox', { name: 'Search for' }).inputValue()).toBe('zeppelin');
  });

  test('shows a rejected filter as an alert', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/search?q=tangram&from=2026-05-03&to=2026-05-01`);

    const alert = page.getByRole('alert');
    await alert.waitFor();

    expect(await alert.textContent()).toBe('The To date must not be earlier than the From date.');
    expect(await page.getByTestId('search-result').count()).toBe(0);
  });

  test('loads more results on request', async () => {
    const owner = await signUpUser(server, { displayName: 'Mo More' });
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Origami Corner', focus: 'STEM', visibility: 'PUBLIC' },
      'id',
      owner.token,
    );
    for (let index = 0; index < 23; index += 1) {
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: `Origami fold ${index}`, body: 'Crease.' },
        'id',
        owner.token,
      );
    }
    const page = await newPage(browser);
    await page.goto(`${server.url}/search?q=origami&kind=THREAD`);
    const results = page.getByTestId('search-result');
    await results.nth(19).waitFor();
    const firstPage = await results.count();
    const firstSummary = await page.getByTestId('search-summary').textContent();

    await page.getByRole('button', { name: 'More results' }).click();
    await results.nth(22).waitFor();
    const firstNewLink = results.nth(20).locator('h3 a');
    const firstNewFocused = await firstNewLink.evaluate((link) => link === document.activeElement);

    expect(firstPage).toBe(20);
    expect(firstSummary).toBe('20 results shown, more available');
    expect(await results.count()).toBe(23);
    expect(await page.getByTestId('search-summary').textContent()).toBe('23 results found');
    expect(await page.getByRole('button', { name: 'More results' }).count()).toBe(0);
    expect(firstNewFocused).toBe(true);
  });
});
