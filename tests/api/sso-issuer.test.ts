/**
 * Issuers that would lead the server's discovery request into its own network are refused when
 * Staffroom runs at a public address.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { districts, oidcProviders, users } from '../../drizzle/tables/index.ts';
import { isNonPublicAddress, nonPublicAddressOf } from '../../server/auth/public-address.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';

const CONFIGURE = `mutation($input: ConfigureDistrictSsoInput!) { configureDistrictSso(input: $input) {
  __typename ... on ValidationError { issues { path message } } } }`;

describe('issuer addresses', () => {
  test.each([
    ['127.0.0.2', true],
    ['0.0.0.0', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
  ])('%s is outside the public internet: %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });

  test('resolves names before judging them', async () => {
    expect(await nonPublicAddressOf(new URL('https://localhost.:8443/'))).not.toBeNull();
    expect(await nonPublicAddressOf(new URL('https://[::ffff:127.0.0.1]:8443/'))).not.toBeNull();
    expect(await nonPublicAddressOf(new URL('https://93.184.215.14/'))).toBeNull();
  });
});

describe('configureDistrictSso at a public address', () => {
  let database: TestDatabase;
  let server: TestServer;
  let token: string;
  let districtId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({
      database,
      env: { PUBLIC_URL: 'https://staffroom.example.org' },
    });
    const admin = await signUpUser(server);
    token = admin.token;
    await server.database.db
      .update(users)
      .set({ isPlatformAdmin: true })
      .where(eq(users.email, admin.email));
    const [district] = await server.database.db
      .insert(districts)
      .values({ slug: 'public-district', name: 'Public District' })
      .returning({ id: districts.id });
    districtId = encodeGlobalID('District', district?.id as number);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test.each([
    'https://127.0.0.2:8443/',
    'https://0.0.0.0:8443/',
    'https://[::ffff:127.0.0.1]:8443/',
    'https://localhost.:8443/',
    'https://10.0.0.5/',
  ])('refuses %s before any request', async (issuer) => {
    const result = await server.graphql(
      CONFIGURE,
      { input: { districtId, issuer, clientId: 'staffroom', clientSecret: 'secret' } },
      { token },
    );
    const providers = await server.database.db.select().from(oidcProviders);

    expect(result.body.data.configureDistrictSso.__typename).toBe('ValidationError');
    expect(JSON.stringify(result.body.data.configureDistrictSso.issues)).toMatch(
      /public internet|loopback/,
    );
    expect(providers).toEqual([]);
  });
});
