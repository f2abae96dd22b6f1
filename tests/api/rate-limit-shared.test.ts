/**
 * Rate limits count in the database, so two server processes on one PostgreSQL database share
 * them: attempts spread over both run out together.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ready = await servicesAvailable('postgres');

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on RateLimitedError { retryAfterSeconds } } }`;

describe.skipIf(!ready)('rate limits across two server processes', () => {
  let database: TestDatabase;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    first = await startTestServer({ database });
    second = await startTestServer({ database });
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await database?.drop();
  });

  test('share the sign-in count of one account', async () => {
    const person = await signUpUser(first);
    const attempt = (server: TestServer) =>
      server
        .graphql(SIGN_IN, { input: { email: person.email, password: 'not the password' } })
        .then((result) => result.body.data.signIn.__typename as string);

    const onFirst: string[] = [];
    for (let index = 0; index < 6; index++) {
      onFirst.push(await attempt(first));
    }
    const onSecond: string[] = [];
    // The correct sign-in of signUpUser gave its attempt back, so the eleventh failed attempt,
    // the fifth on the second server, is the first one refused.
    for (let index = 0; index < 5; index++) {
      onSecond.push(await attempt(second));
    }

    expect(onFirst).toEqual(Array(6).fill('InvalidCredentialsError'));
    expect(onSecond.slice(0, 4)).toEqual(Array(4).fill('InvalidCredentialsError'));
    expect(onSecond[4]).toBe('RateLimitedError');
  });
});
