import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bakePng, crc32 } from '../../server/credentials/baking.ts';
import { ARTIFACTS, launchChromium, newPage, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

/** Builds a valid 1x1 RGB PNG from scratch. */
function samplePng(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 200, 120, 40]))),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** Reports whether the page is wider than its viewport, which makes it scroll sideways. */
function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

describe.skipIf(!ready)('credential pages in Chromium', () => {
  const password = 'correct horse battery staple';
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let member: { id: string; token: string; email: string };
  let community: { id: string; slug: string };
  const credentials: Record<'participation' | 'microcredential' | 'revoked', Json> = {
    participation: null,
    microcredential: null,
    revoked: null,
  };

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true' } });
    browser = await launchChromium();
    const facilitator = await signUpUser(server, { displayName: 'Fern Facilitator', password });
    member = await signUpUser(server, { displayName: 'Mo Member', password });
    community = await createCommunityWithMembers(
      server,
      facilitator.token,
      { name: 'Browser Badges', focus: 'STEM', visibility: 'PUBLIC' },
      [member.token],
    );
    const badges = [
      ['participation', 'Makerspace Regular', 'PARTICIPATION', ['LEADER']],
      ['microcredential', 'Data Coach', 'MICROCREDENTIAL', ['ANALYST']],
      ['revoked', 'Robotics Helper', 'PARTICIPATION', ['LEADER', 'DESIGNER']],
    ] as const;
    for (const [key, name, kind, isteStandards] of badges) {
      const badge = await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          communityId: community.id,
          name,
          kind,
          isteStandards,
          description: `${name}: recognized by the community.`,
          criteria: 'Take part in the makerspace for a term.',
        },
        'id',
        facilitator.token,
      );
      const award = await mutate(
        server,
        'awardBadge',
        'AwardBadgeInput',
        { badgeId: badge.id, recipientId: member.id },
        'id',
        facilitator.token,
      );
      if (key === 'revoked') {
        await mutate(
          server,
          'revokeBadgeAward',
          'RevokeBadgeAwardInput',
          { awardId: award.id, reason: 'Awarded to the wrong person' },
          'id',
          facilitator.token,
        );
      }
      const response = await fetch(
        `${server.url}/credentials/awards/${encodeURIComponent(award.id)}.json`,
        { headers: { authorization: `Bearer ${member.token}` } },
      );
      credentials[key] = await response.json();
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  async function verifyPasted(page: Page, credential: unknown): Promise<string> {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Credential JSON').fill(JSON.stringify(credential));
    // Submits from the keyboard: Enter on the focused Verify button.
    await page.getByRole('button', { name: 'Verify' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('verification-result').waitFor();
    return (await page.getByTestId('verdict').textContent()) ?? '';
  }

  test('verify page checks pasted credentials', async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${server.url}/verify`);
    await page.getByRole('heading', { name: 'Verify a badge credential' }).waitFor();
    const liveRegion = await page.getByTestId('verify-live').getAttribute('aria-live');

    await page.getByRole('button', { name: 'Verify' }).click();
    const emptyError = await page.getByText('Paste a credential, or choose a file.').textContent();
    const valid = await verifyPasted(page, credentials.microcredential);
    const validBadge = await page.getByTestId('achievement-name').textContent();
    const validIssuer = await page.getByTestId('issuer-name').textContent();
    const validText = await page.getByTestId('verification-result').textContent();
    const validSideways = await scrollsSideways(page);
    await page.screenshot({ path: `${ARTIFACTS}verify-valid-320.png`, fullPage: true });

    const tampered = structuredClone(credentials.microcredential);
    tampered.credentialSubject.achievement.name = 'Superintendent of Everything';
    const tamperedVerdict = await verifyPasted(page, tampered);
    const tamperedProblems = await page.getByTestId('problems').textContent();
    const tamperedHeading = await page
      .getByRole('heading', { name: 'What it claims to certify' })
      .count();

    const revokedVerdict = await verifyPasted(page, credentials.revoked);
    const revokedText = await page.getByTestId('verification-result').textContent();
    await page.screenshot({ path: `${ARTIFACTS}verify-revoked-320.png`, fullPage: true });

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Or choose a file').setInputFiles({
      name: 'makerspace.png',
      mimeType: 'image/png',
      buffer: Buffer.from(bakePng(samplePng(), JSON.stringify(credentials.participation))),
    });
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('verification-result').waitFor();
    const bakedVerdict = await page.getByTestId('verdict').textContent();
    const bakedBadge = await page.getByTestId('achievement-name').textContent();

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Credential JSON').fill('{"id": "not a credential"');
    await page.getByRole('button', { name: 'Verify' }).click();
    const notJson = await page.getByTestId('verify-error').textContent();

    expect(liveRegion).toBe('polite');
    expect(emptyError).toContain('Paste a credential');
    expect(valid).toBe('Valid credential');
    expect(validBadge).toContain('Data Coach');
    expect(validBadge).toContain('Microcredential');
    expect(validIssuer).toContain('Browser Badges');
    expect(validText).toContain('2.7 Analyst');
    expect(validText).toContain('Signature valid');
    expect(validText).toContain('Not revoked');
    expect(validSideways).toBe(false);
    expect(tamperedVerdict).toBe('Not valid: this credential cannot be trusted');
    expect(tamperedProblems).toContain('The signature does not match');
    expect(tamperedHeading).toBe(1);
    expect(revokedVerdict).toBe('Not valid: revoked by its issuer');
    expect(revokedText).toContain('The issuer revoked this credential.');
    expect(revokedText).toContain('Signature valid');
    expect(bakedVerdict).toBe('Valid credential');
    expect(bakedBadge).toContain('Makerspace Regular');
    expect(notJson).toContain('not valid JSON');
    expect(errors).toEqual([]);
  });

  test('profile groups badges with downloads', async () => {
    const page = await signInThroughPage(browser, server.url, member.email, password);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${server.url}/c/${community.slug}`);
    await page.getByRole('main').getByRole('link', { name: 'Mo Member' }).click();
    await page.getByRole('heading', { name: 'Mo Member', level: 1 }).waitFor();
    const profileUrl = new URL(page.url()).pathname;
    const micro = await page.getByRole('region', { name: /Microcredentials/ }).textContent();
    const participation = await page
      .getByRole('region', { name: /Participation badges/ })
      .textContent();
    const downloads = page.getByTestId('download-credential');
    const downloadCount = await downloads.count();
    const href = (await downloads.first().getAttribute('href')) ?? '';
    const downloaded = await page.evaluate(async (path) => (await fetch(path)).json(), href);
    const verifyLinks = await page.getByRole('link', { name: 'Verify a credential' }).count();
    const baked = page.getByTestId('download-baked-credential');
    await baked.first().waitFor();
    const bakedCount = await baked.count();
    const bakedHref = (await baked.first().getAttribute('href')) ?? '';
    const bakedCheck = await page.evaluate(async (path) => {
      const image = await (await fetch(path)).blob();
      const response = await fetch('/credentials/verify', {
        method: 'POST',
        headers: { 'Content-Type': 'image/svg+xml' },
        body: image,
      });
      return response.json();
    }, bakedHref);
    const sideways = await scrollsSideways(page);
    await page.screenshot({ path: `${ARTIFACTS}profile-320.png`, fullPage: true });

    const visitor = await newPage(browser);
    await visitor.goto(`${server.url}${profileUrl}`);
    await visitor.getByRole('heading', { name: 'Mo Member', level: 1 }).waitFor();
    await visitor.getByTestId('profile-award').first().waitFor();
    const visitorAwards = await visitor.getByTestId('profile-award').count();
    const visitorDownloads = await visitor.getByTestId('download-credential').count();

    expect(profileUrl).toBe(`/u/${encodeURIComponent(member.id)}`);
    expect(micro).toContain('Microcredentials (1)');
    expect(micro).toContain('Data Coach');
    expect(participation).toContain('Participation badges (1)');
    expect(participation).toContain('Makerspace Regular');
    expect(participation).not.toContain('Robotics Helper');
    expect(downloadCount).toBe(2);
    expect(href).toMatch(/^\/credentials\/awards\/.+\.json$/);
    expect(downloaded.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(verifyLinks).toBe(2);
    expect(bakedCount).toBe(2);
    expect(bakedHref).toMatch(/^\/credentials\/awards\/.+\.svg$/);
    expect(bakedCheck.verified).toBe(true);
    expect(sideways).toBe(false);
    expect(visitorAwards).toBe(2);
    expect(visitorDownloads).toBe(0);
    expect(errors).toEqual([]);
  });

  test('profile of a malformed id is not found', async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    for (const id of ['garbage', encodeURIComponent(community.id)]) {
      await page.goto(`${server.url}/u/${id}`);
      await page.getByRole('heading', { name: 'Profile not found', level: 1 }).waitFor();
      const text = await page.locator('main').textContent();

      expect(text, id).toContain('No educator has this address.');
      expect(text, id).not.toContain('undefined');
      expect(text, id).not.toContain('Invalid global ID');
      expect(await page.getByRole('alert').count(), id).toBe(0);
      expect(await page.title(), id).not.toContain('undefined');
    }
    expect(errors).toEqual([]);
  });

  test('badge directory filters by kind and standard', async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${server.url}/c/${community.slug}`);
    await page.getByRole('link', { name: 'All badges, by kind and ISTE Standard' }).click();
    await page.getByRole('heading', { name: 'Badges', level: 1 }).waitFor();
    await page.getByTestId('directory-badge').first().waitFor();
    const all = await page.getByTestId('directory-badge').count();

    await page.getByLabel('Kind').selectOption('MICROCREDENTIAL');
    await page.getByText('1 badge of 3 shown').waitFor();
    const microNames = await page.getByTestId('directory-badge').allTextContents();
    await page.getByLabel('Kind').selectOption('');
    await page.getByLabel('ISTE Standard').selectOption('LEADER');
    await page.getByText('2 badges of 3 shown').waitFor();
    const leaderNames = await page.getByTestId('directory-badge').allTextContents();
    const address = new URL(page.url());
    await page.getByLabel('ISTE Standard').selectOption('CITIZEN');
    const none = await page.getByText('No badge matches these filters.').textContent();
    const sideways = await scrollsSideways(page);
    await page.screenshot({ path: `${ARTIFACTS}badge-directory-320.png`, fullPage: true });

    expect(all).toBe(3);
    expect(microNames).toHaveLength(1);
    expect(microNames[0]).toContain('Data Coach');
    expect(microNames[0]).toContain('Microcredential');
    expect(leaderNames).toHaveLength(2);
    expect(leaderNames.join(' ')).toContain('Makerspace Regular');
    expect(leaderNames.join(' ')).toContain('Robotics Helper');
    expect(address.pathname).toBe(`/c/${community.slug}/badges`);
    expect(address.searchParams.get('standard')).toBe('LEADER');
    expect(none).toContain('No badge matches');
    expect(sideways).toBe(false);
    expect(errors).toEqual([]);
  });
});
