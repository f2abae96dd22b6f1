/**
 * The live sessions page in Chromium. The day list and the month grid show the viewer's readable
 * sessions on the right local day, with their RSVP state and seats. The month buttons move the
 * grid, and a phone-width screen gets the list form. The browser runs in America/New_York while
 * the sessions are in America/Chicago, so every time shows both zones.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const PASSWORD = 'correct horse battery staple';
const BROWSER_ZONE = 'America/New_York';
const SESSION_ZONE = 'America/Chicago';
const HOUR_MS = 3_600_000;

/** Formats an instant as the page does for the browser's zone, with plain spaces. */
function inBrowserZone(instant: Date, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat('en-US', { ...options, timeZone: BROWSER_ZONE })
    .format(instant)
    .replace(/\s+/g, ' ');
}

/** Returns the browser-zone day of an instant as the page keys its cells, such as "2026-12-04". */
function browserDay(instant: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: BROWSER_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

const monthLabel = (instant: Date) => inBrowserZone(instant, { month: 'long', year: 'numeric' });

describe.skipIf(!ready)('live session calendar in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let host: { id: string; token: string };
  let attendee: { id: string; token: string; email: string };
  let stranger: { id: string; token: string };
  /** Starts within hours, with seats: the attendee is going. */
  let soon: Json;
  /** Starts the same day, with one seat the host holds: the attendee is waitlisted. */
  let full: Json;
  /** Starts on the 15th of the month after `soon`: the attendee's RSVP is MAYBE. */
  let nextMonth: Json;
  /** In a private community the attendee is not in, on the same day as `soon`. */
  let hidden: Json;

  async function schedule(
    communityId: string,
    title: string,
    startsAt: Date,
    token: string,
    capacity?: number,
  ): Promise<Json> {
    return mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + HOUR_MS).toISOString(),
        timeZone: SESSION_ZONE,
        ...(capacity !== undefined && { capacity }),
      },
      'id title startsAt',
      token,
    );
  }

  const rsvp = (liveSessionId: string, status: string, token: string) =>
    mutate(server, 'rsvp', 'RsvpInput', { liveSessionId, status }, 'id', token);

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true' } });
    browser = await launchChromium();

    host = await signUpUser(server, { displayName: 'Hedda Host' });
    attendee = await signUpUser(server, { displayName: 'Ada Attendee' });
    stranger = await signUpUser(server, { displayName: 'Stella Stranger' });
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Makerspace Guild', focus: 'STEM', visibility: 'PUBLIC' },
      'id',
      host.token,
    );
    const secret = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Secret Circle', focus: 'STEM', visibility: 'PRIVATE', listed: false },
      'id',
      stranger.token,
    );
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: community.id },
      'id',
      attendee.token,
    );

    const soonStart = new Date(Date.now() + 2 * HOUR_MS);
    soonStart.setUTCMinutes(0, 0, 0);
    soon = await schedule(community.id, 'Robotics office hours', soonStart, host.token, 5);
    full = await schedule(
      community.id,
      'One-seat coaching',
      new Date(soonStart.getTime() + 30 * 60_000),
      host.token,
      1,
    );
    hidden = await schedule(secret.id, 'Secret planning', soonStart, stranger.token);
    // The 15th of the next month at noon in New York, in the browser's zone whatever the offset.
    const [year, month] = browserDay(soonStart).split('-').map(Number) as [number, number];
    nextMonth = await schedule(
      community.id,
      'Circuit design lab',
      new Date(Date.UTC(year, month, 15, 17, 0)),
      host.token,
    );
    await rsvp(soon.id, 'GOING', attendee.token);
    await rsvp(full.id, 'GOING', host.token);
    await rsvp(full.id, 'GOING', attendee.token);
    await rsvp(nextMonth.id, 'MAYBE', attendee.token);

    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: BROWSER_ZONE,
      locale: 'en-US',
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByTestId('sign-in-email').fill(attendee.email);
    await page.getByTestId('sign-in-password').fill(PASSWORD);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('viewer-name').waitFor();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  const entry = (scope: Page | ReturnType<Page['locator']>, liveSession: Json) =>
    scope.locator(`[data-testid="session-entry"][data-session-id="${liveSession.id}"]`);

  test('lists sessions by day with RSVP and seats', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Live sessions' })
      .click();
    await page.getByRole('heading', { name: 'Live sessions', level: 1 }).waitFor();
    const soonDay = page.locator(
      `[data-testid="day-group"][data-day="${browserDay(new Date(soon.startsAt))}"]`,
    );
    await entry(soonDay, soon).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}live-sessions-list.png`, fullPage: true });

    const soonText = ((await entry(soonDay, soon).textContent()) ?? '').replace(/\s+/g, ' ');
    const fullText = ((await entry(page, full).textContent()) ?? '').replace(/\s+/g, ' ');
    const laterText = ((await entry(page, nextMonth).textContent()) ?? '').replace(/\s+/g, ' ');
    const localStart = inBrowserZone(new Date(soon.startsAt), {
      hour: 'numeric',
      minute: '2-digit',
    });
    const link = entry(soonDay, soon).getByRole('link', { name: 'Robotics office hours' });

    expect(soonText).toContain('Makerspace Guild');
    expect(soonText).toContain(localStart);
    expect(soonText).toContain(SESSION_ZONE);
    expect(soonText).toContain('Going');
    expect(soonText).toContain('4 seats left');
    expect(fullText).toContain('Waitlisted');
    expect(fullText).toContain('Full');
    expect(laterText).toContain('Maybe');
    expect(await link.getAttribute('href')).toBe(`/s/${encodeURIComponent(soon.id)}`);
    expect(await page.getByText('Secret planning').count()).toBe(0);
  });

  test('places sessions in the month grid', async () => {
    await page.getByRole('button', { name: 'Month' }).click();
    const grid = page.getByTestId('month-grid');
    await grid.waitFor();
    // Late on a month's last day, the session two hours ahead falls in the next month.
    if (monthLabel(new Date(soon.startsAt)) !== monthLabel(new Date())) {
      await page.getByRole('button', { name: 'Next month' }).click();
    }
    const soonCell = grid.locator(`td[data-day="${browserDay(new Date(soon.startsAt))}"]`);
    await entry(soonCell, soon).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}live-sessions-month.png`, fullPage: true });

    const headers = await grid.locator('thead th .visually-hidden').allTextContents();
    const today = grid.locator('td[aria-current="date"]');

    expect(page.url()).toContain('view=month');
    expect(await page.getByTestId('month-heading').textContent()).toBe(
      monthLabel(new Date(soon.startsAt)),
    );
    expect(headers).toEqual([
      'Sunday',
      'Monday',
      'Tuesday',
      'Wednesday',
      'Thursday',
      'Friday',
      'Saturday',
    ]);
    expect(await entry(soonCell, full).count()).toBe(1);
    expect(await today.count()).toBeLessThanOrEqual(1);
    expect(await grid.getByText('Secret planning').count()).toBe(0);
    expect(await entry(grid, hidden).count()).toBe(0);
    expect(await entry(grid, nextMonth).count()).toBe(0);
  });

  test('reaches grid entries with Tab', async () => {
    await page.getByRole('button', { name: 'Next month' }).focus();
    let reached = false;
    for (let step = 0; step < 10 && !reached; step++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(
        () => document.activeElement?.closest('[data-testid="session-entry"]') !== null,
      );
    }

    expect(reached).toBe(true);
  });

  test('switches to the next month', async () => {
    await page.getByRole('button', { name: 'Next month' }).click();
    await page
      .getByTestId('month-heading')
      .getByText(monthLabel(new Date(nextMonth.startsAt)))
      .waitFor();
    const grid = page.getByTestId('month-grid');
    const laterCell = grid.locator(`td[data-day="${browserDay(new Date(nextMonth.startsAt))}"]`);
    await entry(laterCell, nextMonth).waitFor();

    await page.reload();
    await entry(page.getByTestId('month-grid'), nextMonth).waitFor();
    const afterReload = await page.getByTestId('month-heading').textContent();

    expect(await entry(grid, soon).count()).toBe(0);
    expect(afterReload).toBe(monthLabel(new Date(nextMonth.startsAt)));
    expect(page.url()).toContain('view=month');
  });

  test('keeps the grid at 600 px', async () => {
    await page.setViewportSize({ width: 600, height: 900 });
    await page.getByRole('button', { name: 'Previous month' }).click();
    const grid = page.getByTestId('month-grid');
    await entry(grid, soon).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}live-sessions-600.png`, fullPage: true });

    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );

    expect(await page.getByTestId('day-list').count()).toBe(0);
    expect(overflow).toBe(0);
  });

  test('shows the list form at 320 px', async () => {
    await page.setViewportSize({ width: 320, height: 800 });
    const list = page.getByTestId('day-list');
    await entry(list, soon).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}live-sessions-320.png`, fullPage: true });

    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );

    expect(await page.getByTestId('month-grid').count()).toBe(0);
    expect(await entry(list, full).count()).toBe(1);
    expect(await entry(list, hidden).count()).toBe(0);
    expect(overflow).toBe(0);
  });
});
