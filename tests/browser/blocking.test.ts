import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');
const PASSWORD = 'blocking browser password';

describe.skipIf(!ready)('blocking in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let aliceEmail: string;
  let bob: { id: string; token: string };
  let threadId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true' } });
    browser = await launchChromium();
    const owner = await signUpUser(server, { displayName: 'Opal Owner', password: PASSWORD });
    const alice = await signUpUser(server, { displayName: 'Alice Reader', password: PASSWORD });
    aliceEmail = alice.email;
    bob = await signUpUser(server, { displayName: 'Bob Noisy', password: PASSWORD });
    const community = await createCommunityWithMembers(
      server,
      owner.token,
      { name: 'Quiet Corner', slug: 'quiet-corner', focus: 'LITERACY', visibility: 'PUBLIC' },
      [alice.token, bob.token],
    );
    threadId = (
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: community.id, title: 'Reading lists', body: 'Share yours.' },
        'id',
        owner.token,
      )
    ).id;
    for (const [token, body] of [
      [owner.token, 'Owner recommends Wonder.'],
      [bob.token, 'Bob shouts about spam.'],
    ] as const) {
      await mutate(server, 'createPost', 'CreatePostInput', { threadId, body }, 'id', token);
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  async function openThread(page: Page) {
    await page.goto(`${server.url}/t/${encodeURIComponent(threadId)}`);
    await page.getByTestId('post-list').getByText('Owner recommends Wonder.').waitFor();
  }

  test('blocking from a profile hides posts', async () => {
    const page = await signInThroughPage(browser, server.url, aliceEmail, PASSWORD);
    page.on('dialog', (dialog) => void dialog.accept());
    await openThread(page);
    const postList = page.getByTestId('post-list');
    const bobBefore = await postList.getByText('Bob shouts about spam.').count();

    await page.goto(`${server.url}/u/${encodeURIComponent(bob.id)}`);
    await page.getByRole('button', { name: 'Block Bob Noisy' }).click();
    await page.getByRole('button', { name: 'Unblock Bob Noisy' }).waitFor();
    await openThread(page);
    const bobAfter = await postList.getByText('Bob shouts about spam.').count();
    await page.screenshot({ path: `${ARTIFACTS}blocking-thread.png`, fullPage: true });

    expect(bobBefore).toBe(1);
    expect(bobAfter).toBe(0);
    expect(await postList.getByText('Owner recommends Wonder.').count()).toBe(1);
  });

  test('settings unblock restores posts', async () => {
    const page = await signInThroughPage(browser, server.url, aliceEmail, PASSWORD);
    await page.goto(`${server.url}/settings`);
    const list = page.getByTestId('blocked-people');
    await list.getByText('Bob Noisy').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}blocking-settings.png`, fullPage: true });

    await list.getByRole('button', { name: 'Unblock Bob Noisy' }).click();
    await page.getByText('You have not blocked anyone.').waitFor();
    await openThread(page);

    expect(await page.getByTestId('post-list').getByText('Bob shouts about spam.').count()).toBe(1);
  });

  test('blocking from a reply hides it', async () => {
    const page = await signInThroughPage(browser, server.url, aliceEmail, PASSWORD);
    page.on('dialog', (dialog) => void dialog.accept());
    await openThread(page);
    const bobPost = page.getByTestId('post-item').filter({ hasText: 'Bob shouts about spam.' });

    await bobPost.getByRole('button', { name: 'Block Bob Noisy' }).click();
    await bobPost.waitFor({ state: 'detached' });

    expect(await page.getByTestId('post-list').getByText('Owner recommends Wonder.').count()).toBe(
      1,
    );
  });
});
