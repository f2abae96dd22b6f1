import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  ... on MutationSignInSuccess { data { token } } } }`;

describe.skipIf(!ready)('live session seats in Chromium', () => {
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

  test('shows the waitlist place, then the seat when one opens', async () => {
    const signIn = await server.graphql(SIGN_IN, {
      input: { email: 'facilitator@staffroom.example.org', password: 'staffroom-demo' },
    });
    const token = signIn.body.data.signIn.data.token;
    const community = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { id } }',
    );
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const endsAt = new Date(Date.now() + 90_000_000).toISOString();
    const session = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId: community.body.data.community.id,
        title: 'One-seat office hours',
        startsAt,
        endsAt,
        timeZone: 'America/Chicago',
        capacity: 1,
      },
      'id',
      token,
    );
    await mutate(
      server,
      'rsvp',
      'RsvpInput',
      { liveSessionId: session.id, status: 'GOING' },
      'id',
      token,
    );

    const page = await signInThroughPage(
      browser,
      server.url,
      'demo@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/s/${encodeURIComponent(session.id)}`);
    await page.getByRole('button', { name: 'Going', exact: true }).click();
    const seat = page.getByTestId('viewer-seat');
    await seat.getByText('number 1 on the waitlist').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}live-session-waitlist.png` });

    await mutate(
      server,
      'rsvp',
      'RsvpInput',
      { liveSessionId: session.id, status: 'NOT_GOING' },
      'id',
      token,
    );
    await page.reload();

    const calendarPath = await page
      .getByRole('link', { name: 'Add to calendar' })
      .getAttribute('href');
    const calendar = await page.request.get(`${server.url}${calendarPath}`);

    expect(await page.getByTestId('viewer-seat').textContent()).toContain('You have a seat.');
    expect(calendar.headers()['content-type']).toContain('text/calendar');
    expect(await calendar.text()).toContain('SUMMARY:One-seat office hours');
  });
});
