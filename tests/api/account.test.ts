import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { collect, signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on MutationSignInSuccess { data { token user { id displayName email } } }
  ... on Error { message } ... on ValidationError { issues { path message } } } }`;
const VIEWER = '{ viewer { id displayName email } }';

describe.each(await databaseKinds())('accounts on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('signUp', () => {
    test('rejects a duplicate email, any case', async () => {
      await signUpUser(server, { email: 'dup@example.org' });

      const result = await server.graphql(
        'mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }',
        {
          input: { email: 'DUP@example.org', password: 'long enough password', displayName: 'Dup' },
        },
      );

      expect(result.body.data.signUp.__typename).toBe('ConflictError');
    });

    test('reports every invalid field at once', async () => {
      const result = await server.graphql(
        'mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on ValidationError { issues { path message } } } }',
        { input: { email: 'not-an-email', password: 'short', displayName: '   ' } },
      );

      const paths = result.body.data.signUp.issues.map((issue: { path: string[] }) =>
        issue.path.join('.'),
      );
      expect(result.body.data.signUp.__typename).toBe('ValidationError');
      expect(paths.sort()).toEqual(['displayName', 'email', 'password']);
    });
  });

  describe('signIn', () => {
    test('returns a bearer token that identifies the viewer', async () => {
      await signUpUser(server, {
        email: 'bea@example.org',
        displayName: 'Bea',
        password: 'bea password 123',
      });

      const result = await server.graphql(SIGN_IN, {
        input: { email: 'Bea@Example.org', password: 'bea password 123' },
      });
      const token = result.body.data.signIn.data.token;
      const viewer = await server.graphql(VIEWER, {}, { token });

      expect(token).toMatch(/^[\w-]{40,}$/);
      expect(result.body.data.signIn.data.user.email).toBe('bea@example.org');
      expect(viewer.body.data.viewer.displayName).toBe('Bea');
      expect(viewer.body.data.viewer.email).toBe('bea@example.org');
    });

    test('gives the same answer for a wrong password and an unknown email', async () => {
      await signUpUser(server, { email: 'cal@example.org', password: 'cal password 123' });

      const wrongPassword = await server.graphql(SIGN_IN, {
        input: { email: 'cal@example.org', password: 'nope nope nope' },
      });
      const unknownEmail = await server.graphql(SIGN_IN, {
        input: { email: 'nobody@example.org', password: 'nope nope nope' },
      });

      expect(wrongPassword.body.data.signIn).toEqual(unknownEmail.body.data.signIn);
      expect(wrongPassword.body.data.signIn.__typename).toBe('InvalidCredentialsError');
    });

    test('sets an httpOnly cookie for the web client', async () => {
      await signUpUser(server, {
        email: 'dee@example.org',
        displayName: 'Dee',
        password: 'dee password 123',
      });

      const result = await server.graphql(SIGN_IN, {
        input: { email: 'dee@example.org', password: 'dee password 123', session: 'COOKIE' },
      });
      const setCookie = result.headers.get('set-cookie') ?? '';
      const cookie = setCookie.split(';')[0] ?? '';
      const viewer = await server.graphql(VIEWER, {}, { cookie });
      const crossSite = await server.graphql(
        VIEWER,
        {},
        { cookie, headers: { origin: 'https://evil.example.com' } },
      );

      expect(result.body.data.signIn.data.token).toBeNull();
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      expect(viewer.body.data.viewer.displayName).toBe('Dee');
      expect(crossSite.body.data.viewer).toBeNull();
    });

    test('ignores the cookie on a form-encoded request', async () => {
      await signUpUser(server, { email: 'eve@example.org', password: 'eve password 123' });
      const signIn = await server.graphql(SIGN_IN, {
        input: { email: 'eve@example.org', password: 'eve password 123', session: 'COOKIE' },
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ query: VIEWER }).toString(),
      });
      const body = await response.json();

      expect(body.data?.viewer ?? null).toBeNull();
    });
  });

  describe('signOut', () => {
    test('closes the open sockets of that sign-in', async () => {
      const user = await signUpUser(server);
      const other = await signUpUser(server);
      const query = 'subscription { viewerNotifications { eventId } }';
      const signedOutSocket = collect(server.socket({ token: user.token }), query);
      const otherSocket = collect(server.socket({ token: other.token }), query);
      await signedOutSocket.settle(300);

      await server.graphql('mutation { signOut }', {}, { token: user.token });
      const closed = await signedOutSocket.next(3000).catch((error: Error) => error.message);
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(closed).toMatch(/4403/);
      expect(otherSocket.completed).toBe(false);
    });

    test('revokes the token on HTTP and WebSocket', async () => {
      const user = await signUpUser(server);

      const signedOut = await server.graphql('mutation { signOut }', {}, { token: user.token });
      const after = await server.graphql(VIEWER, {}, { token: user.token });
      const subscription = collect(
        server.socket({ token: user.token }),
        'subscription { viewerNotifications { eventId } }',
      );
      const socketError = await subscription.next().catch((error: Error) => error.message);

      expect(signedOut.body.data.signOut).toBe(true);
      expect(after.status).toBe(401);
      expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(String(socketError)).toMatch(/4403/);
    });
  });

  test('answers an unknown bearer token with 401', async () => {
    const result = await server.graphql(VIEWER, {}, { token: 'x'.repeat(43) });

    expect(result.status).toBe(401);
  });

  test('serves health and readiness checks', async () => {
    const health = await fetch(`${server.url}/healthz`);
    const ready = await fetch(`${server.url}/readyz`);

    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: 'ok' });
  });
});
