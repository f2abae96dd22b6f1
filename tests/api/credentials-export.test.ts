/**
 * Signed Open Badges 3.0 credentials of badge awards: the export validates against the official
 * JSON Schema and verifies through POST /credentials/verify, a changed field fails, private awards
 * stay private, server processes share one signing key, and retired keys still verify.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeGlobalID } from '@pothos/plugin-relay';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { isNull } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { badgeAwards, badges, communities, credentialKeys } from '../../drizzle/tables/index.ts';
import { createSecretBox } from '../../server/auth/secret-box.ts';
import { loadConfig } from '../../server/config.ts';
import { ensureCredentialKey, retireCredentialKey } from '../../server/credentials/key-ring.ts';
import { generateIssuerKey } from '../../server/credentials/keys.ts';
import { hashEmailIdentity } from '../../server/credentials/open-badge.ts';
import { createLogger } from '../../server/log.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { requireServicesStrictly, servicesAvailable } from '../helpers/services.ts';

const SCHEMA_DIR = resolve(
  process.env.OPEN_BADGES_SCHEMA_DIR ??
    join(import.meta.dirname, '../../../shared/testdata/openbadges-3.0'),
);
const SCHEMA_FILE = join(SCHEMA_DIR, 'achievementcredential.json');
const schemaMissing = !existsSync(SCHEMA_FILE);
if (schemaMissing && !requireServicesStrictly()) {
  console.warn(`Skipping the schema check: ${SCHEMA_FILE} is missing`);
}

async function getJson(
  server: TestServer,
  path: string,
  token?: string,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: await response.json() };
}

async function verify(server: TestServer, credential: unknown): Promise<Json> {
  const response = await fetch(`${server.url}/credentials/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credential),
  });
  expect(response.status).toBe(200);
  return response.json();
}

describe.each(await databaseKinds())('award credentials on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let facilitator: { id: string; token: string; email: string };
  let member: { id: string; token: string; email: string };
  let outsider: { id: string; token: string; email: string };
  let community: { id: string; slug: string };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // One trusted proxy, so that the verification tests send their own client addresses.
    server = await startTestServer({ database, env: { TRUST_PROXY: '1' } });
    facilitator = await signUpUser(server, { displayName: 'Fern Facilitator' });
    member = await signUpUser(server, { displayName: 'Mo Member' });
    outsider = await signUpUser(server, { displayName: 'Oda Outside' });
    community = await createCommunityWithMembers(
      server,
      facilitator.token,
      { name: 'Open Credentials', focus: 'STEM', visibility: 'PUBLIC' },
      [member.token],
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function awardNew(fields: Record<string, unknown> = {}): Promise<string> {
    const created = await server.graphql(
      `mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
        __typename ... on Error { message } ... on MutationCreateBadgeSuccess { data { id } } } }`,
      {
        input: {
          communityId: community.id,
          name: `Lab safety lead ${Math.random().toString(36).slice(2, 8)}`,
          description: 'Leads the lab safety walkthrough for new staff.',
          criteria: 'Run two walkthroughs with new staff and share the checklist.',
          isteStandards: ['LEADER', 'ANALYST'],
          ...fields,
        },
      },
      { token: facilitator.token },
    );
    const badgeId = created.body.data.createBadge.data.id;
    const award = await mutate(
      server,
      'awardBadge',
      'AwardBadgeInput',
      { badgeId, recipientId: member.id },
      'id',
      facilitator.token,
    );
    return award.id;
  }

  const credentialPath = (awardId: string) =>
    `/credentials/awards/${encodeURIComponent(awardId)}.json`;

  test('an award exports a schema-valid credential that verifies', async () => {
    const awardId = await awardNew({ kind: 'MICROCREDENTIAL', validForDays: 365 });
    const exported = await getJson(server, credentialPath(awardId));
    const credential = exported.body;
    const achievement = credential.credentialSubject.achievement;
    const identifier = credential.credentialSubject.identifier[0];
    const again = await getJson(server, credentialPath(awardId), member.token);
    const checked = await verify(server, credential);
    const profile = await getJson(server, `/issuers/communities/${community.slug}`);
    const methodPath = new URL(credential.proof[0].verificationMethod).pathname;
    const key = await getJson(server, methodPath);

    expect(exported.status).toBe(200);
    expect(credential.issuer.id).toMatch(new RegExp(`/issuers/communities/${community.slug}$`));
    expect(achievement.achievementType).toBe('MicroCredential');
    expect(achievement.alignment.map((item: Json) => item.targetName)).toEqual(
      expect.arrayContaining(['Leader', 'Analyst']),
    );
    expect(achievement.alignment[0]).toMatchObject({
      targetType: 'ext:FrameworkStandard',
      targetFramework: 'ISTE Standards for Educators',
      targetUrl: 'https://iste.org/standards/educators',
    });
    expect(typeof credential.validUntil).toBe('string');
    expect(identifier.identityHash).toBe(hashEmailIdentity(member.email, identifier.salt));
    expect(again.body.credentialSubject.identifier[0].salt).toBe(identifier.salt);
    expect(checked).toMatchObject({
      verified: true,
      proofValid: true,
      problems: [],
      revoked: false,
      expired: false,
      notYetValid: false,
      recipientHashed: true,
      issuer: { id: credential.issuer.id, name: 'Open Credentials' },
      achievement: { name: achievement.name },
    });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: credential.issuer.id, type: ['Profile'] });
    expect(profile.body.assertionMethod).toContain(credential.proof[0].verificationMethod);
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({
      type: 'Multikey',
      id: credential.proof[0].verificationMethod,
      controller: credential.issuer.id,
    });
    expect(key.body.secretKeyMultibase).toBeUndefined();
    if (!schemaMissing) {
      const ajv = new Ajv2019({ allErrors: true, strict: false });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
      expect(validate(credential), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  test('a changed field or a foreign key fails verification', async () => {
    const awardId = await awardNew();
    const { body: credential } = await getJson(server, credentialPath(awardId));
    const renamed = structuredClone(credential);
    renamed.credentialSubject.achievement.name = 'Something else';
    const later = structuredClone(credential);
    later.validFrom = '2020-01-01T00:00:00Z';
    const foreignKey = structuredClone(credential);
    foreignKey.proof[0].verificationMethod = 'https://elsewhere.example/keys/key-1';

    expect((await verify(server, credential)).verified).toBe(true);
    expect((await verify(server, renamed)).verified).toBe(false);
    expect((await verify(server, later)).verified).toBe(false);
    const foreign = await verify(server, foreignKey);
    expect(foreign.verified).toBe(false);
    expect(foreign.proofValid).toBe(false);
    expect(foreign.problems.map((problem: Json) => problem.code)).toEqual(['unknown_key']);
  });

  test('a revoked award still exports and verifies as revoked', async () => {
    const awardId = await awardNew();
    await server.graphql(
      `mutation($input: RevokeBadgeAwardInput!) { revokeBadgeAward(input: $input) { __typename } }`,
      { input: { awardId, reason: 'Awarded by mistake' } },
      { token: facilitator.token },
    );
    const exported = await getJson(server, credentialPath(awardId), member.token);
    const checked = await verify(server, exported.body);

    expect(exported.status).toBe(200);
    expect(checked).toMatchObject({ verified: false, proofValid: true, revoked: true });
    expect(checked.problems.map((problem: Json) => problem.code)).toEqual(['revoked']);
  });

  test("a private community's award is only for its recipient", async () => {
    const db = server.database.db;
    const [privateCommunity] = await db
      .insert(communities)
      .values({
        name: 'Closed Credentials',
        slug: `closed-credentials-${kind}`,
        focus: 'stem',
        visibility: 'private',
        listed: false,
      })
      .returning({ id: communities.id });
    const [badge] = await db
      .insert(badges)
      .values({
        communityId: privateCommunity?.id ?? 0,
        name: 'Quiet badge',
        description: 'Given in a private community.',
        criteria: 'Attend.',
        isteStandards: ['learner'],
      })
      .returning({ id: badges.id });
    const [award] = await db
      .insert(badgeAwards)
      .values({ badgeId: badge?.id ?? 0, recipientId: rowIdOf(member.id) })
      .returning({ id: badgeAwards.id });
    const path = credentialPath(encodeGlobalID('BadgeAward', award?.id ?? 0));

    const anonymous = await getJson(server, path);
    const stranger = await getJson(server, path, outsider.token);
    const recipient = await getJson(server, path, member.token);
    const issuer = await getJson(server, `/issuers/communities/closed-credentials-${kind}`);
    const unknown = await getJson(server, '/issuers/communities/no-such-community');

    expect(anonymous.status).toBe(404);
    expect(stranger.status).toBe(404);
    expect(recipient.status).toBe(200);
    expect((await verify(server, recipient.body)).verified).toBe(true);
    expect(issuer.status).toBe(404);
    expect(unknown.status).toBe(404);
  });

  test('hidden badges are only for their recipient', async () => {
    const awardId = await awardNew();
    await mutate(
      server,
      'updateProfile',
      'UpdateProfileInput',
      { badgesPublic: false },
      'id',
      member.token,
    );
    const anonymous = await getJson(server, credentialPath(awardId));
    const recipient = await getJson(server, credentialPath(awardId), member.token);
    await mutate(
      server,
      'updateProfile',
      'UpdateProfileInput',
      { badgesPublic: true },
      'id',
      member.token,
    );

    expect(anonymous.status).toBe(404);
    expect(recipient.status).toBe(200);
  });

  test('a retired key still verifies what it signed', async () => {
    const db = server.database.db;
    const awardId = await awardNew();
    const { body: before } = await getJson(server, credentialPath(awardId));
    const oldMethod: string = before.proof[0].verificationMethod;
    const oldKeyId = oldMethod.slice(oldMethod.lastIndexOf('/') + 1);

    expect(await retireCredentialKey(db, oldKeyId)).toBe(true);
    await ensureCredentialKey(
      db,
      createSecretBox({ secretKey: undefined, dataDir: database.dataDir }),
      createLogger('silent'),
    );
    const { body: after } = await getJson(server, credentialPath(awardId));
    const profile = await getJson(server, `/issuers/communities/${community.slug}`);
    const active = await db.select().from(credentialKeys).where(isNull(credentialKeys.retiredAt));

    expect(active).toHaveLength(1);
    expect(after.proof[0].verificationMethod).not.toBe(oldMethod);
    expect(after.credentialSubject.identifier[0].salt).toBe(
      before.credentialSubject.identifier[0].salt,
    );
    expect((await verify(server, before)).verified).toBe(true);
    expect((await verify(server, after)).verified).toBe(true);
    expect(profile.body.assertionMethod).toEqual(
      expect.arrayContaining([oldMethod, after.proof[0].verificationMethod]),
    );
  });

  test('POST /credentials/verify rejects bodies over 256 KB', async () => {
    const response = await fetch(`${server.url}/credentials/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(300 * 1024) }),
    });
    expect(response.status).toBe(413);
  });

  test('verify takes images up to 1 MB', async () => {
    const post = (bytes: number) =>
      fetch(`${server.url}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: new Uint8Array(bytes),
      });

    const large = await post(600 * 1024);
    const tooLarge = await post(1100 * 1024);

    expect(large.status).toBe(400);
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error).toContain('1 MB');
  });

  describe('verification input', () => {
    let credential: Json;
    let addressCounter = 0;

    beforeAll(async () => {
      credential = (await getJson(server, credentialPath(await awardNew()))).body;
    });

    /** Posts raw bytes to POST /credentials/verify from an address no other test uses. */
    async function post(body: Uint8Array, headers: Record<string, string> = {}) {
      addressCounter += 1;
      const response = await fetch(`${server.url}/credentials/verify`, {
        method: 'POST',
        headers: { 'x-forwarded-for': `203.0.113.${addressCounter}`, ...headers },
        body: body as Uint8Array<ArrayBuffer>,
      });
      return { status: response.status, headers: response.headers, body: await response.json() };
    }

    const utf8 = (text: string) => new TextEncoder().encode(text);

    test('JSON after a byte order mark verifies', async () => {
      const withMark = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(JSON.stringify(credential))]);

      const result = await post(withMark, { 'content-type': 'application/json' });

      expect(result.status).toBe(200);
      expect(result.body.verified).toBe(true);
    });

    test('missing Content-Type is rejected', async () => {
      const result = await post(utf8(JSON.stringify(credential)));

      expect(result.status).toBe(415);
      expect(result.body.error).toMatch(/no Content-Type/);
      expect(result.body.error).toMatch(/application\/json/);
    });

    test('charsets other than UTF-8 are rejected', async () => {
      const body = utf8(JSON.stringify(credential));

      const latin1 = await post(body, { 'content-type': 'application/json; charset=iso-8859-1' });
      const utf16 = await post(body, { 'content-type': 'application/json; charset=UTF-16' });
      const explicitUtf8 = await post(body, { 'content-type': 'application/json; charset=UTF-8' });

      expect(latin1.status).toBe(415);
      expect(latin1.body.error).toMatch(/must be sent in UTF-8, not iso-8859-1/);
      expect(utf16.status).toBe(415);
      expect(explicitUtf8.status).toBe(200);
      expect(explicitUtf8.body.verified).toBe(true);
    });

    test('invalid UTF-8 is rejected', async () => {
      const result = await post(new Uint8Array([0x7b, 0xff, 0x7d]), {
        'content-type': 'application/json',
      });

      expect(result.status).toBe(400);
      expect(result.body.error).toMatch(/not valid UTF-8/);
    });

    test('rate limit per address answers 429', async () => {
      const address = '192.0.2.77';
      const send = () =>
        fetch(`${server.url}/credentials/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: '{}',
        });

      const statuses: number[] = [];
      for (let attempt = 0; attempt < 60; attempt++) {
        statuses.push((await send()).status);
      }
      const limited = await send();
      const limitedBody = await limited.json();
      const otherAddress = await post(utf8(JSON.stringify(credential)), {
        'content-type': 'application/json',
      });

      expect(statuses.every((status) => status === 400)).toBe(true);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(500);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(600);
      expect(limited.headers.get('content-type')).toMatch(/^application\/json/);
      expect(limitedBody.error).toMatch(/Too many credentials checked from this address/);
      expect(otherAddress.status).toBe(200);
    });
  });

  test('wrong credential addresses are JSON 404s', async () => {
    const paths = [
      '/issuers/communities/ELEMENTARY-makerspace-network',
      `/issuers/communities/${community.slug}/`,
      `/issuers/communities/${community.slug}/keys/`,
      `/issuers/communities/${community.slug}/keys/key-1/extra`,
      '/issuers/schools/some-school',
      '/issuers/',
      `/credentials/status/communities/${community.slug}/00`,
      '/credentials/awards/.json',
      '/credentials/awards/QmFkZ2VBd2FyZDox.txt',
      '/credentials/',
      '/credentials/verify/extra',
    ];

    for (const path of paths) {
      const response = await fetch(`${server.url}${path}`);

      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect((await response.json()).error, path).toMatch(/Nothing is published at/);
    }
  });

  test('the key ring never holds a plaintext secret', async () => {
    const rows = await server.database.db.select().from(credentialKeys);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.encryptedSecret).toMatch(/^v1\./);
      expect(JSON.stringify(row.publicKey)).not.toMatch(/secret/i);
    }
  });
});

// Two servers share a database only on the PostgreSQL server: an in-memory PGlite is one process's.
describe.skipIf(!(await servicesAvailable('postgres')))(
  'credential keys across two server processes',
  () => {
    test('two servers on one database create one active key', async () => {
      const shared = await createTestDatabase('postgres');
      try {
        const servers = await Promise.all([
          startTestServer({ database: shared }),
          startTestServer({ database: shared }),
        ]);
        try {
          const keys = await servers[0].database.db
            .select({ keyId: credentialKeys.keyId, retiredAt: credentialKeys.retiredAt })
            .from(credentialKeys);
          expect(keys).toEqual([{ keyId: 'key-1', retiredAt: null }]);

          // After a retirement, two processes replacing the key at once add and log only one.
          const lines: string[] = [];
          const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
          const secretBox = createSecretBox({ secretKey: undefined, dataDir: shared.dataDir });
          await retireCredentialKey(servers[0].database.db, 'key-1');
          await Promise.all(
            servers.map((running) => ensureCredentialKey(running.database.db, secretBox, logger)),
          );
          const active = await servers[1].database.db
            .select({ keyId: credentialKeys.keyId })
            .from(credentialKeys)
            .where(isNull(credentialKeys.retiredAt));
          expect(active).toEqual([{ keyId: 'key-2' }]);
          expect(
            lines.filter((line) => line.includes('Created a credential signing key')),
          ).toHaveLength(1);
        } finally {
          await Promise.all(servers.map((running) => running.stop()));
        }
      } finally {
        await shared.drop();
      }
    });

    test('verification rate limit spans servers', async () => {
      const shared = await createTestDatabase('postgres');
      try {
        const servers = await Promise.all([
          startTestServer({ database: shared, env: { TRUST_PROXY: '1' } }),
          startTestServer({ database: shared, env: { TRUST_PROXY: '1' } }),
        ]);
        try {
          const send = (running: TestServer) =>
            fetch(`${running.url}/credentials/verify`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.10' },
              body: '{}',
            });

          const statuses: number[] = [];
          for (let attempt = 0; attempt < 60; attempt++) {
            statuses.push((await send(servers[attempt % 2] as TestServer)).status);
          }
          const first = await send(servers[0]);
          const second = await send(servers[1]);

          expect(statuses.filter((status) => status === 429)).toEqual([]);
          expect(first.status).toBe(429);
          expect(second.status).toBe(429);
        } finally {
          await Promise.all(servers.map((running) => running.stop()));
        }
      } finally {
        await shared.drop();
      }
    });

    test('configured key becomes active', async () => {
      const seed = 'a'.repeat(64);
      const other = Buffer.alloc(32, 7).toString('base64');
      const publicKeyOf = async (hex: string) =>
        (await generateIssuerKey('urn:test', 'key-0', new Uint8Array(Buffer.from(hex, 'hex'))))
          .publicKeyMultibase;
      const shared = await createTestDatabase('postgres');
      try {
        const first = await startTestServer({ database: shared });
        await first.stop();
        const configured = await startTestServer({
          database: shared,
          env: { CREDENTIAL_SIGNING_KEY: seed },
        });
        const { db } = configured.database;
        const keys = () =>
          db
            .select({
              keyId: credentialKeys.keyId,
              publicKey: credentialKeys.publicKey,
              active: isNull(credentialKeys.retiredAt),
            })
            .from(credentialKeys)
            .orderBy(credentialKeys.id);
        try {
          const afterStart = await keys();
          const lines: string[] = [];
          const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
          const secretBox = createSecretBox({ secretKey: undefined, dataDir: shared.dataDir });
          const useSeed = (value: string) =>
            ensureCredentialKey(
              db,
              secretBox,
              logger,
              loadConfig({ CREDENTIAL_SIGNING_KEY: value }).credentialSigningSeed,
            );
          await useSeed(seed);
          const linesAfterSameSeed = lines.length;
          await useSeed(other);
          await useSeed(seed);
          const afterSwitching = await keys();

          expect(afterStart.map((key) => [key.keyId, key.active])).toEqual([
            ['key-1', false],
            ['key-2', true],
          ]);
          expect(afterStart[1]?.publicKey.publicKeyMultibase).toBe(await publicKeyOf(seed));
          expect(linesAfterSameSeed).toBe(0);
          expect(afterSwitching.map((key) => [key.keyId, key.active])).toEqual([
            ['key-1', false],
            ['key-2', true],
            ['key-3', false],
          ]);
          expect(lines.filter((line) => line.includes('configured key'))).toHaveLength(2);
        } finally {
          await configured.stop();
        }
      } finally {
        await shared.drop();
      }
    });

    test('malformed configured key rejected', () => {
      expect(() => loadConfig({ CREDENTIAL_SIGNING_KEY: 'too-short' })).toThrow(
        /CREDENTIAL_SIGNING_KEY must be 32 bytes/,
      );
    });
  },
);
