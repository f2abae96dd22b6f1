import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  ... on MutationSignInSuccess { data { token user { id } } } } }`;

const rowId = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

describe.skipIf(!ready)('attendance report and transcript in Chromium', () => {
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

  const signIn = async (email: string) =>
    (
      await server.graphql(SIGN_IN, {
        input: { email, password: 'staffroom-demo', session: 'BEARER' },
      })
    ).body.data.signIn.data as { token: string; user: { id: string } };

  test('host adjusts and closes; attendee sees hours', async () => {
    const host = await signIn('facilitator@staffroom.example.org');
    const attendee = await signIn('demo@staffroom.example.org');
    const community = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { id } }',
    );
    const session = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId: community.body.data.community.id,
        title: 'Circuits for grade 5',
        startsAt: new Date(Date.now() + 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_660_000).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id',
      host.token,
    );
    await mutate(
      server,
      'startLiveSession',
      'LiveSessionIdInput',
      { liveSessionId: session.id },
      'id',
      host.token,
    );
    await mutate(
      server,
      'endLiveSession',
      'LiveSessionIdInput',
      { liveSessionId: session.id },
      'id',
      host.token,
    );
    // Thirty measured minutes, as heartbeats over a real hour would have written them.
    await server.database.db.execute(
      sql`insert into live_attendance (live_session_id, user_id, first_joined_at, last_left_at, seconds_present)
        values (${rowId(session.id)}, ${rowId(attendee.user.id)}, now() - interval '40 minutes', now(), 1800),
          (${rowId(session.id)}, ${rowId(host.user.id)}, now() - interval '40 minutes', now(), 2400)`,
    );
    // A long link with no spaces, as a reason, must wrap instead of widening the page.
    const longReason = `Joined by phone, see https://example.org/${'x'.repeat(440)}`;

    const hostPage = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    hostPage.on('dialog', (dialog) => void dialog.accept());
    await hostPage.goto(`${server.url}/s/${encodeURIComponent(session.id)}`);
    await hostPage.getByRole('link', { name: 'Attendance' }).click();
    const row = hostPage.getByTestId('attendance-row').filter({ hasText: 'Demo' });
    await row
      .getByText('30 min')
      .first()
      .waitFor()
      .catch(async (error: unknown) => {
        await hostPage.screenshot({ path: `${ARTIFACTS}attendance-report-failed.png` });
        throw new Error(
          `${String(error)}\nPage text: ${await hostPage.locator('main').textContent()}`,
        );
      });
    await row.getByRole('button', { name: /Adjust/ }).click();
    await hostPage.getByLabel(/Minutes to credit/).fill('45');
    await hostPage.getByLabel('Reason').fill(longReason);
    await hostPage.getByRole('button', { name: 'Save' }).click();
    await row.getByTestId('credited').getByText('45 min (adjusted)').waitFor();
    const history = await hostPage.getByText(longReason).textContent();
    const pageOverflow = await hostPage.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    const hostRow = hostPage.getByTestId('attendance-row').filter({ hasText: 'Jordan Ellis' });
    const hostRows = await hostRow.count();
    const hostRowButtons = await hostRow.getByRole('button').count();
    await hostPage.getByRole('button', { name: 'Close the report' }).click();
    await hostPage
      .getByTestId('report-state')
      .getByText(/^Final/)
      .waitFor()
      .catch(async (error: unknown) => {
        throw new Error(
          `${String(error)}\nPage text: ${await hostPage.locator('main').textContent()}`,
        );
      });
    const adjustButtons = await hostPage.getByRole('button', { name: /Adjust/ }).count();
    const csvPath = await hostPage.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    const csv = await hostPage.request.get(`${server.url}${csvPath}`);
    const csvText = await csv.text();
    await hostPage.screenshot({ path: `${ARTIFACTS}attendance-report.png`, fullPage: true });

    const attendeePage = await signInThroughPage(
      browser,
      server.url,
      'demo@staffroom.example.org',
      'staffroom-demo',
    );
    await attendeePage.goto(`${server.url}/settings`);
    const transcript = attendeePage.getByTestId('pd-transcript');
    await transcript.getByText('Circuits for grade 5').waitFor();
    const transcriptText = await transcript.textContent();
    const transcriptPath = await transcript
      .getByRole('link', { name: 'Download transcript (CSV)' })
      .getAttribute('href');
    const transcriptCsv = await attendeePage.request.get(`${server.url}${transcriptPath}`);
    const forbidden = await attendeePage.request.get(`${server.url}${csvPath}`);
    await attendeePage.goto(`${server.url}/s/${encodeURIComponent(session.id)}/attendance`);
    const notHost = await attendeePage
      .getByText('Only the host and the community’s owners and facilitators')
      .or(attendeePage.getByText("Only the host and the community's owners and facilitators"))
      .textContent();

    expect(history).toContain('changed 30 to 45 min');
    expect(pageOverflow).toBe(0);
    expect(hostRows).toBe(1);
    expect(hostRowButtons).toBe(0);
    expect(adjustButtons).toBe(0);
    expect(csv.status()).toBe(200);
    expect(csvText).toContain(longReason);
    expect(transcriptText).toContain('45 min (0.8 h) in 1 live session.');
    expect(transcriptText).toContain('Final');
    expect(transcriptCsv.status()).toBe(200);
    expect(await transcriptCsv.text()).toContain('Circuits for grade 5');
    expect(forbidden.status()).toBe(404);
    expect(notHost).toContain('Only the host');
  });
});
