import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on MutationSignInSuccess { data { token } } } }`;
const PROGRESS = `query($id: ID!) { badge(id: $id) { viewerProgress { count } } }`;
const COMMUNITY = 'elementary-makerspace-network';

describe.skipIf(!ready)('badge rules in Chromium', () => {
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

  const tokenOf = async (email: string): Promise<string> =>
    (
      await server.graphql(SIGN_IN, {
        input: { email, password: 'staffroom-demo', session: 'BEARER' },
      })
    ).body.data.signIn.data.token;

  test('facilitator adds rule, member sees progress', async () => {
    const facilitatorToken = await tokenOf('facilitator@staffroom.example.org');
    const memberToken = await tokenOf('demo@staffroom.example.org');
    const community = (
      await server.graphql(
        `{ community(slug: "${COMMUNITY}") { id threads(first: 20) { nodes { id kind locked } } } }`,
      )
    ).body.data.community;
    const badgeId = (
      await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          communityId: community.id,
          name: 'Conversation Keeper',
          description: 'Keeps the network talking',
          criteria: 'Reply to your colleagues.',
          isteStandards: ['COLLABORATOR'],
        },
        'id',
        facilitatorToken,
      )
    ).id as string;
    const badgePath = `${server.url}/b/${encodeURIComponent(badgeId)}`;
    const discussion = community.threads.nodes.find(
      (thread: { kind: string; locked: boolean }) =>
        thread.kind !== 'ANNOUNCEMENT' && !thread.locked,
    );

    const facilitator = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await facilitator.goto(badgePath);
    const section = facilitator.getByRole('region', { name: 'How to earn it' });
    await section.getByText('This badge is awarded by hand').waitFor();
    await section.getByText('Add a rule', { exact: true }).click();
    await section.getByLabel('What counts').selectOption('REPLIES_POSTED');
    await section.getByLabel('How many replies').fill('0');
    await section.getByRole('button', { name: 'Add rule' }).click();
    const rangeError = await section
      .getByText('The number must be a whole number from 1 to 10000.')
      .textContent();
    await section.getByLabel('How many replies').fill('40');
    await section.getByRole('button', { name: 'Add rule' }).click();
    const added = await section.getByText(/^Rule added:/).textContent();
    const listed = await section.getByTestId('badge-rule').textContent();
    await section.getByLabel('What counts').selectOption('PATHWAY');
    await facilitator.screenshot({ path: `${ARTIFACTS}badge-rules-manage.png`, fullPage: true });

    const before = (await server.graphql(PROGRESS, { id: badgeId }, { token: memberToken })).body
      .data.badge.viewerProgress[0].count as number;
    const member = await signInThroughPage(
      browser,
      server.url,
      'demo@staffroom.example.org',
      'staffroom-demo',
    );
    await member.goto(badgePath);
    const progress = member.getByTestId('rule-progress');
    await progress.getByText(`${before} of 40`).waitFor();
    const shownBefore = await progress.getByRole('progressbar').getAttribute('value');
    await mutate(
      server,
      'createPost',
      'CreatePostInput',
      { threadId: discussion.id, body: 'Trying this with my class next week.' },
      'id',
      memberToken,
    );
    await member.reload();
    await progress.getByText(`${before + 1} of 40`).waitFor();
    const shownAfter = await progress.getByRole('progressbar').getAttribute('value');
    await member.setViewportSize({ width: 320, height: 800 });
    const overflow = await member.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    await member.screenshot({ path: `${ARTIFACTS}badge-rules-320.png`, fullPage: true });

    expect(rangeError).toContain('whole number');
    expect(added).toMatch(
      /^Rule added: Post 40 replies\. It awarded the badge to \d+ (person|people) right away\.$/,
    );
    expect(listed).toContain('Post 40 replies.');
    expect(shownBefore).toBe(String(before));
    expect(shownAfter).toBe(String(before + 1));
    expect(overflow).toBe(0);
  });
  test('rule form rejects fractions and huge numbers', async () => {
    const facilitatorToken = await tokenOf('facilitator@staffroom.example.org');
    const community = (await server.graphql(`{ community(slug: "${COMMUNITY}") { id } }`)).body.data
      .community;
    const badgeId = (
      await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          communityId: community.id,
          name: 'Session Regular',
          description: 'Comes to live sessions',
          criteria: 'Attend live sessions.',
          isteStandards: ['LEARNER'],
        },
        'id',
        facilitatorToken,
      )
    ).id as string;

    const page = await signInThroughPage(
      browser,
      server.url,
      'facilitator@staffroom.example.org',
      'staffroom-demo',
    );
    await page.goto(`${server.url}/b/${encodeURIComponent(badgeId)}`);
    const section = page.getByRole('region', { name: 'How to earn it' });
    await section.getByText('This badge is awarded by hand').waitFor();
    await section.getByText('Add a rule', { exact: true }).click();
    await section.getByLabel('What counts').selectOption('SESSIONS_ATTENDED');

    const threshold = section.getByLabel('How many sessions');
    const minutes = section.getByLabel('Minutes each session must be attended');
    const errorText = async (id: string) => {
      const error = section.locator(`#${id}-error`);
      return (await error.count()) > 0 ? await error.textContent() : null;
    };

    const shown: Record<string, { threshold: string | null; minutes: string | null }> = {};
    const typed: [string, string][] = [
      ['2.5', '30'],
      ['99999999999999999999', '30'],
      ['3', '30.5'],
      ['3', '1e3'],
    ];
    for (const [typedThreshold, typedMinutes] of typed) {
      await threshold.fill(typedThreshold);
      await minutes.fill(typedMinutes);
      await section.getByRole('button', { name: 'Add rule' }).click();
      await section.locator('.field-error').first().waitFor();
      shown[`${typedThreshold}/${typedMinutes}`] = {
        threshold: await errorText('field-rule-threshold'),
        minutes: await errorText('field-rule-minutes'),
      };
      expect(await threshold.getAttribute('aria-invalid'), typedThreshold).toBe(
        shown[`${typedThreshold}/${typedMinutes}`]?.threshold ? 'true' : null,
      );
      const text = await section.textContent();
      expect(text, typedThreshold).not.toContain('Variable');
      expect(text, typedThreshold).not.toContain('got invalid value');
    }
    const rules = (
      await server.graphql('query($id: ID!) { badge(id: $id) { rules { id } } }', { id: badgeId })
    ).body.data.badge.rules;

    const thresholdError = 'The number must be a whole number from 1 to 10000.';
    const minutesError = 'Minutes per session must be a whole number from 0 to 720.';
    expect(shown['2.5/30']).toEqual({ threshold: thresholdError, minutes: null });
    expect(shown['99999999999999999999/30']).toEqual({ threshold: thresholdError, minutes: null });
    expect(shown['3/30.5']).toEqual({ threshold: null, minutes: minutesError });
    expect(shown['3/1e3']).toEqual({ threshold: null, minutes: minutesError });
    expect(rules).toEqual([]);
  });
});
