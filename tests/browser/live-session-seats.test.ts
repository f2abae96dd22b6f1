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

    const seatText = await page.getByTestId('viewer-seat').textContent();
    expect(seatText).toContain('You have a seat.');
    // The link time carries its date, such as "Sat, Dec 5, 7:33 PM", for a session days away.
    expect(seatText).toMatch(/appears here from [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2},/);
    expect(calendar.headers()['content-type']).toContain('text/calendar');
    expect(await calendar.text()).toContain('SUMMARY:One-seat office hours');
  });

  test('host edits title and seats on the page', async () => {
    const signIn = await server.graphql(SIGN_IN, {
      input: { email: 'facilitator@staffroom.example.org', password: 'staffroom-demo' },
    });
    const community = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { id } }',
    );
    const session = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId: community.body.data.community.id,
        title: 'Soldering basics',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 90_000_000).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id',
      signIn.body.data.signIn.data.token,
    );
    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/s/${encodeURIComponent(session.id)}`);
    await page.getByText('Edit session').click();
    const form = page.getByTestId('edit-live-session');

    const starts = await form.getByLabel('Starts').inputValue();
    const ends = await form.getByLabel('Ends').inputValue();
    await form.getByLabel('Ends').fill(starts.replace(/T\d\d:\d\d$/, 'T00:00'));
    await form.getByRole('button', { name: 'Save changes' }).click();
    const endsError = await form.locator('#field-edit-live-session-ends-error').textContent();
    const formText = await form.textContent();
    await page.screenshot({ path: `${ARTIFACTS}live-session-edit-error.png`, fullPage: true });
    await form.getByLabel('Ends').fill(ends);
    await form.getByLabel('Title').fill('Soldering basics, part 1');
    await form.getByLabel('Seats (capacity)').fill('8');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByText('Saved the changes.').waitFor();
    await page.getByRole('heading', { name: 'Soldering basics, part 1' }).waitFor();
    await page.getByText('8 seats').waitFor();
    await form.getByLabel('Seats (capacity)').fill('0');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('8 seats').waitFor({ state: 'detached' });

    expect(endsError).toBe('Choose an end after the start.');
    expect(formText).not.toContain('endsAt');
    expect(formText).not.toContain('startsAt');
  });
});
