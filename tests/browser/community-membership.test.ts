import { desc, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mailOutbox } from '../../drizzle/tables/index.ts';
import { ARTIFACTS, launchChromium, newPage, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const FACILITATOR = 'facilitator@staffroom.example.org';
const DEMO_PASSWORD = 'staffroom-demo';
const PASSWORD = 'correct horse battery staple';

describe.skipIf(!ready)('community membership in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let facilitatorToken: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
    const signedIn = await mutate(
      server,
      'signIn',
      'SignInInput',
      { email: FACILITATOR, password: DEMO_PASSWORD, session: 'BEARER' },
      'token',
    );
    facilitatorToken = signedIn.token;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  /** Creates a listed private community owned by the facilitator, with one thread in it. */
  async function createPrivateCommunity(name: string) {
    const community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name, description: 'Made by a browser test.', focus: 'STEM', visibility: 'PRIVATE' },
      'id slug',
      facilitatorToken,
    );
    const thread = await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId: community.id, title: `Welcome to ${name}`, body: 'Say hello.' },
      'id title',
      facilitatorToken,
    );
    return { id: community.id as string, slug: community.slug as string, thread: thread.title };
  }

  async function signedInPage(email: string, password: string): Promise<Page> {
    const page = await signInThroughPage(browser, server.url, email, password);
    return page;
  }

  test('approves a request to join a private community', async () => {
    const community = await createPrivateCommunity('Request Circle');
    const requester = await signUpUser(server, { displayName: 'Rita Requester' });
    const requesterPage = await signedInPage(requester.email, PASSWORD);
    const errors: string[] = [];
    requesterPage.on('pageerror', (error) => errors.push(error.message));

    await requesterPage.goto(`${server.url}/c/${community.slug}`);
    await requesterPage.getByRole('heading', { name: 'Members only' }).waitFor();
    const threadsBefore = await requesterPage.getByTestId('thread-list').count();
    await requesterPage.getByRole('button', { name: 'Ask to join' }).click();
    await requesterPage.getByTestId('request-pending').waitFor();
    const withdrawVisible = await requesterPage
      .getByRole('button', { name: 'Withdraw request' })
      .isVisible();

    const facilitatorPage = await signedInPage(FACILITATOR, DEMO_PASSWORD);
    await facilitatorPage.goto(`${server.url}/c/${community.slug}/manage`);
    await facilitatorPage.getByTestId('join-requests').getByText('Rita Requester').waitFor();
    await facilitatorPage.getByRole('button', { name: 'Approve Rita Requester' }).click();
    await facilitatorPage.getByText('No one is waiting for a decision.').waitFor();
    await facilitatorPage
      .getByTestId('manage-members')
      .getByText('Rita Requester', { exact: true })
      .waitFor();
    await facilitatorPage
      .getByTestId('audit-log')
      .getByText('Approved a request to join')
      .waitFor();
    await facilitatorPage.screenshot({ path: `${ARTIFACTS}community-manage.png`, fullPage: true });

    await requesterPage.reload();
    await requesterPage.getByTestId('thread-list').getByText(community.thread).waitFor();

    expect(threadsBefore).toBe(0);
    expect(withdrawVisible).toBe(true);
    expect(await requesterPage.getByRole('heading', { name: 'Members only' }).count()).toBe(0);
    expect(await requesterPage.getByRole('button', { name: 'Leave' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  test('accepts an invitation after signing in', async () => {
    const community = await createPrivateCommunity('Invitation Circle');
    const invitee = await signUpUser(server, { displayName: 'Ivan Invitee' });
    const facilitatorPage = await signedInPage(FACILITATOR, DEMO_PASSWORD);

    await facilitatorPage.goto(`${server.url}/c/${community.slug}/manage`);
    await facilitatorPage.getByLabel('Email address').fill(invitee.email);
    await facilitatorPage.getByLabel('Note for the mail (optional)').fill('Join us!');
    await facilitatorPage.getByRole('button', { name: 'Send invitation' }).click();
    await facilitatorPage.getByText(`Invitation sent to ${invitee.email}.`).waitFor();
    await facilitatorPage.getByTestId('invitations').getByText('Pending').waitFor();
    const [mail] = await server.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, invitee.email))
      .orderBy(desc(mailOutbox.id))
      .limit(1);
    const path = /\/invitations\/[^\s]+/.exec(mail?.textBody ?? '')?.[0];

    const inviteePage = await newPage(browser);
    await inviteePage.goto(`${server.url}${path}`);
    await inviteePage.getByRole('heading', { name: 'Join Invitation Circle' }).waitFor();
    await inviteePage.getByRole('link', { name: 'Sign in to accept' }).click();
    await inviteePage.getByTestId('sign-in-email').fill(invitee.email);
    await inviteePage.getByTestId('sign-in-password').fill(PASSWORD);
    await inviteePage.getByTestId('sign-in-submit').click();
    await inviteePage.getByTestId('accept-invitation').click();
    await inviteePage.getByTestId('thread-list').getByText(community.thread).waitFor();

    expect(path).toBeDefined();
    expect(new URL(inviteePage.url()).pathname).toBe(`/c/${community.slug}`);
    await facilitatorPage.reload();
    await facilitatorPage.getByTestId('invitations').getByText('Accepted').waitFor();
    expect(
      await facilitatorPage
        .getByTestId('manage-members')
        .getByText('Ivan Invitee', { exact: true })
        .count(),
    ).toBe(1);
  });

  test('bans a member with a reason and lifts the ban', async () => {
    const community = await createPrivateCommunity('Ban Circle');
    const member = await signUpUser(server, { displayName: 'Bo Banned' });
    await mutate(
      server,
      'requestToJoin',
      'RequestToJoinInput',
      { communityId: community.id },
      'id',
      member.token,
    );
    await mutate(
      server,
      'decideJoinRequest',
      'DecideJoinRequestInput',
      { communityId: community.id, userId: member.id, approve: true },
      'membership { id }',
      facilitatorToken,
    );
    const page = await signedInPage(FACILITATOR, DEMO_PASSWORD);
    await page.goto(`${server.url}/c/${community.slug}/manage`);

    await page.getByText('Remove Bo Banned…').click();
    await page.getByLabel('Reason').fill('Shared a student photo');
    await page.getByLabel('Also ban Bo Banned').check();
    await page.getByRole('button', { name: 'Remove and ban Bo Banned' }).click();
    await page.getByTestId('banned-members').getByText('Bo Banned').waitFor();
    await page.getByTestId('audit-log').getByText('Banned a member').waitFor();
    const reasonLogged = await page
      .getByTestId('audit-log')
      .getByText('Shared a student photo')
      .count();
    await page.getByRole('button', { name: 'Unban Bo Banned' }).click();
    await page.getByText('No one is banned.').waitFor();

    expect(reasonLogged).toBe(1);
    expect(await page.getByTestId('manage-members').getByText('Bo Banned').count()).toBe(0);
    expect(await page.getByTestId('audit-log').getByText('Lifted a ban').count()).toBe(1);
  });

  test('shows a withdrawn invitation plainly', async () => {
    const community = await createPrivateCommunity('Withdrawn Circle');
    const invitee = await signUpUser(server);
    const invitation = await mutate(
      server,
      'inviteToCommunity',
      'InviteToCommunityInput',
      { communityId: community.id, email: invitee.email },
      'id',
      facilitatorToken,
    );
    await mutate(
      server,
      'revokeInvitation',
      'RevokeInvitationInput',
      { invitationId: invitation.id },
      'id',
      facilitatorToken,
    );
    const [mail] = await server.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, invitee.email))
      .orderBy(desc(mailOutbox.id))
      .limit(1);
    const path = /\/invitations\/[^\s]+/.exec(mail?.textBody ?? '')?.[0];

    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}${path}`);
    await page.getByText('This invitation was withdrawn and can no longer be accepted.').waitFor();

    expect(await page.getByTestId('accept-invitation').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Sign in to accept' }).count()).toBe(0);
  });
});
