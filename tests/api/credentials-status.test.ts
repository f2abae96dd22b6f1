/**
 * Open Badges credentials of every kind of award: community and district issuers, awards from
 * rules, reviews and notes, expiry, the signed revocation status lists, verification results,
 * baked images and key rotation.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { encodeGlobalID } from '@pothos/plugin-relay';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  auditLog,
  badgeAwards,
  badgeRules,
  badges,
  communities,
  districtAdmins,
  districts,
  evidenceSubmissions,
  users,
} from '../../drizzle/tables/index.ts';
import { createSecretBox } from '../../server/auth/secret-box.ts';
import { bakePng, bakeSvg, crc32 } from '../../server/credentials/baking.ts';
import { activeSigningKey } from '../../server/credentials/key-ring.ts';
import type { MultikeyDocument } from '../../server/credentials/keys.ts';
import type { OpenBadgeCredential } from '../../server/credentials/open-badge.ts';
import { signCredential, verifyCredential } from '../../server/credentials/proof.ts';
import { BitstringStatusList, MIN_STATUS_LIST_BITS } from '../../server/credentials/status-list.ts';
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
import { requireServicesStrictly } from '../helpers/services.ts';

// The official 1EdTech schemas, kept beside the repository so the test runs without the network.
const SCHEMA_DIR = resolve(
  process.env.OPEN_BADGES_SCHEMA_DIR ??
    join(import.meta.dirname, '../../../shared/testdata/openbadges-3.0'),
);
const CREDENTIAL_SCHEMA = join(SCHEMA_DIR, 'achievementcredential.json');
const PROFILE_SCHEMA = join(SCHEMA_DIR, 'profile.json');
const schemaMissing = !existsSync(CREDENTIAL_SCHEMA) || !existsSync(PROFILE_SCHEMA);
const SCHEMA_MISSING_REASON = `Open Badges 3.0 JSON Schemas not found: ${CREDENTIAL_SCHEMA} or ${PROFILE_SCHEMA} is missing (set OPEN_BADGES_SCHEMA_DIR to the folder that contains them)`;
if (schemaMissing && !requireServicesStrictly()) {
  console.warn(`Skipping the schema checks: ${SCHEMA_MISSING_REASON}`);
}

const credentialPath = (awardId: string) =>
  `/credentials/awards/${encodeURIComponent(awardId)}.json`;

const XSD = 'http://www.w3.org/2001/XMLSchema#';

const codesOf = (result: Json): string[] => result.problems.map((problem: Json) => problem.code);

/** Returns the BadgeAward global id in a credential's address. */
const awardIdOf = (credential: Json): string =>
  decodeURIComponent(
    new URL(credential.id).pathname.split('/').pop()?.slice(0, -'.json'.length) ?? '',
  );

/** Builds a valid 2x2 RGB PNG from scratch. */
function samplePng(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8;
  header[9] = 2;
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** Lists the path of every leaf value of a JSON document, outside its proof. */
function leafPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => leafPaths(item, [...path, index]));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .filter(([key]) => !(path.length === 0 && key === 'proof'))
      .flatMap(([key, item]) => leafPaths(item, [...path, key]));
  }
  return [path];
}

/** Returns a copy of a document with the leaf at `path` changed. */
function changedAt(document: Json, path: (string | number)[]): Json {
  const copy = structuredClone(document);
  let parent = copy;
  for (const key of path.slice(0, -1)) {
    parent = parent[key];
  }
  const last = path[path.length - 1] as string | number;
  const value = parent[last];
  if (typeof value === 'boolean') {
    parent[last] = !value;
  } else if (typeof value === 'number') {
    parent[last] = value + 1;
  } else {
    parent[last] = `${value}x`;
  }
  return copy;
}

describe.each(await databaseKinds())('credential status and issuers on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let platformAdmin: { id: string; token: string; email: string };
  let facilitator: { id: string; token: string; email: string };
  let member: { id: string; token: string; email: string };
  let districtAdmin: { id: string; token: string; email: string };
  let staff: { id: string; token: string; email: string };
  let community: { id: string; slug: string };
  let districtId: number;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // One trusted proxy, so that each verification request names its own client address in
    // X-Forwarded-For and the tests stay under the rate limit per address.
    server = await startTestServer({ database, env: { TRUST_PROXY: '1' } });
    platformAdmin = await signUpUser(server, { displayName: 'Pia Platform' });
    facilitator = await signUpUser(server, { displayName: 'Fern Facilitator' });
    member = await signUpUser(server, { displayName: 'Mo Member' });
    districtAdmin = await signUpUser(server, { displayName: 'Dana District' });
    staff = await signUpUser(server, { displayName: 'Sam Staff' });
    const { db } = server.database;
    await db
      .update(users)
      .set({ isPlatformAdmin: true })
      .where(eq(users.id, rowIdOf(platformAdmin.id)));
    const [district] = await db
      .insert(districts)
      .values([
        { slug: 'riverbend', name: 'Riverbend Unified' },
        { slug: 'lakeside', name: 'Lakeside County' },
      ])
      .returning({ id: districts.id });
    districtId = district?.id ?? 0;
    await db.insert(districtAdmins).values({ districtId, userId: rowIdOf(districtAdmin.id) });
    for (const person of [districtAdmin, staff]) {
      await db
        .update(users)
        .set({ districtId })
        .where(eq(users.id, rowIdOf(person.id)));
    }
    community = await createCommunityWithMembers(
      server,
      facilitator.token,
      { name: 'Status Makers', focus: 'STEM', visibility: 'PUBLIC' },
      [member.token],
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  let badgeCounter = 0;

  async function createBadge(fields: Record<string, unknown> = {}, token = facilitator.token) {
    badgeCounter += 1;
    return (
      await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          communityId: community.id,
          name: `Status badge ${badgeCounter}`,
          description: 'Leads the lab safety walkthrough for new staff.',
          criteria: 'Run two walkthroughs with new staff and share the checklist.',
          isteStandards: ['LEADER', 'ANALYST'],
          ...fields,
        },
        'id',
        token,
      )
    ).id as string;
  }

  async function award(
    badgeId: string,
    recipient = member,
    fields: Record<string, unknown> = {},
    token = facilitator.token,
  ): Promise<string> {
    return (
      await mutate(
        server,
        'awardBadge',
        'AwardBadgeInput',
        { badgeId, recipientId: recipient.id, ...fields },
        'id',
        token,
      )
    ).id;
  }

  async function insertAward(
    values: Partial<typeof badgeAwards.$inferInsert> & { badgeId: number },
  ) {
    const [row] = await server.database.db
      .insert(badgeAwards)
      .values({ recipientId: rowIdOf(member.id), ...values })
      .returning({ id: badgeAwards.id });
    return encodeGlobalID('BadgeAward', row?.id ?? 0);
  }

  async function getJson(path: string, token?: string) {
    const response = await fetch(`${server.url}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  async function exported(awardId: string, token = member.token): Promise<Json> {
    const result = await getJson(credentialPath(awardId), token);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    return result.body;
  }

  let addressCounter = 0;

  /** Returns a client address that no other request of this file has used. */
  function newAddress(): string {
    addressCounter += 1;
    return `198.51.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
  }

  async function verify(
    body: unknown,
    contentType: string | null = 'application/json',
    address = newAddress(),
  ) {
    const response = await fetch(`${server.url}/credentials/verify`, {
      method: 'POST',
      headers: {
        'x-forwarded-for': address,
        ...(contentType !== null && { 'content-type': contentType }),
      },
      body:
        typeof body === 'string' || body instanceof Uint8Array
          ? (body as string | Uint8Array<ArrayBuffer>)
          : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  async function verified(credential: unknown): Promise<Json> {
    const result = await verify(credential);
    expect(result.status).toBe(200);
    return result.body;
  }

  /** Resolves a verification method by fetching it from the server over HTTP. */
  async function fetchKey(methodId: string): Promise<MultikeyDocument | null> {
    const response = await fetch(`${server.url}${new URL(methodId).pathname}`);
    return response.ok ? ((await response.json()) as MultikeyDocument) : null;
  }

  async function signingKey(issuerId: string): Promise<MultikeyDocument> {
    const secretBox = createSecretBox({ secretKey: undefined, dataDir: database.dataDir });
    const key = await activeSigningKey(server.database.db, secretBox, issuerId);
    if (!key) {
      throw new Error('No active signing key');
    }
    return key;
  }

  /** Returns a credential changed by `change` and signed again with this server's active key. */
  async function resigned(
    credential: Json,
    change: (copy: OpenBadgeCredential) => void,
  ): Promise<OpenBadgeCredential> {
    const copy = structuredClone(credential) as OpenBadgeCredential;
    delete copy.proof;
    change(copy);
    return signCredential(copy, await signingKey(copy.issuer.id));
  }

  async function statusListOf(credential: Json) {
    const path = new URL(credential.credentialStatus.statusListCredential).pathname;
    return getJson(path);
  }

  describe('issued credentials', () => {
    let districtBadgeId: string;
    const credentials: Record<string, Json> = {};

    beforeAll(async () => {
      const { db } = server.database;
      const plain = await createBadge();
      credentials.community = await exported(await award(plain));

      const noted = await createBadge({ kind: 'MICROCREDENTIAL', validForDays: 30 });
      credentials.withExpiryAndNote = await exported(
        await award(noted, member, { note: 'Ran both walkthroughs with care.' }),
      );

      const ruled = rowIdOf(await createBadge());
      const [rule] = await db
        .insert(badgeRules)
        .values({ badgeId: ruled, kind: 'sessions_attended', threshold: 3, minMinutes: 30 })
        .returning({ id: badgeRules.id });
      credentials.rule = await exported(
        await insertAward({ badgeId: ruled, source: 'rule', ruleId: rule?.id ?? 0 }),
      );

      const reviewed = rowIdOf(await createBadge({ kind: 'MICROCREDENTIAL' }));
      const [submission] = await db
        .insert(evidenceSubmissions)
        .values({ badgeId: reviewed, userId: rowIdOf(member.id), status: 'approved' })
        .returning({ id: evidenceSubmissions.id });
      credentials.review = await exported(
        await insertAward({
          badgeId: reviewed,
          source: 'review',
          submissionId: submission?.id ?? 0,
        }),
      );

      districtBadgeId = await createBadge(
        {
          communityId: undefined,
          districtId: encodeGlobalID('District', districtId),
          kind: 'MICROCREDENTIAL',
        },
        districtAdmin.token,
      );
      credentials.district = await exported(
        await award(districtBadgeId, staff, {}, districtAdmin.token),
        staff.token,
      );
    });

    test.skipIf(schemaMissing && !requireServicesStrictly())(
      'every kind validates against the schema',
      async () => {
        if (schemaMissing) {
          throw new Error(
            `STAFFROOM_REQUIRE_SERVICES=1 requires the schemas: ${SCHEMA_MISSING_REASON}`,
          );
        }
        const ajv = new Ajv2019({ allErrors: true, strict: false });
        addFormats(ajv);
        const validateCredential = ajv.compile(JSON.parse(readFileSync(CREDENTIAL_SCHEMA, 'utf8')));
        const validateProfile = ajv.compile(JSON.parse(readFileSync(PROFILE_SCHEMA, 'utf8')));
        const profiles = [
          (await getJson(`/issuers/communities/${community.slug}`)).body,
          (await getJson('/issuers/districts/riverbend')).body,
        ];

        expect(Object.keys(credentials)).toHaveLength(5);
        for (const [name, credential] of Object.entries(credentials)) {
          const valid = validateCredential(credential);
          expect(valid, `${name}: ${JSON.stringify(validateCredential.errors)}`).toBe(true);
        }
        for (const profile of profiles) {
          expect(validateProfile(profile), JSON.stringify(validateProfile.errors)).toBe(true);
        }
      },
    );

    test('every kind verifies', async () => {
      for (const [name, credential] of Object.entries(credentials)) {
        const result = await verified(credential);

        expect(result.verified, `${name}: ${JSON.stringify(result.problems)}`).toBe(true);
        expect(result.proofValid).toBe(true);
        expect(result.revoked).toBe(false);
        expect(result.expired).toBe(false);
        expect(result.notYetValid).toBe(false);
        expect(result.recipientHashed).toBe(true);
        expect(result.problems).toEqual([]);
        expect(result.issuedAt).toBe(credential.validFrom);
      }
    });

    test('verification reports the achievement', async () => {
      const credential = credentials.withExpiryAndNote;
      const result = await verified(credential);

      expect(result.issuer).toEqual({ id: credential.issuer.id, name: 'Status Makers' });
      expect(result.expiresAt).toBe(credential.validUntil);
      expect(result.achievement).toMatchObject({
        name: credential.credentialSubject.achievement.name,
        description: 'Leads the lab safety walkthrough for new staff.',
        criteria: 'Run two walkthroughs with new staff and share the checklist.',
        kind: 'MicroCredential',
      });
      expect(result.achievement.alignments).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            targetName: 'Leader',
            targetFramework: 'ISTE Standards for Educators',
          }),
        ]),
      );
    });

    test('status entry follows the award id', () => {
      for (const credential of Object.values(credentials)) {
        const awardId = rowIdOf(awardIdOf(credential));
        const segment =
          credential === credentials.district
            ? 'districts/riverbend'
            : `communities/${community.slug}`;

        expect(credential.credentialStatus).toEqual({
          id: `${credential.credentialStatus.statusListCredential}#${awardId % MIN_STATUS_LIST_BITS}`,
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: String(awardId % MIN_STATUS_LIST_BITS),
          statusListCredential: `${new URL(credential.id).origin}/credentials/status/${segment}/${Math.floor(awardId / MIN_STATUS_LIST_BITS)}`,
        });
      }
    });

    test('evidence follows how it was earned', () => {
      const publicUrl = new URL(credentials.review.id).origin;

      expect(credentials.community.evidence).toBeUndefined();
      // The awarder's note is private, and a credential can be read by anyone.
      expect(credentials.withExpiryAndNote.evidence).toBeUndefined();
      expect(JSON.stringify(credentials.withExpiryAndNote)).not.toContain('with care');
      expect(credentials.rule.evidence).toEqual([
        {
          type: ['Evidence'],
          name: 'Badge rule',
          narrative:
            'Awarded automatically for attending 3 live sessions in Status Makers, each for at least 30 minutes.',
        },
      ]);
      expect(credentials.review.evidence).toHaveLength(1);
      expect(credentials.review.evidence[0].id).toMatch(
        new RegExp(`^${publicUrl}/reviews/[A-Za-z0-9%]+$`),
      );
      expect(credentials.review.evidence[0].name).toMatch(/^Evidence for Status badge/);
      expect(credentials.withExpiryAndNote.validUntil).toEqual(expect.any(String));
      expect(credentials.community.validUntil).toBeUndefined();
    });

    test('rule award links counted threads', async () => {
      const badgeId = await createBadge();
      const thread = await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        {
          communityId: community.id,
          title: 'Wind turbines',
          body: 'Blade shapes?',
          kind: 'DISCUSSION',
        },
        'id',
        facilitator.token,
      );
      for (const body of ['Three blades spin best', 'Curved blades too']) {
        await mutate(
          server,
          'createPost',
          'CreatePostInput',
          { threadId: thread.id, body },
          'id',
          member.token,
        );
      }
      const rule = await mutate(
        server,
        'createBadgeRule',
        'CreateBadgeRuleInput',
        { badgeId, kind: 'REPLIES_POSTED', threshold: 2 },
        'awardedCount',
        facilitator.token,
      );
      const holders = await server.graphql(
        `query($id: ID!) { badge(id: $id) { holders(first: 1) { nodes { id } } } }`,
        { id: badgeId },
        { token: facilitator.token },
      );
      const credential = await exported(holders.body.data.badge.holders.nodes[0].id);
      const publicUrl = new URL(credential.id).origin;

      expect(rule.awardedCount).toBe(1);
      expect(credential.evidence).toHaveLength(2);
      expect(credential.evidence[0].name).toBe('Badge rule');
      expect(credential.evidence[1]).toEqual({
        type: ['Evidence'],
        id: `${publicUrl}/t/${encodeURIComponent(thread.id)}`,
        name: 'Wind turbines',
        description: 'A discussion thread with the recipient’s replies.',
      });
    });

    test('district credential names the district', async () => {
      const credential = credentials.district;
      const profile = await getJson('/issuers/districts/riverbend');
      const key = await getJson(new URL(credential.proof[0].verificationMethod).pathname);
      const anonymous = await getJson(new URL(credential.id).pathname);
      const recipient = await getJson(new URL(credential.id).pathname, staff.token);

      expect(credential.issuer).toEqual({
        id: `${new URL(credential.id).origin}/issuers/districts/riverbend`,
        type: ['Profile'],
        name: 'Riverbend Unified',
        url: new URL(credential.id).origin,
      });
      expect(profile.status).toBe(200);
      expect(profile.body).toMatchObject({
        id: credential.issuer.id,
        type: ['Profile'],
        name: 'Riverbend Unified',
        url: new URL(credential.id).origin,
      });
      expect(profile.body.email).toBeUndefined();
      expect(profile.body.assertionMethod).toContain(credential.proof[0].verificationMethod);
      expect(key.status).toBe(200);
      expect(key.body.controller).toBe(credential.issuer.id);
      expect(anonymous.status).toBe(404);
      expect(recipient.status).toBe(200);
    });

    test('issuers without badges are not published', async () => {
      const lakeside = await getJson('/issuers/districts/lakeside');
      const lakesideKey = await getJson('/issuers/districts/lakeside/keys/key-1');
      const lakesideStatus = await getJson('/credentials/status/districts/lakeside/0');

      expect(lakeside.status).toBe(404);
      expect(lakesideKey.status).toBe(404);
      expect(lakesideStatus.status).toBe(404);
    });

    test('each changed field fails verification', async () => {
      for (const name of ['withExpiryAndNote', 'review', 'district']) {
        const credential = credentials[name];
        const paths = leafPaths(credential);

        expect(paths.length).toBeGreaterThan(30);
        for (const path of paths) {
          const label = `${name}: changed ${path.join('.')}`;
          const result = await verified(changedAt(credential, path));

          expect(result.proofValid, label).toBe(false);
          expect(result.verified, label).toBe(false);
          // Under another issuer id, the proof's key is another issuer's key.
          expect(codesOf(result), label).toContain(
            path.join('.') === 'issuer.id' ? 'unknown_key' : 'invalid_proof',
          );
        }
      }
    });
  });

  describe('revocation status lists', () => {
    test('revoked credential has its bit set', async () => {
      const badgeId = await createBadge();
      const revokedId = await award(badgeId);
      const unrevokedId = await award(await createBadge());
      await mutate(
        server,
        'revokeBadgeAward',
        'RevokeBadgeAwardInput',
        { awardId: revokedId, reason: 'Awarded by mistake' },
        'id',
        facilitator.token,
      );
      const revoked = await exported(revokedId);
      const unrevoked = await exported(unrevokedId);

      const result = await verified(revoked);
      const list = await statusListOf(revoked);
      const bits = BitstringStatusList.decode(list.body.credentialSubject.encodedList);
      const listProof = await verifyCredential(list.body, fetchKey);

      expect(result.proofValid).toBe(true);
      expect(result.revoked).toBe(true);
      expect(result.verified).toBe(false);
      expect(codesOf(result)).toEqual(['revoked']);
      expect(list.status).toBe(200);
      expect(list.headers.get('cache-control')).toBe('public, max-age=60');
      expect(list.body).toMatchObject({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: revoked.credentialStatus.statusListCredential,
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: revoked.issuer.id,
        credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation' },
      });
      expect(Date.now() - Date.parse(list.body.validFrom)).toBeLessThan(60_000);
      expect(list.body.validUntil).toBeUndefined();
      expect(listProof).toEqual({ verified: true, errors: [] });
      expect(bits.length).toBe(MIN_STATUS_LIST_BITS);
      expect(bits.get(Number(revoked.credentialStatus.statusListIndex))).toBe(true);
      expect(bits.get(Number(unrevoked.credentialStatus.statusListIndex))).toBe(false);
      expect(unrevoked.credentialStatus.statusListCredential).toBe(
        revoked.credentialStatus.statusListCredential,
      );
    });

    test('district list has the district bit', async () => {
      const badgeId = await createBadge(
        { communityId: undefined, districtId: encodeGlobalID('District', districtId) },
        districtAdmin.token,
      );
      const awardId = await award(badgeId, staff, {}, districtAdmin.token);
      await mutate(
        server,
        'revokeBadgeAward',
        'RevokeBadgeAwardInput',
        { awardId, reason: 'Left the district' },
        'id',
        districtAdmin.token,
      );
      const credential = await exported(awardId, staff.token);

      const list = await statusListOf(credential);
      const communityList = await getJson(`/credentials/status/communities/${community.slug}/0`);
      const index = Number(credential.credentialStatus.statusListIndex);

      expect(credential.credentialStatus.statusListCredential).toMatch(
        /\/credentials\/status\/districts\/riverbend\/0$/,
      );
      expect(list.status).toBe(200);
      expect(BitstringStatusList.decode(list.body.credentialSubject.encodedList).get(index)).toBe(
        true,
      );
      expect(
        BitstringStatusList.decode(communityList.body.credentialSubject.encodedList).get(index),
      ).toBe(false);
      expect((await verified(credential)).revoked).toBe(true);
    });

    test('unknown lists are not found', async () => {
      const { db } = server.database;
      const [hidden] = await db
        .insert(communities)
        .values({
          name: 'Hidden Status',
          slug: `hidden-status-${kind}`,
          focus: 'stem',
          visibility: 'private',
          listed: false,
        })
        .returning({ id: communities.id });
      await db.insert(badges).values({
        communityId: hidden?.id ?? 0,
        name: 'Quiet badge',
        description: 'Given in a private community.',
        criteria: 'Attend.',
        isteStandards: ['learner'],
      });

      const privateList = await getJson(`/credentials/status/communities/hidden-status-${kind}/0`);
      const pastNewest = await getJson(`/credentials/status/communities/${community.slug}/1`);
      const malformed = await fetch(
        `${server.url}/credentials/status/communities/${community.slug}/01`,
      );
      const posted = await fetch(
        `${server.url}/credentials/status/communities/${community.slug}/0`,
        { method: 'POST' },
      );

      expect(privateList.status).toBe(404);
      expect(pastNewest.status).toBe(404);
      expect(malformed.status).toBe(404);
      expect(posted.status).toBe(405);
    });
  });

  describe('verification', () => {
    let credential: Json;

    beforeAll(async () => {
      credential = await exported(await award(await createBadge()));
    });

    test('expired award verifies as expired', async () => {
      const badgeId = rowIdOf(await createBadge());
      const day = 24 * 60 * 60 * 1000;
      const awardId = await insertAward({
        badgeId,
        awardedAt: new Date(Date.now() - 3 * day).toISOString(),
        expiresAt: new Date(Date.now() - day).toISOString(),
      });
      const expired = await exported(awardId);

      const result = await verified(expired);

      expect(result.proofValid).toBe(true);
      expect(result.expired).toBe(true);
      expect(result.revoked).toBe(false);
      expect(result.verified).toBe(false);
      expect(result.expiresAt).toBe(expired.validUntil);
      expect(codesOf(result)).toEqual(['expired']);
    });

    test('future validFrom is not yet valid', async () => {
      const future = await resigned(credential, (copy) => {
        copy.validFrom = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
      });

      const result = await verified(future);

      expect(result.proofValid).toBe(true);
      expect(result.notYetValid).toBe(true);
      expect(result.verified).toBe(false);
      expect(codesOf(result)).toEqual(['not_yet_valid']);
    });

    test('status list of another host is not fetched', async () => {
      let requests = 0;
      const otherHost: Server = createServer((_request, response) => {
        requests += 1;
        response.writeHead(500).end();
      });
      await new Promise<void>((done) => otherHost.listen(0, '127.0.0.1', done));
      const listUrl = `http://127.0.0.1:${(otherHost.address() as AddressInfo).port}/status/0`;
      try {
        const foreign = await resigned(credential, (copy) => {
          copy.credentialStatus = {
            id: `${listUrl}#7`,
            type: 'BitstringStatusListEntry',
            statusPurpose: 'revocation',
            statusListIndex: '7',
            statusListCredential: listUrl,
          };
        });

        const result = await verified(foreign);

        expect(result.proofValid).toBe(true);
        expect(result.revoked).toBeNull();
        expect(result.verified).toBe(false);
        expect(codesOf(result)).toEqual(['status_unchecked']);
        expect(result.problems[0].message).toContain(new URL(listUrl).host);
        expect(requests).toBe(0);
      } finally {
        await new Promise((done) => otherHost.close(done));
      }
    });

    test("another issuer's list is not trusted", async () => {
      const borrowed = await resigned(credential, (copy) => {
        const entry = copy.credentialStatus as Json;
        entry.statusListCredential = entry.statusListCredential.replace(
          `/communities/${community.slug}/`,
          '/districts/riverbend/',
        );
        entry.id = `${entry.statusListCredential}#${entry.statusListIndex}`;
      });

      const result = await verified(borrowed);

      expect(result.proofValid).toBe(true);
      expect(result.revoked).toBeNull();
      expect(codesOf(result)).toEqual(['status_unchecked']);
    });

    test('tampered credential reports no status', async () => {
      const tampered = structuredClone(credential);
      tampered.credentialSubject.achievement.name = 'Something else';

      const result = await verified(tampered);

      expect(result.proofValid).toBe(false);
      expect(result.revoked).toBeNull();
      expect(codesOf(result)).toEqual(['invalid_proof']);
      expect(result.achievement.name).toBe('Something else');
    });

    test('baked PNG and SVG verify', async () => {
      const json = JSON.stringify(credential);
      const png = await verify(bakePng(samplePng(), json), 'image/png');
      const svg = await verify(
        bakeSvg('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>', json),
        'image/svg+xml',
      );
      const plainPng = await verify(samplePng(), 'image/png');
      const text = await verify(json, 'text/plain');
      const notJson = await verify('{"id":', 'application/json');

      expect(png.status).toBe(200);
      expect(png.body.verified).toBe(true);
      expect(svg.status).toBe(200);
      expect(svg.body.verified).toBe(true);
      expect(plainPng.status).toBe(400);
      expect(plainPng.body.error).toMatch(/PNG image has no credential baked in/);
      expect(text.status).toBe(415);
      expect(notJson.status).toBe(400);
    });

    test('hostile SVG answers as fast as a benign one', async () => {
      const size = 1000 * 1024;
      const start = '<svg xmlns="http://www.w3.org/2000/svg">';
      const fill = (unit: string) =>
        new TextEncoder().encode(start + unit.repeat(Math.ceil(size / unit.length)).slice(0, size));
      const hostile = fill('<openbadges:credential ');
      const benign = fill('<path d="M0 0h4v4z"></path>');
      const timed = async (body: Uint8Array) => {
        const started = performance.now();
        const result = await verify(body, 'image/svg+xml');
        return { ...result, ms: performance.now() - started };
      };

      const benignResult = await timed(benign);
      const hostileResult = await timed(hostile);

      expect(benignResult.status).toBe(400);
      expect(hostileResult.status).toBe(400);
      expect(hostileResult.body.error).toMatch(/SVG image has no credential baked in/);
      // A scan that goes back over the text takes tens of seconds for this body.
      expect(hostileResult.ms).toBeLessThan(Math.max(benignResult.ms, 20) * 10);
    });

    test('baked SVG with a closing tag in its note verifies', async () => {
      const note = 'Wrote </openbadges:credential> and ]]> in the checklist.';
      const awardId = await award(await createBadge(), member, { note });
      const response = await fetch(
        `${server.url}/credentials/awards/${encodeURIComponent(awardId)}.svg`,
        {
          headers: { authorization: `Bearer ${member.token}` },
        },
      );
      const svg = new Uint8Array(await response.arrayBuffer());

      const result = await verify(svg, 'image/svg+xml');

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(result.status).toBe(200);
      expect(result.body.problems).toEqual([]);
      expect(result.body.verified).toBe(true);
    });

    test('credential in an SVG comment is not baked', async () => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><!-- <openbadges:credential>${JSON.stringify(credential)}</openbadges:credential> --></svg>`;

      const result = await verify(svg, 'image/svg+xml');

      expect(result.status).toBe(400);
      expect(result.body.error).toMatch(/SVG image has no credential baked in/);
    });

    describe('dates in other JSON-LD forms', () => {
      const day = 24 * 60 * 60 * 1000;
      let expiring: Json;
      let expired: Json;

      beforeAll(async () => {
        expiring = await exported(await award(await createBadge({ validForDays: 30 })));
        expired = await exported(
          await insertAward({
            badgeId: rowIdOf(await createBadge()),
            awardedAt: new Date(Date.now() - 3 * day).toISOString(),
            expiresAt: new Date(Date.now() - day).toISOString(),
          }),
        );
      });

      test('date in an array is malformed', async () => {
        const rewritten = { ...expiring, validUntil: [expiring.validUntil] };

        const result = await verified(rewritten);

        expect(result.proofValid).toBe(true);
        expect(result.revoked).toBe(false);
        expect(result.expired).toBe(false);
        expect(codesOf(result)).toEqual(['malformed']);
        expect(result.problems[0].message).toMatch(/validUntil must be one date-time string/);
        expect(result.verified).toBe(false);
      });

      test('expired award stays expired in any form', async () => {
        const iri = 'https://www.w3.org/2018/credentials#validUntil';
        const forms: [string, Json][] = [
          ['an array', { ...expired, validUntil: [expired.validUntil] }],
          [
            'a value object',
            { ...expired, validUntil: { '@value': expired.validUntil, '@type': `${XSD}dateTime` } },
          ],
          [
            'its full IRI',
            (() => {
              const { validUntil, ...rest } = expired;
              return { ...rest, [iri]: { '@value': validUntil, '@type': `${XSD}dateTime` } };
            })(),
          ],
          [
            'an embedded context',
            (() => {
              const { validUntil, ...rest } = expired;
              return {
                ...rest,
                '@context': [
                  ...expired['@context'],
                  { ends: { '@id': iri, '@type': `${XSD}dateTime` } },
                ],
                ends: validUntil,
              };
            })(),
          ],
        ];

        for (const [name, form] of forms) {
          const result = await verified(form);

          // Each form has the same RDF as the signed credential, so the signature still matches.
          expect(result.proofValid, name).toBe(true);
          expect(result.verified, name).toBe(false);
          expect(result.expired, name).toBe(true);
          expect(codesOf(result), name).toContain('malformed');
          expect(codesOf(result), name).toContain('expired');
        }
      });

      test('award expiry overrides the document', async () => {
        const awardId = rowIdOf(awardIdOf(expiring));
        await server.database.db
          .update(badgeAwards)
          .set({
            awardedAt: new Date(Date.now() - 2 * day).toISOString(),
            expiresAt: new Date(Date.now() - day).toISOString(),
          })
          .where(eq(badgeAwards.id, awardId));

        const result = await verified(expiring);

        expect(result.proofValid).toBe(true);
        expect(result.expired).toBe(true);
        expect(result.expiresAt).toBe(expiring.validUntil);
        expect(codesOf(result)).toEqual(['expired']);
        expect(result.verified).toBe(false);
      });

      test('award date overrides the document', async () => {
        const awardId = await award(await createBadge());
        const document = await exported(awardId);
        await server.database.db
          .update(badgeAwards)
          .set({ awardedAt: new Date(Date.now() + day).toISOString() })
          .where(eq(badgeAwards.id, rowIdOf(awardId)));

        const result = await verified(document);

        expect(result.proofValid).toBe(true);
        expect(result.notYetValid).toBe(true);
        expect(codesOf(result)).toEqual(['not_yet_valid']);
        expect(result.verified).toBe(false);
      });
    });

    test("another issuer's key is unknown", async () => {
      const districtKey = await getJson('/issuers/districts/riverbend');
      const borrowed = structuredClone(credential);
      borrowed.proof[0].verificationMethod = districtKey.body.assertionMethod[0];

      const result = await verified(borrowed);

      expect(districtKey.status).toBe(200);
      expect(result.proofValid).toBe(false);
      expect(codesOf(result)).toEqual(['unknown_key']);
      expect(result.problems[0].message).not.toMatch(/controlled by/);
    });

    test('deep or wide credentials are rejected', async () => {
      let nested: Json = 'leaf';
      for (let level = 0; level < 2000; level++) {
        nested = { name: nested };
      }
      const deep = structuredClone(credential);
      deep.credentialSubject.achievement.criteria = nested;
      const wide = structuredClone(credential);
      const alignment = wide.credentialSubject.achievement.alignment[0];
      wide.credentialSubject.achievement.alignment = Array.from({ length: 780 }, (_, index) => ({
        ...alignment,
        targetCode: `${index}`,
      }));
      const manyValues = structuredClone(credential);
      manyValues.credentialSubject.achievement.tags = Array.from({ length: 12 }, () =>
        Array.from({ length: 450 }, (_, index) => `tag ${index}`),
      );

      const deepResult = await verify(deep);
      const wideResult = await verify(wide);
      const manyResult = await verify(manyValues);

      expect(deepResult.status).toBe(400);
      expect(deepResult.body.error).toMatch(/nested more than 32 levels deep/);
      expect(wideResult.status).toBe(400);
      expect(wideResult.body.error).toMatch(/more than 500 entries/);
      expect(manyResult.status).toBe(400);
      expect(manyResult.body.error).toMatch(/more than 5000 values/);
    });

    test('library messages stay out of problems', async () => {
      const unknownContext = structuredClone(credential);
      unknownContext['@context'] = [...credential['@context'], 'https://example.org/other-context'];
      const unknownProperty = structuredClone(credential);
      unknownProperty.favouriteColour = 'green';

      const contextResult = await verified(unknownContext);
      const propertyResult = await verified(unknownProperty);

      expect(codesOf(contextResult)).toEqual(['invalid_proof']);
      expect(contextResult.problems[0].message).toMatch(/@context names a document other than/);
      expect(contextResult.problems[0].message).not.toMatch(/Dereferencing|CORS|Link Header/);
      expect(codesOf(propertyResult)).toEqual(['invalid_proof']);
      expect(propertyResult.problems[0].message).toMatch(/@context does not define/);
      expect(propertyResult.problems[0].message).not.toMatch(/Safe mode/);
    });

    test('verification needs no sign-in and GET is rejected', async () => {
      const response = await fetch(`${server.url}/credentials/verify`);

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });

  describe('key rotation', () => {
    const ROTATE = `mutation { rotateCredentialKey { __typename ... on Error { message }
      ... on MutationRotateCredentialKeySuccess { data { keyId active retiredAt } } } }`;
    const KEYS = '{ credentialKeys { keyId active } }';

    test('only platform admins rotate keys', async () => {
      const before = await server.graphql(KEYS, {}, { token: platformAdmin.token });
      const denied = await server.graphql(ROTATE, {}, { token: facilitator.token });
      const anonymous = await server.graphql(ROTATE);
      const listed = await server.graphql(KEYS, {}, { token: facilitator.token });
      const after = await server.graphql(KEYS, {}, { token: platformAdmin.token });

      expect(denied.body.data.rotateCredentialKey.__typename).toBe('ForbiddenError');
      expect(anonymous.body.data.rotateCredentialKey.__typename).toBe('UnauthenticatedError');
      expect(listed.body.data).toBeNull();
      expect(after.body.data.credentialKeys).toEqual(before.body.data.credentialKeys);
    });

    test('rotation keeps old credentials verifying', async () => {
      const badgeId = await createBadge();
      const before = await exported(await award(badgeId));
      const oldMethod: string = before.proof[0].verificationMethod;

      const rotated = await server.graphql(ROTATE, {}, { token: platformAdmin.token });
      const keys = rotated.body.data.rotateCredentialKey.data;
      const active = keys.filter((key: Json) => key.active);
      const after = await exported(await award(await createBadge()));
      const again = await exported(awardIdOf(before));
      const list = await statusListOf(after);
      const audit = await server.database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'platform.credential_key_rotated'));

      expect(rotated.body.data.rotateCredentialKey.__typename).toBe(
        'MutationRotateCredentialKeySuccess',
      );
      expect(active).toHaveLength(1);
      expect(oldMethod.endsWith(`/keys/${active[0].keyId}`)).toBe(false);
      expect(keys.find((key: Json) => oldMethod.endsWith(`/keys/${key.keyId}`))?.retiredAt).toEqual(
        expect.any(String),
      );
      expect(after.proof[0].verificationMethod.endsWith(`/keys/${active[0].keyId}`)).toBe(true);
      expect(again.proof[0].verificationMethod).toBe(`${again.issuer.id}/keys/${active[0].keyId}`);
      expect((await verified(before)).verified).toBe(true);
      expect((await verified(after)).verified).toBe(true);
      expect(list.body.proof[0].verificationMethod.endsWith(`/keys/${active[0].keyId}`)).toBe(true);
      expect(await verifyCredential(list.body, fetchKey)).toEqual({ verified: true, errors: [] });
      expect(audit).toHaveLength(1);
      expect(audit[0]?.actorId).toBe(rowIdOf(platformAdmin.id));
    });

    test('concurrent rotations keep one active key', async () => {
      const before = await server.graphql(KEYS, {}, { token: platformAdmin.token });

      const results = await Promise.all(
        [1, 2].map(() => server.graphql(ROTATE, {}, { token: platformAdmin.token })),
      );
      const after = await server.graphql(KEYS, {}, { token: platformAdmin.token });
      const keys = after.body.data.credentialKeys;
      const credential = await exported(await award(await createBadge()));

      for (const result of results) {
        expect(result.body.data.rotateCredentialKey.__typename).toBe(
          'MutationRotateCredentialKeySuccess',
        );
      }
      expect(keys).toHaveLength(before.body.data.credentialKeys.length + 2);
      expect(keys.filter((key: Json) => key.active)).toHaveLength(1);
      expect(new Set(keys.map((key: Json) => key.keyId)).size).toBe(keys.length);
      expect(keys.at(-1).active).toBe(true);
      expect((await verified(credential)).verified).toBe(true);
    });
  });
});
