import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './services.ts';

/** Folder for screenshots that browser tests take, created on first use. */
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

/**
 * Launches headless Chromium for a test. Background networking and component updates are off,
 * because this machine's network is closed and Chromium would otherwise keep trying to reach out.
 */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Opens a page of its own at desktop size, whose steps fail after 10 seconds. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Fails a step well before the test's timeout, so the error names the missing element.
  context.setDefaultTimeout(10_000);
  return context.newPage();
}

/** Opens a page, signs in through the sign-in page and waits for the header to show it. */
export async function signInThroughPage(
  browser: Browser,
  baseUrl: string,
  email: string,
  password: string,
): Promise<Page> {
  const page = await newPage(browser);
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByTestId('sign-in-email').fill(email);
  await page.getByTestId('sign-in-password').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('viewer-name').waitFor();
  return page;
}
