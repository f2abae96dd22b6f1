import { createHash } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  accountTokens,
  auditLog,
  authSessions,
  districtAdmins,
  districtDomains,
  districts,
  mailOutbox,
  notifications,
  posts,
  threads,
  users,
} from '../../drizzle/tables/index.ts';
import { createAuthSession } from '../../server/services/account.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type GraphQLResponse,
  type Json,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const PASSWORD = 'correct horse battery staple';
const VIEWER = '{ viewer { id displayName email emailVerified district { id } } }';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on MutationSignInSuccess { data { token } }
  ... on RateLimitedError { retryAfterSeconds } ... on Error { message } } }`;
const RESULT =
  '__typename ... on Error { message } ... on ValidationError { issues { path message } }';

interface Person {
  id: string;
  rowId: number;
  email: string;
  token: string;
  address: string;
}

describe.each(await databaseKinds())('account lifecycle on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let addressCounter = 0;
  let emailCounter = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // One trusted proxy, so that each test sends its own X-Forwarded-For client address and the
    // per-address rate limits of one test do not spill into the next.
    server = await startTestServer({
      database,
      env: { TRUST_PROXY: '1', PUBLIC_URL: 'https://staffroom.test' },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const db = () => server.database.db;

  function newAddress(): string {
    addressCounter += 1;
    return `198.51.100.${addressCounter}`;
  }

  function gql(
    query: string,
    variables: Record<string, unknown> = {},
    options: { token?: string; address?: string; cookie?: string; origin?: string } = {},
  ): Promise<GraphQLResponse> {
    return server.graphql(query, variables, {
      token: options.token,
      cookie: options.cookie,
      headers: {
        'x-forwarded-for': options.address ?? newAddress(),
        'user-agent': 'lifecycle-test/1.0',
        ...(options.origin && { origin: options.origin }),
      },
    });
  }

  async function signUp(fields: { email?: string; displayName?: string } = {}): Promise<Person> {
    emailCounter += 1;
    const email = fields.email ?? `teacher${emailCounter}@example.org`;
    const address = newAddress();
    const result = await gql(
      `mutation($input: SignUpInput!) { signUp(input: $input) {
        ${RESULT} ... on MutationSignUpSuccess { data { token user { id } } } } }`,
      { input: { email, password: PASSWORD, displayName: fields.displayName ?? 'Teacher' } },
      { address },
    );
    const data = result.body.data?.signUp?.data;
    if (!data) {
      throw new Error(`signUp as ${email} failed: ${JSON.stringify(result.body)}`);
    }
    const [row] = await db().select().from(users).where(eq(users.email, email));
    return { id: data.user.id, rowId: row?.id ?? 0, email, token: data.token, address };
  }

  async function signIn(email: string, password = PASSWORD): Promise<string> {
    const result = await gql(SIGN_IN, { input: { email, password } });
    const token = result.body.data?.signIn?.data?.token;
    if (!token) {
      throw new Error(`signIn as ${email} failed: ${JSON.stringify(result.body)}`);
    }
    return token;
  }

  /** Reads the newest mail to `email` from the outbox and returns its token parameter. */
  async function latestMail(email: string) {
    const [mail] = await db()
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, email))
      .orderBy(desc(mailOutbox.id))
      .limit(1);
    return { mail, token: /token=([\w-]+)/.exec(mail?.textBody ?? '')?.[1] ?? '' };
  }

  async function mutation(
    field: string,
    input: Record<string, unknown> | null,
    selection: string,
    options: { token?: string; address?: string } = {},
  ): Promise<Json> {
    const inputType = `${field[0]?.toUpperCase()}${field.slice(1)}Input`;
    const success = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
    const result = await gql(
      input
        ? `mutation($input: ${inputType}!) { ${field}(input: $input) { ${RESULT} ... on ${success} { ${selection} } } }`
        : `mutation { ${field} { __typename ... on Error { message } ... on ${success} { ${selection} } } }`,
      input ? { input } : {},
      options,
    );
    if (!result.body.data?.[field]) {
      throw new Error(`${field} failed: ${JSON.stringify(result.body)}`);
    }
    return result.body.data[field];
  }

  async function auditActions(userRowId: number): Promise<string[]> {
    const rows = await db()
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.subjectUserId, userRowId));
    return rows.map((row) => row.action);
  }

  describe('verifyEmail', () => {
    test('mails a link whose token is stored hashed', async () => {
      const person = await signUp();

      const { mail, token } = await latestMail(person.email);
      const [stored] = await db()
        .select()
        .from(accountTokens)
        .where(eq(accountTokens.userId, person.rowId));
      const hours = (Date.parse(stored?.expiresAt ?? '') - Date.now()) / 3_600_000;

      expect(mail?.textBody).toContain(`https://staffroom.test/verify-email?token=${token}`);
      expect(token).toMatch(/^[\w-]{40,}$/);
      expect(stored?.purpose).toBe('verify_email');
      expect(stored?.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(stored?.tokenHash).not.toContain(token);
      expect(hours).toBeGreaterThan(47.9);
      expect(hours).toBeLessThanOrEqual(48);
    });

    test('gives district membership only once verified', async () => {
      const [district] = await db()
        .insert(districts)
        .values({ name: 'Riverbend Unified', slug: 'riverbend' })
        .returning();
      await db()
        .insert(districtDomains)
        .values({
          districtId: district?.id ?? 0,
          domain: 'riverbend.k12.test',
          verifiedAt: sql`now()`,
        });
      const person = await signUp({ email: 'rita@riverbend.k12.test' });

      const before = await gql(VIEWER, {}, { token: person.token });
      const { token } = await latestMail(person.email);
      const verified = await mutation('verifyEmail', { token }, 'data { id }');
      const after = await gql(VIEWER, {}, { token: person.token });

      expect(before.body.data.viewer.district).toBeNull();
      expect(before.body.data.viewer.emailVerified).toBe(false);
      expect(verified.__typename).toBe('MutationVerifyEmailSuccess');
      expect(verified.data.id).toBe(person.id);
      expect(after.body.data.viewer.emailVerified).toBe(true);
      expect(after.body.data.viewer.district).not.toBeNull();
      expect(await auditActions(person.rowId)).toContain('account.email_verified');
    });

    test('rejects a reused token', async () => {
      const person = await signUp();
      const { token } = await latestMail(person.email);

      const first = await mutation('verifyEmail', { token }, 'data { id }');
      const second = await mutation('verifyEmail', { token }, 'data { id }');

      expect(first.__typename).toBe('MutationVerifyEmailSuccess');
      expect(second.__typename).toBe('ValidationError');
      expect(second.issues[0].path).toEqual(['token']);
    });

    test('rejects an expired token', async () => {
      const person = await signUp();
      const { token } = await latestMail(person.email);
      await db()
        .update(accountTokens)
        .set({ expiresAt: sql`now() - interval '1 minute'` })
        .where(eq(accountTokens.userId, person.rowId));

      const result = await mutation('verifyEmail', { token }, 'data { id }');
      const viewer = await gql(VIEWER, {}, { token: person.token });

      expect(result.__typename).toBe('ValidationError');
      expect(viewer.body.data.viewer.emailVerified).toBe(false);
    });

    test('resend replaces the earlier link', async () => {
      const person = await signUp();
      const { token: oldToken } = await latestMail(person.email);

      const resent = await mutation('resendVerificationEmail', null, 'data', person);
      const { token: newToken } = await latestMail(person.email);
      const old = await mutation('verifyEmail', { token: oldToken }, 'data { id }');
      const fresh = await mutation('verifyEmail', { token: newToken }, 'data { id }');
      const again = await mutation('resendVerificationEmail', null, 'data', person);

      expect(resent.__typename).toBe('MutationResendVerificationEmailSuccess');
      expect(newToken).not.toBe(oldToken);
      expect(old.__typename).toBe('ValidationError');
      expect(fresh.__typename).toBe('MutationVerifyEmailSuccess');
      expect(again.__typename).toBe('ConflictError');
    });
  });

  describe('password reset', () => {
    test('answers alike for known and unknown emails', async () => {
      const person = await signUp();
      const request = async (email: string) => {
        const started = performance.now();
        const result = await mutation('requestPasswordReset', { email }, 'data');
        return { result, ms: performance.now() - started };
      };

      const known = await request(person.email);
      const unknown = await request('nobody-here@example.org');
      const { mail } = await latestMail(person.email);
      const unknownMail = await latestMail('nobody-here@example.org');

      expect(known.result).toEqual(unknown.result);
      expect(known.result).toEqual({
        __typename: 'MutationRequestPasswordResetSuccess',
        data: true,
      });
      expect(Math.abs(known.ms - unknown.ms)).toBeLessThan(150);
      expect(mail?.subject).toMatch(/Reset your Staffroom password/);
      expect(mail?.textBody).toMatch(/https:\/\/staffroom\.test\/reset-password\?token=/);
      expect(unknownMail.mail).toBeUndefined();
    });

    test('sets the password and ends every sign-in', async () => {
      const person = await signUp();
      const otherToken = await signIn(person.email);
      const socket = collect(
        server.socket({ token: otherToken }),
        'subscription { viewerNotifications { eventId } }',
      );
      await socket.settle(300);
      await mutation('requestPasswordReset', { email: person.email }, 'data');
      const { token } = await latestMail(person.email);

      const reset = await mutation(
        'resetPassword',
        { token, newPassword: 'a brand new password' },
        'data',
      );
      const closed = await socket.next(3000).catch((error: Error) => error.message);
      const oldSession = await gql(VIEWER, {}, { token: person.token });
      const oldPassword = await gql(SIGN_IN, {
        input: { email: person.email, password: PASSWORD },
      });
      const newPassword = await gql(SIGN_IN, {
        input: { email: person.email, password: 'a brand new password' },
      });

      expect(reset).toEqual({ __typename: 'MutationResetPasswordSuccess', data: true });
      expect(String(closed)).toMatch(/4403/);
      expect(oldSession.status).toBe(401);
      expect(oldPassword.body.data.signIn.__typename).toBe('InvalidCredentialsError');
      expect(newPassword.body.data.signIn.__typename).toBe('MutationSignInSuccess');
      expect(await auditActions(person.rowId)).toContain('account.password_reset');
    });

    test('rejects a reused reset token', async () => {
      const person = await signUp();
      await mutation('requestPasswordReset', { email: person.email }, 'data');
      const { token } = await latestMail(person.email);

      const first = await mutation(
        'resetPassword',
        { token, newPassword: 'first new password' },
        'data',
      );
      const second = await mutation(
        'resetPassword',
        { token, newPassword: 'second new password' },
        'data',
      );
      const signInWithFirst = await gql(SIGN_IN, {
        input: { email: person.email, password: 'first new password' },
      });

      expect(first.__typename).toBe('MutationResetPasswordSuccess');
      expect(second.__typename).toBe('ValidationError');
      expect(signInWithFirst.body.data.signIn.__typename).toBe('MutationSignInSuccess');
    });

    test('rejects an expired reset token', async () => {
      const person = await signUp();
      await mutation('requestPasswordReset', { email: person.email }, 'data');
      const { token } = await latestMail(person.email);
      await db()
        .update(accountTokens)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(
          and(eq(accountTokens.userId, person.rowId), eq(accountTokens.purpose, 'reset_password')),
        );

      const result = await mutation(
        'resetPassword',
        { token, newPassword: 'never applied 123' },
        'data',
      );
      const viewer = await gql(VIEWER, {}, { token: person.token });

      expect(result.__typename).toBe('ValidationError');
      expect(viewer.status).toBe(200);
      expect(viewer.body.data.viewer.id).toBe(person.id);
    });

    test('issues a token valid for one hour', async () => {
      const person = await signUp();
      await mutation('requestPasswordReset', { email: person.email }, 'data');

      const [stored] = await db()
        .select()
        .from(accountTokens)
        .where(
          and(eq(accountTokens.userId, person.rowId), eq(accountTokens.purpose, 'reset_password')),
        );
      const minutes = (Date.parse(stored?.expiresAt ?? '') - Date.now()) / 60_000;

      expect(minutes).toBeGreaterThan(59);
      expect(minutes).toBeLessThanOrEqual(60);
    });
  });

  describe('changePassword', () => {
    test('checks the current password', async () => {
      const person = await signUp();

      const result = await mutation(
        'changePassword',
        { currentPassword: 'not the password', newPassword: 'another password 1' },
        'data',
        person,
      );
      const signInWithOld = await gql(SIGN_IN, {
        input: { email: person.email, password: PASSWORD },
      });

      expect(result.__typename).toBe('InvalidCredentialsError');
      expect(signInWithOld.body.data.signIn.__typename).toBe('MutationSignInSuccess');
    });

    test('ends other sign-ins and keeps this one', async () => {
      const person = await signUp();
      const otherToken = await signIn(person.email);

      const result = await mutation(
        'changePassword',
        { currentPassword: PASSWORD, newPassword: 'another password 2' },
        'data',
        person,
      );
      const current = await gql(VIEWER, {}, { token: person.token });
      const other = await gql(VIEWER, {}, { token: otherToken });

      expect(result.__typename).toBe('MutationChangePasswordSuccess');
      expect(current.body.data.viewer.id).toBe(person.id);
      expect(other.status).toBe(401);
      expect(await auditActions(person.rowId)).toContain('account.password_changed');
    });

    test('limits password checks per account', async () => {
      const person = await signUp();
      const aliases = Array.from(
        { length: 11 },
        (_, index) =>
          `a${index}: changePassword(input: $input) { __typename ... on RateLimitedError { retryAfterSeconds } }`,
      ).join('\n');

      const result = await gql(
        `mutation($input: ChangePasswordInput!) { ${aliases} }`,
        { input: { currentPassword: 'wrong wrong wrong', newPassword: 'another password 3' } },
        { token: person.token },
      );
      const types = Object.values(result.body.data).map((value: Json) => value.__typename);

      expect(types.slice(0, 10)).toEqual(Array(10).fill('InvalidCredentialsError'));
      expect(types[10]).toBe('RateLimitedError');
      expect(result.body.data.a10.retryAfterSeconds).toBeGreaterThan(0);
    });
  });

  describe('rate limits', () => {
    test('signIn stops after ten attempts on one email, aliases included', async () => {
      const person = await signUp();
      const aliases = Array.from(
        { length: 11 },
        (_, index) =>
          `a${index}: signIn(input: $input) { __typename ... on RateLimitedError { retryAfterSeconds } }`,
      ).join('\n');

      const address = newAddress();
      const result = await gql(
        `mutation($input: SignInInput!) { ${aliases} }`,
        { input: { email: person.email, password: 'wrong password!!' } },
        { address },
      );
      const rightPassword = await gql(
        SIGN_IN,
        { input: { email: person.email.toUpperCase(), password: PASSWORD } },
        { address },
      );
      // The guesses came from one address: the owner, elsewhere, is not locked out.
      const fromElsewhere = await gql(SIGN_IN, {
        input: { email: person.email, password: PASSWORD },
      });
      const types = Object.values(result.body.data).map((value: Json) => value.__typename);

      expect(types.slice(0, 10)).toEqual(Array(10).fill('InvalidCredentialsError'));
      expect(types[10]).toBe('RateLimitedError');
      expect(result.body.data.a10.retryAfterSeconds).toBeGreaterThan(0);
      expect(rightPassword.body.data.signIn.__typename).toBe('RateLimitedError');
      expect(fromElsewhere.body.data.signIn.__typename).toBe('MutationSignInSuccess');
    });

    test('signIn counts each operation of a batch', async () => {
      const person = await signUp();
      const operation = {
        query: 'mutation($input: SignInInput!) { signIn(input: $input) { __typename } }',
        variables: { input: { email: person.email, password: 'wrong password!!' } },
      };

      const address = newAddress();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify(Array(10).fill(operation)),
      });
      const results = await response.json();
      const next = await gql(
        SIGN_IN,
        { input: { email: person.email, password: PASSWORD } },
        { address },
      );
      const types = results.map((result: Json) => result.data.signIn.__typename);

      expect(types).toEqual(Array(10).fill('InvalidCredentialsError'));
      expect(next.body.data.signIn.__typename).toBe('RateLimitedError');
    });

    test('signIn stops after fifty attempts from one address', async () => {
      const address = newAddress();
      const batch = (offset: number) =>
        Array.from(
          { length: 17 },
          (_, index) =>
            `a${index}: signIn(input: { email: "guess${offset + index}@example.org", password: "guess guess" }) { __typename }`,
        ).join('\n');

      const types: string[] = [];
      for (const offset of [0, 17, 34]) {
        const result = await gql(`mutation { ${batch(offset)} }`, {}, { address });
        types.push(...Object.values(result.body.data).map((value: Json) => value.__typename));
      }

      expect(types.slice(0, 50)).toEqual(Array(50).fill('InvalidCredentialsError'));
      expect(types[50]).toBe('RateLimitedError');
    });

    test('correct sign-ins spend no attempts', async () => {
      const address = newAddress();
      const person = await signUp();
      const signIn = (password: string) =>
        gql(
          'mutation($input: SignInInput!) { signIn(input: $input) { __typename } }',
          { input: { email: person.email, password, session: 'BEARER' } },
          { address },
        );

      const types: string[] = [];
      for (let attempt = 0; attempt < 15; attempt += 1) {
        types.push((await signIn(PASSWORD)).body.data.signIn.__typename);
      }
      const wrong: string[] = [];
      for (let attempt = 0; attempt < 11; attempt += 1) {
        wrong.push((await signIn('not the password')).body.data.signIn.__typename);
      }

      expect(types).toEqual(Array(15).fill('MutationSignInSuccess'));
      expect(wrong.slice(0, 10)).toEqual(Array(10).fill('InvalidCredentialsError'));
      expect(wrong[10]).toBe('RateLimitedError');
    });

    test('signUp stops after twenty from one address', async () => {
      const address = newAddress();
      const batch = (offset: number, count: number) =>
        Array.from(
          { length: count },
          (_, index) =>
            `a${index}: signUp(input: { email: "burst${offset + index}@example.org", password: "burst password", displayName: "Burst" }) { __typename }`,
        ).join('\n');

      const first = await gql(`mutation { ${batch(0, 11)} }`, {}, { address });
      const second = await gql(`mutation { ${batch(11, 10)} }`, {}, { address });
      const types = [first, second].flatMap((result) =>
        Object.values(result.body.data).map((value: Json) => value.__typename),
      );
      const [created] = await db()
        .select({ count: sql<number>`count(*)::int` })
        .from(users)
        .where(sql`${users.email} like 'burst%'`);

      expect(types.slice(0, 20)).toEqual(Array(20).fill('MutationSignUpSuccess'));
      expect(types[20]).toBe('RateLimitedError');
      expect(created?.count).toBe(20);
    });

    test('requestPasswordReset stops after five mails to one email', async () => {
      const person = await signUp();
      const aliases = Array.from(
        { length: 6 },
        (_, index) => `a${index}: requestPasswordReset(input: $input) { __typename }`,
      ).join('\n');

      const result = await gql(`mutation($input: RequestPasswordResetInput!) { ${aliases} }`, {
        input: { email: person.email },
      });
      const types = Object.values(result.body.data).map((value: Json) => value.__typename);
      const [mails] = await db()
        .select({ count: sql<number>`count(*)::int` })
        .from(mailOutbox)
        .where(
          and(eq(mailOutbox.recipient, person.email), sql`${mailOutbox.subject} like 'Reset%'`),
        );

      expect(types.slice(0, 5)).toEqual(Array(5).fill('MutationRequestPasswordResetSuccess'));
      expect(types[5]).toBe('RateLimitedError');
      expect(mails?.count).toBe(5);
    });

    test('token mutations stop after thirty from one address', async () => {
      const address = newAddress();
      const batch = (count: number) =>
        Array.from(
          { length: count },
          (_, index) =>
            `a${index}: verifyEmail(input: { token: "${'x'.repeat(40)}${index}" }) { __typename }`,
        ).join('\n');

      const first = await gql(`mutation { ${batch(16)} }`, {}, { address });
      const second = await gql(`mutation { ${batch(15)} }`, {}, { address });
      const types = [first, second].flatMap((result) =>
        Object.values(result.body.data).map((value: Json) => value.__typename),
      );

      expect(types.slice(0, 30)).toEqual(Array(30).fill('ValidationError'));
      expect(types[30]).toBe('RateLimitedError');
    });
  });

  describe('sign-ins and API tokens', () => {
    const LIST = `{ viewer { signIns { id kind userAgent createdAt lastUsedAt expiresAt current }
      apiTokens { id name scopes createdAt lastUsedAt expiresAt } } }`;

    test('lists the viewer’s sign-ins', async () => {
      const person = await signUp();
      const second = await signIn(person.email);
      await gql(VIEWER, {}, { token: second });

      const result = await gql(LIST, {}, { token: person.token });
      const signIns = result.body.data.viewer.signIns;
      const current = signIns.filter((entry: Json) => entry.current);

      expect(signIns).toHaveLength(2);
      expect(current).toHaveLength(1);
      expect(signIns[0].userAgent).toBe('lifecycle-test/1.0');
      expect(signIns.every((entry: Json) => entry.lastUsedAt !== null)).toBe(true);
      expect(signIns.map((entry: Json) => entry.kind)).toEqual(['BEARER', 'BEARER']);
    });

    test('hides sign-ins of other people', async () => {
      const person = await signUp();
      const other = await signUp();

      const result = await gql(
        'query($id: ID!) { node(id: $id) { ... on User { signIns { id } apiTokens { id } } } }',
        { id: other.id },
        { token: person.token },
      );

      expect(result.body.data.node.signIns).toBeNull();
      expect(result.body.data.node.apiTokens).toBeNull();
    });

    test('revoked sign-in stops working', async () => {
      const person = await signUp();
      const second = await signIn(person.email);
      const list = await gql(LIST, {}, { token: person.token });
      const target = list.body.data.viewer.signIns.find((entry: Json) => !entry.current);

      const revoked = await mutation('revokeSignIn', { id: target.id }, 'data { id }', person);
      const after = await gql(VIEWER, {}, { token: second });
      const still = await gql(VIEWER, {}, { token: person.token });

      expect(revoked.data.id).toBe(target.id);
      expect(after.status).toBe(401);
      expect(still.body.data.viewer.id).toBe(person.id);
    });

    test('revoking another person’s sign-in is not found', async () => {
      const person = await signUp();
      const other = await signUp();
      const list = await gql(LIST, {}, { token: other.token });
      const target = list.body.data.viewer.signIns[0];

      const result = await mutation('revokeSignIn', { id: target.id }, 'data { id }', person);
      const otherStill = await gql(VIEWER, {}, { token: other.token });

      expect(result.__typename).toBe('NotFoundError');
      expect(otherStill.body.data.viewer.id).toBe(other.id);
    });

    test('creates an API token shown once', async () => {
      const person = await signUp();

      const created = await mutation(
        'createApiToken',
        { name: 'Gradebook sync', scopes: ['READ'], expiresInDays: 30 },
        'data { token apiToken { id name scopes expiresAt } }',
        person,
      );
      const token = created.data.token;
      const viaToken = await gql(VIEWER, {}, { token });
      const list = await gql(LIST, {}, { token: person.token });
      const [stored] = await db()
        .select()
        .from(authSessions)
        .where(eq(authSessions.tokenHash, createHash('sha256').update(token).digest('hex')));
      const days = (Date.parse(created.data.apiToken.expiresAt) - Date.now()) / 86_400_000;

      expect(created.data.apiToken.scopes).toEqual(['READ']);
      expect(viaToken.body.data.viewer.id).toBe(person.id);
      expect(list.body.data.viewer.apiTokens.map((entry: Json) => entry.name)).toEqual([
        'Gradebook sync',
      ]);
      expect(list.body.data.viewer.signIns).toHaveLength(1);
      expect(stored?.kind).toBe('api_token');
      expect(stored?.scopes).toEqual(['read']);
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThanOrEqual(30);
    });

    test('rejects token creation with an API token', async () => {
      const person = await signUp();
      const created = await mutation(
        'createApiToken',
        { name: 'Writer', scopes: ['READ', 'WRITE'] },
        'data { token }',
        person,
      );

      const result = await mutation(
        'createApiToken',
        { name: 'Minted', scopes: ['READ', 'WRITE'] },
        'data { token }',
        { token: created.data.token },
      );
      const list = await gql(LIST, {}, { token: person.token });

      expect(result.__typename).toBe('ForbiddenError');
      expect(list.body.data.viewer.apiTokens).toHaveLength(1);
    });

    test('rejects an expiry outside 1 to 365 days', async () => {
      const person = await signUp();

      const tooShort = await mutation(
        'createApiToken',
        { name: 'Short', scopes: ['READ'], expiresInDays: 0 },
        'data { token }',
        person,
      );
      const tooLong = await mutation(
        'createApiToken',
        { name: 'Long', scopes: ['READ'], expiresInDays: 366 },
        'data { token }',
        person,
      );
      const list = await gql(LIST, {}, { token: person.token });

      expect(tooShort.__typename).toBe('ValidationError');
      expect(tooLong.__typename).toBe('ValidationError');
      expect(list.body.data.viewer.apiTokens).toEqual([]);
    });

    test('revoked API token stops working', async () => {
      const person = await signUp();
      const other = await signUp();
      const created = await mutation(
        'createApiToken',
        { name: 'Temporary', scopes: ['READ'] },
        'data { token apiToken { id } }',
        person,
      );

      const foreign = await mutation(
        'revokeApiToken',
        { id: created.data.apiToken.id },
        'data { id }',
        other,
      );
      const stillWorks = await gql(VIEWER, {}, { token: created.data.token });
      const revoked = await mutation(
        'revokeApiToken',
        { id: created.data.apiToken.id },
        'data { id }',
        person,
      );
      const after = await gql(VIEWER, {}, { token: created.data.token });

      expect(foreign.__typename).toBe('NotFoundError');
      expect(stillWorks.body.data.viewer.id).toBe(person.id);
      expect(revoked.__typename).toBe('MutationRevokeApiTokenSuccess');
      expect(after.status).toBe(401);
    });

    test('signOutEverywhere ends every sign-in', async () => {
      const person = await signUp();
      const second = await signIn(person.email);
      const apiToken = await mutation(
        'createApiToken',
        { name: 'Stays', scopes: ['READ'] },
        'data { token }',
        person,
      );
      const socket = collect(
        server.socket({ token: second }),
        'subscription { viewerNotifications { eventId } }',
      );
      await socket.settle(300);

      const result = await mutation('signOutEverywhere', null, 'data', person);
      const closed = await socket.next(3000).catch((error: Error) => error.message);
      const first = await gql(VIEWER, {}, { token: person.token });
      const other = await gql(VIEWER, {}, { token: second });
      const viaApiToken = await gql(VIEWER, {}, { token: apiToken.data.token });

      expect(result.data).toBe(2);
      expect(String(closed)).toMatch(/4403/);
      expect(first.status).toBe(401);
      expect(other.status).toBe(401);
      expect(viaApiToken.body.data.viewer.id).toBe(person.id);
    });
  });

  describe('updateProfile', () => {
    test('changes name, bio and badge visibility', async () => {
      const person = await signUp();

      const result = await mutation(
        'updateProfile',
        { displayName: '  Ms. Rivera ', bio: 'Grade 4 science', badgesPublic: false },
        'data { displayName bio badgesPublic }',
        person,
      );

      expect(result.data).toEqual({
        displayName: 'Ms. Rivera',
        bio: 'Grade 4 science',
        badgesPublic: false,
      });
      expect(await auditActions(person.rowId)).toContain('account.profile_updated');
    });

    test('changes nothing on invalid input', async () => {
      const person = await signUp({ displayName: 'Unchanged' });

      const result = await mutation(
        'updateProfile',
        { displayName: 'x'.repeat(81), bio: 'New bio' },
        'data { displayName }',
        person,
      );
      const viewer = await gql('{ viewer { displayName bio } }', {}, { token: person.token });

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues[0].path).toEqual(['displayName']);
      expect(viewer.body.data.viewer).toEqual({ displayName: 'Unchanged', bio: '' });
    });
  });

  async function createCommunity(owner: Person, name: string): Promise<string> {
    const result = await mutation(
      'createCommunity',
      { name, focus: 'STEM', visibility: 'PUBLIC' },
      'data { id }',
      owner,
    );
    return result.data.id;
  }

  async function writeThreadAndPost(author: Person, communityId: string) {
    const thread = await mutation(
      'createThread',
      { communityId, title: `Thread by ${author.email}`, body: 'Thread body text' },
      'data { id }',
      author,
    );
    const post = await mutation(
      'createPost',
      { threadId: thread.data.id, body: `Reply by ${author.email}` },
      'data { id }',
      author,
    );
    return { threadId: thread.data.id, postId: post.data.id };
  }

  describe('account export', () => {
    test('requires a sign-in', async () => {
      const anonymous = await fetch(`${server.url}/account/export`);
      const badToken = await fetch(`${server.url}/account/export`, {
        headers: { authorization: `Bearer ${'x'.repeat(43)}` },
      });

      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: expect.stringMatching(/Sign in/) });
      expect(badToken.status).toBe(401);
    });

    test('ignores the cookie from another site', async () => {
      const person = await signUp();
      const signedIn = await gql(
        'mutation($input: SignInInput!) { signIn(input: $input) { __typename } }',
        { input: { email: person.email, password: PASSWORD, session: 'COOKIE' } },
      );
      const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

      const sameSite = await fetch(`${server.url}/account/export`, { headers: { cookie } });
      const crossSite = await fetch(`${server.url}/account/export`, {
        headers: { cookie, origin: 'https://evil.example.com' },
      });

      expect(sameSite.status).toBe(200);
      expect(crossSite.status).toBe(401);
    });

    test('downloads the person’s data', async () => {
      const person = await signUp({ displayName: 'Exporter' });
      const communityId = await createCommunity(person, 'Export Circle');
      const { postId } = await writeThreadAndPost(person, communityId);
      await gql(
        'mutation($input: ReactInput!) { react(input: $input) { __typename } }',
        { input: { postId, kind: 'LIKE', active: true } },
        { token: person.token },
      );
      await db()
        .insert(notifications)
        .values({ userId: person.rowId, kind: 'reply', subject: { communityId: 1 } });

      const response = await fetch(`${server.url}/account/export`, {
        headers: { authorization: `Bearer ${person.token}` },
      });
      const text = await response.text();
      const data = JSON.parse(text);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toMatch(
        /^attachment; filename=".*\.json"$/,
      );
      expect(data.profile.email).toBe(person.email);
      expect(data.profile.displayName).toBe('Exporter');
      expect(data.memberships.map((entry: Json) => entry.communityName)).toEqual(['Export Circle']);
      expect(data.threads).toHaveLength(1);
      expect(data.threads[0].body).toBe('Thread body text');
      expect(data.posts.map((entry: Json) => entry.body)).toEqual([`Reply by ${person.email}`]);
      expect(data.reactions.map((entry: Json) => entry.kind)).toEqual(['like']);
      expect(data.notifications).toHaveLength(1);
      expect(data.signIns.length).toBeGreaterThan(0);
      expect(data.auditEntries.map((entry: Json) => entry.action)).toContain('account.created');
      expect(data).toHaveProperty('rsvps');
      expect(data).toHaveProperty('badgeAwards');
      expect(text).not.toMatch(/tokenHash|passwordHash|token_hash|password_hash/);
      expect(text).not.toContain(person.token);
    });
  });

  describe('deleteAccount', () => {
    const THREAD = `query($id: ID!) { node(id: $id) { ... on Thread { title body author { id }
      posts { nodes { body deleted author { id } } } } } }`;

    test('rejects a wrong password and changes nothing', async () => {
      const person = await signUp();

      const result = await mutation(
        'deleteAccount',
        { password: 'not my password' },
        'data',
        person,
      );
      const viewer = await gql(VIEWER, {}, { token: person.token });

      expect(result.__typename).toBe('InvalidCredentialsError');
      expect(viewer.body.data.viewer.id).toBe(person.id);
    });

    test('refuses the only owner of a community with members', async () => {
      const owner = await signUp();
      const member = await signUp();
      const communityId = await createCommunity(owner, 'Robotics Guild');
      await gql(
        'mutation($input: CommunityIdInput!) { joinCommunity(input: $input) { __typename } }',
        { input: { communityId } },
        { token: member.token },
      );

      const result = await mutation('deleteAccount', { password: PASSWORD }, 'data', owner);
      const viewer = await gql(VIEWER, {}, { token: owner.token });

      expect(result.__typename).toBe('ConflictError');
      expect(result.message).toContain('"Robotics Guild"');
      expect(viewer.body.data.viewer.id).toBe(owner.id);
    });

    test('refuses the only admin of a district', async () => {
      const admin = await signUp();
      const [district] = await db()
        .insert(districts)
        .values({ slug: `lone-admin-${admin.rowId}`, name: 'Lone Admin District' })
        .returning({ id: districts.id });
      await db()
        .insert(districtAdmins)
        .values({ districtId: district?.id as number, userId: admin.rowId });

      const result = await mutation('deleteAccount', { password: PASSWORD }, 'data', admin);
      const viewer = await gql(VIEWER, {}, { token: admin.token });

      expect(result.__typename).toBe('ConflictError');
      expect(result.message).toContain('"Lone Admin District"');
      expect(viewer.body.data.viewer.id).toBe(admin.id);
    });

    test('rejects a typed email of another account', async () => {
      const person = await signUp();

      const result = await mutation(
        'deleteAccount',
        { password: PASSWORD, email: 'someone.else@example.org' },
        'data',
        person,
      );
      const viewer = await gql(VIEWER, {}, { token: person.token });

      expect(result.__typename).toBe('ValidationError');
      expect(viewer.body.data.viewer.id).toBe(person.id);
    });

    test('keeps posts under a deleted user', async () => {
      const owner = await signUp();
      const person = await signUp();
      const communityId = await createCommunity(owner, 'Keepers');
      await gql(
        'mutation($input: CommunityIdInput!) { joinCommunity(input: $input) { __typename } }',
        { input: { communityId } },
        { token: person.token },
      );
      const { threadId } = await writeThreadAndPost(person, communityId);
      const socket = collect(
        server.socket({ token: person.token }),
        'subscription { viewerNotifications { eventId } }',
      );
      await socket.settle(300);

      const result = await mutation('deleteAccount', { password: PASSWORD }, 'data', person);
      const closed = await socket.next(3000).catch((error: Error) => error.message);
      const thread = await gql(THREAD, { id: threadId }, { token: owner.token });
      const after = await gql(VIEWER, {}, { token: person.token });
      const [row] = await db().select().from(users).where(eq(users.id, person.rowId));
      const [deletion] = await db()
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'account.deleted'))
        .orderBy(desc(auditLog.id))
        .limit(1);

      expect(result).toEqual({ __typename: 'MutationDeleteAccountSuccess', data: true });
      expect(String(closed)).toMatch(/4403/);
      expect(after.status).toBe(401);
      expect(row).toBeUndefined();
      expect(thread.body.data.node.author).toBeNull();
      expect(thread.body.data.node.body).toBe('Thread body text');
      expect(thread.body.data.node.posts.nodes[0].author).toBeNull();
      expect(thread.body.data.node.posts.nodes[0].body).toBe(`Reply by ${person.email}`);
      expect(deletion?.details).toMatchObject({ userId: person.rowId, erasedPosts: false });
    });

    test('erases posts when asked', async () => {
      const owner = await signUp();
      const person = await signUp();
      const communityId = await createCommunity(owner, 'Erasers');
      await gql(
        'mutation($input: CommunityIdInput!) { joinCommunity(input: $input) { __typename } }',
        { input: { communityId } },
        { token: person.token },
      );
      const { threadId, postId } = await writeThreadAndPost(person, communityId);

      const result = await mutation(
        'deleteAccount',
        { password: PASSWORD, erasePosts: true },
        'data',
        person,
      );
      const thread = await gql(THREAD, { id: threadId }, { token: owner.token });
      const writing = await db()
        .select({ body: posts.body })
        .from(posts)
        .where(sql`${posts.body} like ${`%${person.email}%`}`);
      const [threadRow] = await db()
        .select()
        .from(threads)
        .where(sql`${threads.title} like ${`%${person.email}%`}`);

      expect(result.__typename).toBe('MutationDeleteAccountSuccess');
      expect(postId).toBeTruthy();
      expect(thread.body.data.node.title).toBe('[deleted]');
      expect(thread.body.data.node.body).toBe('');
      expect(thread.body.data.node.author).toBeNull();
      expect(thread.body.data.node.posts.nodes[0].deleted).toBe(true);
      expect(thread.body.data.node.posts.nodes[0].body).toBe('');
      expect(writing).toEqual([]);
      expect(threadRow).toBeUndefined();
    });

    test('confirms a single sign-on account by email', async () => {
      const [user] = await db()
        .insert(users)
        .values({ email: 'sso-only@example.org', displayName: 'Sso Only', passwordHash: null })
        .returning();
      if (!user) {
        throw new Error('Inserting the single sign-on account returned no row');
      }
      const { token } = await createAuthSession(db(), user, 'bearer');
      const person = { token };

      const wrong = await mutation('deleteAccount', { email: 'other@example.org' }, 'data', person);
      const right = await mutation(
        'deleteAccount',
        { email: 'SSO-Only@example.org' },
        'data',
        person,
      );
      const [row] = await db().select().from(users).where(eq(users.id, user.id));

      expect(wrong.__typename).toBe('ValidationError');
      expect(wrong.issues[0].path).toEqual(['email']);
      expect(right.__typename).toBe('MutationDeleteAccountSuccess');
      expect(row).toBeUndefined();
    });
  });
});
