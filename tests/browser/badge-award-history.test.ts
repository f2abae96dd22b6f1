/**
 * A recipient's view of their own awards in Chromium. The revocation notification opens the
 * badge at their award with its reason, and their profile lists revoked and expired awards. The
 * baked credential download appears for a district badge, whose image needs the session cookie.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { districtAdmins, districts, users } from '../../drizzle/tables/index.ts';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const REASON = 'Awarded to the wrong person';

describe.skipIf(!ready)('own badge awards in Chromium', () => {
  const password = 'correct horse battery staple';
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let noah: { id: string; token: string; email: string };
  let roboticsId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true' } });
    browser = await launchChromium();
    const jordan = await signUpUser(server, { displayName: 'Jordan Ellis', password });
    noah = await signUpUser(server, { displayName: 'Noah Reyes', password });
    const community = await createCommunityWithMembers(
      server,
      jordan.token,
      { name: 'Makers Lab', focus: 'STEM', visibility: 'PUBLIC' },
      [noah.token],
    );
    const db = server.database.db;
    const [district] = await db
      .insert(districts)
      .values({ slug: 'riverbend', name: 'Riverbend Unified' })
      .returning();
    const districtId = district?.id ?? 0;
    await db.insert(districtAdmins).values({ districtId, userId: rowIdOf(jordan.id) });
    await db
      .update(users)
      .set({ districtId })
      .where(eq(users.id, rowIdOf(noah.id)));
    const createBadge = async (name: string, issuer: Record<string, string>) =>
      (
        await mutate(
          server,
          'createBadge',
          'CreateBadgeInput',
          {
            ...issuer,
            name,
            description: `${name} for makers.`,
            criteria: 'Help in the lab.',
            isteStandards: ['LEADER'],
          },
          'id',
          jordan.token,
        )
      ).id as string;
    const award = async (badgeId: string) =>
      (
        await mutate(
          server,
          'awardBadge',
          'AwardBadgeInput',
          { badgeId, recipientId: noah.id, note: 'Thanks for the help' },
          'id',
          jordan.token,
        )
      ).id as string;
    roboticsId = await createBadge('Robotics Helper', { communityId: community.id });
    const dataLeadId = await createBadge('Data Inquiry Lead', {
      districtId: encodeGlobalID('District', districtId),
    });
    await award(dataLeadId);
    await mutate(
      server,
      'revokeBadgeAward',
      'RevokeBadgeAwardInput',
      { awardId: await award(roboticsId), reason: REASON },
      'id',
      jordan.token,
    );
    page = await signInThroughPage(browser, server.url, noah.email, password);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  test('notification opens the award with its reason', async () => {
    await page.goto(`${server.url}/notifications`);
    const notice = page.getByRole('link', { name: /revoked your badge/ });
    const message = await notice.textContent();
    await notice.click();
    await page.waitForURL(/#your-awards$/);
    const own = page.getByRole('region', { name: 'Your award' });
    await own.waitFor();
    const text = await own.textContent();
    await page.screenshot({ path: `${ARTIFACTS}own-award-revoked.png`, fullPage: true });

    expect(message).toContain(`“Robotics Helper”: ${REASON}`);
    expect(new URL(page.url()).pathname).toBe(`/b/${encodeURIComponent(roboticsId)}`);
    expect(text).toContain('Revoked');
    expect(text).toContain(`Reason for the revocation: ${REASON}`);
    expect(text).toContain('Note from the awarder: Thanks for the help');
  });

  test('profile lists revoked awards with reasons', async () => {
    await page.goto(`${server.url}/u/${encodeURIComponent(noah.id)}`);
    const ended = page.getByTestId('profile-ended-awards');
    await ended.waitFor();
    const reason = await ended.getByTestId('profile-award-reason').textContent();
    const heading = await ended.getByRole('heading', { level: 2 }).textContent();

    expect(heading).toBe('Revoked and expired (1)');
    expect(reason).toBe(`Reason for the revocation: ${REASON}`);
    expect(await ended.getByTestId('download-credential').count()).toBe(0);
  });

  test('district award offers the baked credential', async () => {
    await page.goto(`${server.url}/u/${encodeURIComponent(noah.id)}`);
    const award = page.getByTestId('profile-award').filter({ hasText: 'Data Inquiry Lead' });
    const baked = award.getByTestId('download-baked-credential');
    await baked.waitFor();

    expect(await baked.getAttribute('href')).toMatch(/\/credentials\/awards\/.+\.svg$/);
  });

  test('profile fits a 320 px screen', async () => {
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${server.url}/u/${encodeURIComponent(noah.id)}`);
    await page.getByTestId('profile-ended-awards').waitFor();
    const scrollsSideways = await page.evaluate(
      () => document.documentElement.scrollWidth > window.innerWidth,
    );
    await page.screenshot({ path: `${ARTIFACTS}own-award-history-320.png`, fullPage: true });

    expect(scrollsSideways).toBe(false);
  });
});
