import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, newPage, signInThroughPage } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mutate, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('chromium');

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  ... on MutationSignInSuccess { data { token } } } }`;
const HOST_EMAIL = 'facilitator@staffroom.example.org';
const MEMBER_EMAIL = 'demo@staffroom.example.org';
const PASSWORD = 'staffroom-demo';
const MEMBER_NAME = 'Demo Educator';

describe.skipIf(!ready)('live room in Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let hostToken: string;
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ database, env: { SERVE_CLIENT: 'true', SEED_DEMO: 'true' } });
    browser = await launchChromium();
    const signIn = await server.graphql(SIGN_IN, {
      input: { email: HOST_EMAIL, password: PASSWORD },
    });
    hostToken = signIn.body.data.signIn.data.token;
    const community = await server.graphql(
      '{ community(slug: "elementary-makerspace-network") { id } }',
    );
    communityId = community.body.data.community.id;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  /** Schedules a session hosted by the facilitator, starts it, and returns its id. */
  async function startSession(title: string): Promise<string> {
    const liveSession = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title,
        startsAt: new Date(Date.now() + 300_000).toISOString(),
        endsAt: new Date(Date.now() + 3_900_000).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id',
      hostToken,
    );
    await mutate(
      server,
      'startLiveSession',
      'LiveSessionIdInput',
      { liveSessionId: liveSession.id },
      'id',
      hostToken,
    );
    return liveSession.id;
  }

  async function openRoom(page: Page, liveSessionId: string): Promise<void> {
    await page.goto(`${server.url}/s/${encodeURIComponent(liveSessionId)}`);
    await page.getByTestId('chat-list').waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') ===
        'connected',
    );
  }

  function sendChatAsHost(liveSessionId: string, body: string): Promise<unknown> {
    return mutate(
      server,
      'sendChatMessage',
      'SendChatMessageInput',
      { liveSessionId, body },
      'id',
      hostToken,
    );
  }

  test('shares room activity between two people', async () => {
    const liveSessionId = await startSession('Room walkthrough');
    const host = await signInThroughPage(browser, server.url, HOST_EMAIL, PASSWORD);
    const member = await signInThroughPage(browser, server.url, MEMBER_EMAIL, PASSWORD);
    const errors: string[] = [];
    for (const page of [host, member]) {
      page.on('pageerror', (error) => errors.push(error.message));
    }
    await openRoom(host, liveSessionId);
    await openRoom(member, liveSessionId);
    await host.getByTestId('present-count').getByText('2 here now').waitFor();
    await member.getByTestId('present-count').getByText('2 here now').waitFor();
    await host.getByTestId('present-list').getByText(MEMBER_NAME).waitFor();

    const original = `Hello from the member ${Date.now()}`;
    await member.getByTestId('chat-body').fill(original);
    await host.getByTestId('typing-indicator').getByText(`${MEMBER_NAME} is typing…`).waitFor();
    const counter = await member.getByTestId('chat-counter').textContent();
    await member.getByTestId('chat-body').press('Enter');
    const hostMessage = host.getByTestId('chat-message').filter({ hasText: original });
    await hostMessage.waitFor();
    const announced = await host.getByTestId('live-room-announcer').textContent();

    await member.getByTestId('chat-body').fill('   ');
    await member.getByTestId('chat-body').press('Enter');
    const blankError = await member
      .getByRole('alert')
      .filter({ hasText: 'blank message' })
      .textContent();
    await member.getByTestId('chat-body').fill('Materials list:');
    await member.getByTestId('chat-body').press('Shift+Enter');
    await member.getByTestId('chat-body').pressSequentially('1. cardboard');
    await member.getByTestId('chat-body').press('Enter');
    const multiline = host.getByTestId('chat-message').filter({ hasText: '1. cardboard' });
    const multilineBody = multiline.locator('.chat-body');
    const multilineText = await multilineBody.textContent();
    const multilineWhiteSpace = await multilineBody.evaluate((body) => {
      return getComputedStyle(body).whiteSpace;
    });
    const multilineHeight = (await multilineBody.boundingBox())?.height ?? 0;
    const lineHeight = await multilineBody.evaluate((body) =>
      Number.parseFloat(getComputedStyle(body).lineHeight),
    );

    const edited = `${original} (now with a fix)`;
    const memberMessage = member.getByTestId('chat-message').filter({ hasText: original });
    await memberMessage.getByTestId('chat-edit').click();
    await member.getByTestId('chat-edit-body').fill('A change to throw away');
    await member.getByTestId('chat-edit-body').press('Escape');
    await member.getByTestId('chat-edit-body').waitFor({ state: 'detached' });
    const focusAfterEscape = await member.evaluate(() =>
      document.activeElement?.getAttribute('data-testid'),
    );
    await memberMessage.getByTestId('chat-edit').click();
    await member.getByTestId('chat-edit-body').fill('');
    await member.getByTestId('chat-edit-body').press('Enter');
    const editError = member.getByTestId('chat-edit-error');
    await editError.waitFor();
    const editErrorBox = await editError.boundingBox();
    const chatListBox = await member.getByTestId('chat-list').locator('ol').boundingBox();
    await member.getByTestId('chat-edit-body').fill(edited);
    await member.getByTestId('chat-edit-body').press('Enter');
    const hostEdited = host.getByTestId('chat-message').filter({ hasText: edited });
    await hostEdited.getByTestId('chat-edited').waitFor();

    host.once('dialog', (dialog) => void dialog.accept());
    await hostEdited.getByTestId('chat-delete').click();
    await member
      .getByTestId('chat-removed')
      .getByText('This message was removed by a moderator.')
      .waitFor();

    const question = `How do you store cardboard? ${Date.now()}`;
    await member.getByTestId('question-body').fill(question);
    await member.getByTestId('question-body').press('Enter');
    const hostQuestion = host
      .getByTestId('open-questions')
      .getByTestId('question')
      .filter({ hasText: question });
    const memberQuestion = member.getByTestId('question').filter({ hasText: question });
    await hostQuestion.getByTestId('question-vote').click();
    await memberQuestion.getByText('1 vote').waitFor();
    await host.locator('[data-testid=question-vote][aria-pressed=true]').waitFor();
    await hostQuestion.getByTestId('question-vote').click();
    await memberQuestion.getByText('0 votes').waitFor();
    await hostQuestion.getByTestId('question-answer').press('Enter');
    await member.getByTestId('answered-questions').getByText(question).waitFor();
    await host.getByTestId('answered-questions').getByText(question).waitFor();
    const focusAfterAnswer = await host.evaluate(() =>
      document.activeElement?.getAttribute('data-action'),
    );

    await member.getByTestId('raise-hand').press('Enter');
    await member.getByTestId('raise-hand').getByText('Lower hand').waitFor();
    const focusAfterRaise = await member.evaluate(() =>
      document.activeElement?.getAttribute('data-testid'),
    );
    const hostQueue = host.getByTestId('hand-queue');
    await hostQueue.getByTestId('hand-queue-entry').filter({ hasText: MEMBER_NAME }).waitFor();
    await hostQueue.getByRole('button', { name: `Lower ${MEMBER_NAME}’s hand` }).press('Enter');
    await member.getByTestId('raise-hand').getByText('Raise hand').waitFor();
    await host.getByTestId('hand-queue').waitFor({ state: 'detached' });
    const focusAfterLower = await host.evaluate(() => document.activeElement?.id);

    await host.getByTestId('reaction-button').filter({ hasText: '👏' }).click();
    await member.getByTestId('reaction-float').filter({ hasText: '👏' }).first().waitFor();

    await host.getByTestId('slow-mode').selectOption({ label: '10 s' });
    await member
      .getByTestId('slow-mode-notice')
      .getByText('one message every 10 seconds')
      .waitFor();
    await member.getByTestId('chat-body').fill('A second thought');
    // The member's first message may still hold the next one back for a few seconds.
    await member.locator('[data-testid=chat-submit]:enabled').click({ timeout: 15_000 });
    await member
      .getByTestId('slow-mode-notice')
      .getByText(/You can send again in/)
      .waitFor();
    const sendDisabled = await member.getByTestId('chat-submit').isDisabled();

    await host
      .getByTestId('present-list')
      .getByRole('button', { name: new RegExp(`${MEMBER_NAME}\\s*: moderation options`) })
      .click();
    await host.getByTestId('toggle-mute').click();
    await member.getByTestId('muted-notice').waitFor();
    await host
      .getByTestId('muted-list')
      .getByRole('button', { name: `Unmute ${MEMBER_NAME}` })
      .waitFor();
    await host.screenshot({ path: `${ARTIFACTS}live-room-host.png`, fullPage: true });

    expect(counter).toContain(`${original.length} / 2000`);
    expect(blankError).toContain('a blank message is not sent');
    expect(multilineText).toBe('Materials list:\n1. cardboard');
    expect(multilineWhiteSpace).toBe('pre-wrap');
    expect(multilineHeight).toBeGreaterThan(1.5 * lineHeight);
    expect(editErrorBox).not.toBeNull();
    expect(chatListBox).not.toBeNull();
    expect((editErrorBox?.y ?? 0) + (editErrorBox?.height ?? 0)).toBeLessThanOrEqual(
      (chatListBox?.y ?? 0) + (chatListBox?.height ?? 0),
    );
    expect(focusAfterAnswer).toBe('reopen');
    expect(focusAfterRaise).toBe('raise-hand');
    expect(focusAfterLower).toBe('hand-queue-heading');
    expect(focusAfterEscape).toBe('chat-edit');
    expect(announced).toContain(`${MEMBER_NAME}: ${original}`);
    expect(await host.getByTestId('chat-message').filter({ hasText: original }).count()).toBe(0);
    expect(await host.getByTestId('hand-queue').count()).toBe(0);
    expect(sendDisabled).toBe(true);
    expect(await member.getByTestId('chat-body').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);

  test('keeps focus through start and end', async () => {
    const liveSession = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: 'Room started by keyboard',
        startsAt: new Date(Date.now() + 300_000).toISOString(),
        endsAt: new Date(Date.now() + 3_900_000).toISOString(),
        timeZone: 'America/Chicago',
        capacity: 1,
      },
      'id',
      hostToken,
    );
    const rsvp = { liveSessionId: liveSession.id, status: 'GOING' };
    await mutate(server, 'rsvp', 'RsvpInput', rsvp, 'id', hostToken);
    const host = await signInThroughPage(browser, server.url, HOST_EMAIL, PASSWORD);
    const member = await signInThroughPage(browser, server.url, MEMBER_EMAIL, PASSWORD);
    host.on('dialog', (dialog) => void dialog.accept());
    await openRoom(host, liveSession.id);
    await openRoom(member, liveSession.id);
    await member.getByRole('button', { name: 'Going', exact: true }).click();
    await member.getByTestId('viewer-seat').getByText('on the waitlist').waitFor();

    await host.getByRole('button', { name: 'Start session' }).press('Enter');
    await host.getByRole('button', { name: 'End session' }).waitFor();
    await host.waitForFunction(() => document.activeElement?.textContent === 'End session');
    await member.getByTestId('present-count').locator('.presence-dot').waitFor();
    await host.getByRole('button', { name: 'End session' }).press('Enter');
    await host.getByTestId('live-session-status').getByText('Ended').waitFor();
    await member.getByTestId('live-session-status').getByText('Ended').waitFor();
    const focusAfterEnd = await host.evaluate(() =>
      document.activeElement?.getAttribute('data-testid'),
    );

    expect(focusAfterEnd).toBe('live-session-status');
    expect(await host.locator('.host-controls').count()).toBe(0);
    expect(await host.getByRole('link', { name: 'Attendance' }).count()).toBe(1);
    expect(await member.getByTestId('viewer-seat').count()).toBe(0);
    expect(await member.getByTestId('present-count').count()).toBe(0);
  }, 60_000);

  test('offers nothing stale on a cancelled session', async () => {
    const liveSession = await mutate(
      server,
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title: 'Room to be cancelled',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 90_000_000).toISOString(),
        timeZone: 'America/Chicago',
      },
      'id',
      hostToken,
    );
    const host = await signInThroughPage(browser, server.url, HOST_EMAIL, PASSWORD);
    host.on('dialog', (dialog) => void dialog.accept());
    await openRoom(host, liveSession.id);

    await host.getByRole('button', { name: 'Cancel session' }).press('Enter');
    await host.getByTestId('live-session-status').getByText('Cancelled').waitFor();
    const focusAfterCancel = await host.evaluate(() =>
      document.activeElement?.getAttribute('data-testid'),
    );
    await host.screenshot({ path: `${ARTIFACTS}live-room-cancelled.png`, fullPage: true });

    expect(focusAfterCancel).toBe('live-session-status');
    expect(await host.getByRole('link', { name: 'Attendance' }).count()).toBe(0);
    expect(await host.locator('.host-controls').count()).toBe(0);
    expect(await host.getByText('Raised hands').count()).toBe(0);
    expect(
      await host.getByText('The chat is closed because the session was cancelled.').count(),
    ).toBe(1);
  }, 60_000);

  test('resumes after a dropped socket', async () => {
    const liveSessionId = await startSession('Room after an outage');
    const member = await newPage(browser);
    let current: WebSocketRoute | null = null;
    let currentServer: WebSocketRoute | null = null;
    // Set while new connections wait, as if the server were still restarting.
    let gate: Promise<void> | null = null;
    let release: () => void = () => undefined;
    const subscribeAfter: (string | null)[] = [];
    const eventIds: string[] = [];

    // Every socket goes through the test, which records the room's subscriptions and the
    // events delivered, and makes new connections wait while the gate is closed.
    await member.routeWebSocket(/\/graphql$/, async (route) => {
      const pending: (string | Buffer)[] = [];
      let toServer: WebSocketRoute | null = null;
      route.onMessage((message) => {
        const parsed = JSON.parse(String(message));
        if (parsed.type === 'subscribe' && parsed.payload.query.includes('LiveRoomEvents')) {
          subscribeAfter.push(parsed.payload.variables.after ?? null);
        }
        if (toServer) {
          toServer.send(message);
        } else {
          pending.push(message);
        }
      });
      current = route;
      if (gate) {
        await gate;
      }
      const serverRoute = route.connectToServer();
      serverRoute.onMessage((message) => {
        const parsed = JSON.parse(String(message));
        const event = parsed.payload?.data?.liveSessionEvents;
        if (parsed.type === 'next' && event) {
          eventIds.push(event.eventId);
        }
        route.send(message);
      });
      currentServer = serverRoute;
      toServer = serverRoute;
      for (const message of pending.splice(0)) {
        serverRoute.send(message);
      }
    });
    await member.goto(`${server.url}/sign-in`);
    await member.getByTestId('sign-in-email').fill(MEMBER_EMAIL);
    await member.getByTestId('sign-in-password').fill(PASSWORD);
    await member.getByTestId('sign-in-submit').click();
    await member.getByTestId('viewer-name').waitFor();
    await openRoom(member, liveSessionId);

    await sendChatAsHost(liveSessionId, 'Before the outage');
    await member.getByTestId('chat-message').filter({ hasText: 'Before the outage' }).waitFor();
    const lastEventId = eventIds.at(-1);
    const subscriptionsBefore = subscribeAfter.length;
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    (currentServer as WebSocketRoute | null)?.close();
    await (current as WebSocketRoute | null)?.close({ code: 1012, reason: 'Service Restart' });
    await member.getByTestId('room-reconnecting').waitFor();
    await sendChatAsHost(liveSessionId, 'During the outage');
    release();
    await member.getByTestId('chat-message').filter({ hasText: 'During the outage' }).waitFor();
    await member.getByTestId('room-reconnecting').waitFor({ state: 'detached' });

    const resumedFrom = subscribeAfter.slice(subscriptionsBefore);
    expect(lastEventId).toBeDefined();
    // The page resumes after the last event it recorded. That event may trail the last one sent
    // when the socket closes first, and the counts below show that no message appears twice.
    expect(resumedFrom).toHaveLength(1);
    expect(resumedFrom[0]).not.toBeNull();
    expect(Number(resumedFrom[0])).toBeLessThanOrEqual(Number(lastEventId));
    expect(
      await member.getByTestId('chat-message').filter({ hasText: 'Before the outage' }).count(),
    ).toBe(1);
    expect(
      await member.getByTestId('chat-message').filter({ hasText: 'During the outage' }).count(),
    ).toBe(1);
  }, 60_000);

  test('fits a 360 px phone with tabs', async () => {
    const liveSessionId = await startSession('Room on a phone');
    await sendChatAsHost(
      liveSessionId,
      'Welcome, phone readers! This line is long enough to wrap.',
    );
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      hasTouch: true,
      isMobile: true,
    });
    context.setDefaultTimeout(10_000);
    const phone = await context.newPage();
    await phone.goto(`${server.url}/sign-in`);
    await phone.getByTestId('sign-in-email').fill(MEMBER_EMAIL);
    await phone.getByTestId('sign-in-password').fill(PASSWORD);
    await phone.getByTestId('sign-in-submit').click();
    await phone.getByTestId('viewer-name').waitFor();
    await openRoom(phone, liveSessionId);
    await phone.getByTestId('chat-message').filter({ hasText: 'Welcome, phone' }).waitFor();

    const chatTab = phone.getByRole('tab', { name: 'Chat' });
    const questionsVisibleFirst = await phone.getByTestId('question-body').isVisible();
    await phone.screenshot({ path: `${ARTIFACTS}live-room-phone.png`, fullPage: true });
    await chatTab.focus();
    await phone.keyboard.press('ArrowRight');
    await phone.getByTestId('question-body').waitFor({ state: 'visible' });
    const chatVisibleAfter = await phone.getByTestId('chat-body').isVisible();
    await phone.screenshot({ path: `${ARTIFACTS}live-room-phone-questions.png`, fullPage: true });
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );

    expect(await chatTab.getAttribute('aria-selected')).toBe('false');
    expect(await phone.getByRole('tab', { name: /Q&A/ }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(questionsVisibleFirst).toBe(false);
    expect(chatVisibleAfter).toBe(false);
    expect(overflow).toBe(0);
    await context.close();
  }, 60_000);
});
