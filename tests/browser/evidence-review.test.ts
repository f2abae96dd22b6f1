import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const EDUCATOR = 'demo@staffroom.example.org';
const FACILITATOR = 'facilitator@staffroom.example.org';
const PASSWORD = 'staffroom-demo';

/** Reports whether the page scrolls sideways, which a 320 px wide layout must not do. */
const overflowsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

describe.skipIf(!ready)('evidence review in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let badgeId: string;
  let secondBadgeId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
    const signIn = await server.graphql(
      'mutation($input: SignInInput!) { signIn(input: $input) { ... on MutationSignInSuccess { data { token } } } }',
      { input: { email: FACILITATOR, password: PASSWORD, session: 'BEARER' } },
    );
    const community = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { id } }',
    );
    const createMicrocredential = async (name: string) =>
      (
        await mutate(
          server,
          'createBadge',
          'CreateBadgeInput',
          {
            communityId: community.body.data.community.id,
            name,
            description: 'Led an inquiry-based science lab',
            criteria: 'Run one inquiry lab and reflect on what **students** discovered',
            isteStandards: ['DESIGNER'],
            kind: 'MICROCREDENTIAL',
          },
          'id',
          signIn.body.data.signIn.data.token,
        )
      ).id as string;
    badgeId = await createMicrocredential('Inquiry Lab Lead');
    secondBadgeId = await createMicrocredential('Robotics Coach');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  test('educator submits, facilitator approves, badge earned', async () => {
    const badgePath = `${server.url}/b/${encodeURIComponent(badgeId)}`;
    const educator = await signInThroughPage(browser, server.url, EDUCATOR, PASSWORD);
    await educator.goto(badgePath);
    await educator.getByRole('heading', { name: 'Evidence' }).waitFor();
    await educator.getByLabel('Reflection').fill('My class tested which objects float.');
    const count = await educator.getByTestId('reflection-count').textContent();
    await educator.getByRole('button', { name: 'Add a link' }).click();
    const focusedLink = await educator.evaluate(() => document.activeElement?.id ?? '');
    await educator.getByLabel('Link 1').fill('ftp://example.org/photos');
    await educator.getByLabel('Attach files').setInputFiles({
      name: 'lab-notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Hypothesis: hollow objects float.\n'),
    });
    await educator.getByTestId('evidence-file').waitFor();
    await educator.getByRole('button', { name: 'Send evidence for review' }).click();
    const linkError = await educator.getByText('must be an http or https URL').textContent();
    await educator.getByLabel('Link 1').fill('https://example.org/photos');
    await educator.getByRole('button', { name: 'Send evidence for review' }).click();
    await educator.getByText('Your evidence was sent for review.').waitFor();
    await educator.setViewportSize({ width: 320, height: 800 });
    const formOverflow = await overflowsSideways(educator);
    await educator.screenshot({ path: `${ARTIFACTS}evidence-sent.png`, fullPage: true });
    const statusAfterSending = await educator.getByTestId('submission-status').textContent();

    const reviewer = await signInThroughPage(browser, server.url, FACILITATOR, PASSWORD);
    await reviewer.setViewportSize({ width: 320, height: 800 });
    const queueCount = await reviewer.getByTestId('review-count').textContent();
    await reviewer.getByRole('link', { name: /^Reviews/ }).click();
    await reviewer.getByRole('link', { name: 'Inquiry Lab Lead: Demo Educator' }).click();
    await reviewer.getByRole('heading', { name: 'Revision 1', exact: true }).waitFor();
    const evidenceLink = reviewer.getByRole('link', { name: 'https://example.org/photos' });
    const rel = await evidenceLink.getAttribute('rel');
    const target = await evidenceLink.getAttribute('target');
    const fileHref = await reviewer
      .getByRole('link', { name: 'lab-notes.txt' })
      .getAttribute('href');
    const narrowOverflow = await overflowsSideways(reviewer);
    await reviewer.getByLabel(/^Decline/).check();
    await reviewer.getByRole('button', { name: 'Send the decision' }).click();
    const feedbackError = await reviewer.getByText('must not be empty').first().textContent();
    await reviewer.getByLabel(/^Approve/).check();
    await reviewer.getByLabel(/^Feedback for Demo Educator/).fill('Clear hypothesis and results.');
    await reviewer.keyboard.press('Tab');
    await reviewer.getByRole('button', { name: 'Send the decision' }).press('Enter');
    const confirmation = await reviewer.getByTestId('review-confirmation').textContent();
    // The confirmation shows before the page has reloaded the submission.
    await reviewer.getByTestId('review-status').filter({ hasText: 'Approved' }).waitFor();
    const statusAfterReview = await reviewer.getByTestId('review-status').textContent();
    await reviewer.screenshot({ path: `${ARTIFACTS}evidence-review.png`, fullPage: true });

    await educator.goto(badgePath);
    await educator.getByTestId('holder').filter({ hasText: 'Demo Educator' }).waitFor();
    const pastSubmission = await educator.getByTestId('past-submission').textContent();
    const formsLeft = await educator
      .getByRole('button', { name: 'Send evidence for review' })
      .count();
    await educator.getByTestId('past-submission').locator('summary').click();
    const review = await educator.getByTestId('evidence-review').textContent();

    expect(count).toContain('36 of 10,000 characters');
    expect(focusedLink).toBe('new-evidence-link-0');
    expect(linkError).toContain('http or https');
    expect(statusAfterSending).toBe('Waiting for review');
    // The demo data contains one more submission waiting for this facilitator.
    expect(queueCount).toContain('2');
    expect(rel).toBe('noopener noreferrer nofollow');
    expect(target).toBe('_blank');
    expect(fileHref).toMatch(/^\/uploads\/.+\/lab-notes\.txt$/);
    expect(formOverflow).toBe(false);
    expect(narrowOverflow).toBe(false);
    expect(feedbackError).toContain('must not be empty');
    expect(confirmation).toContain('Approved: Demo Educator now holds “Inquiry Lab Lead”.');
    expect(statusAfterReview).toBe('Approved');
    expect(pastSubmission).toContain('Approved');
    expect(formsLeft).toBe(0);
    expect(review).toContain('Clear hypothesis and results.');
  });

  test('facilitator requests changes, educator revises', async () => {
    const badgePath = `${server.url}/b/${encodeURIComponent(secondBadgeId)}`;
    const educator = await signInThroughPage(browser, server.url, EDUCATOR, PASSWORD);
    await educator.goto(badgePath);
    await educator.getByLabel('Reflection').fill('Our robot followed a line.');
    await educator.getByRole('button', { name: 'Send evidence for review' }).click();
    await educator.getByText('Your evidence was sent for review.').waitFor();

    const reviewer = await signInThroughPage(browser, server.url, FACILITATOR, PASSWORD);
    await reviewer.goto(`${server.url}/reviews`);
    await reviewer.getByRole('link', { name: 'Robotics Coach: Demo Educator' }).click();
    await reviewer.getByLabel(/^Request changes/).check();
    await reviewer.getByLabel(/^Feedback for Demo Educator/).fill('Add a video of the run.');
    await reviewer.getByRole('button', { name: 'Send the decision' }).click();
    const requested = await reviewer.getByTestId('review-confirmation').textContent();

    await educator.reload();
    const status = await educator.getByTestId('submission-status').textContent();
    const feedback = await educator.getByTestId('evidence-review').textContent();
    await educator.getByRole('button', { name: 'Revise the evidence' }).click();
    const prefilled = await educator.getByLabel('Reflection').inputValue();
    await educator.getByLabel('Reflection').fill('Our robot followed a line; video below.');
    await educator.getByRole('button', { name: 'Add a link' }).click();
    await educator.getByLabel('Link 1').fill('https://example.org/robot-run');
    await educator.getByRole('button', { name: 'Send the revision' }).click();
    await educator.getByText('Your revision was sent for review.').waitFor();
    await educator
      .getByTestId('submission-status')
      .filter({ hasText: 'Waiting for review' })
      .waitFor();
    const revisedStatus = await educator.getByTestId('submission-status').textContent();
    const revisions = await educator.getByTestId('evidence-revision').count();

    await reviewer.reload();
    await reviewer.getByRole('heading', { name: 'Revision 2', exact: true }).waitFor();
    const earlier = await reviewer
      .getByRole('list', { name: 'History' })
      .getByTestId('evidence-revision')
      .count();
    const videoLink = await reviewer
      .getByRole('link', { name: 'https://example.org/robot-run' })
      .count();
    const decisionHeading = await reviewer
      .getByRole('heading', { name: /Your decision/ })
      .textContent();

    expect(requested).toContain('Changes requested');
    expect(status).toBe('Changes requested');
    expect(feedback).toContain('Add a video of the run.');
    expect(prefilled).toBe('Our robot followed a line.');
    expect(revisedStatus).toBe('Waiting for review');
    expect(revisions).toBe(2);
    expect(earlier).toBe(1);
    expect(videoLink).toBe(1);
    expect(decisionHeading).toContain('revision 2');
  });
});
