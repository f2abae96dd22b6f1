/**
 * Attacks on embed keys and the widget endpoint that once got through. Event streams outlived
 * their key, and origins smuggled a wildcard into the frame's Content-Security-Policy. A person's
 * badge showcase broke on badges of other communities, and one key's full use counter lost the
 * counts of every key.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { districtAdmins, districts, embedKeys, users } from '../../drizzle/tables/index.ts';
import type { EmbedOperationName } from '../../schema/embed-operations.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { persistedBody, readEventStream } from '../helpers/embed.ts';
import {
  createCommunityWithMembers,
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const PORTAL = 'https://portal.example.org';

const KEY_FIELDS = 'id key allowedOrigins';
const CREATE_KEY = `mutation($input: CreateEmbedKeyInput!) { createEmbedKey(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationCreateEmbedKeySuccess { data { ${KEY_FIELDS} } } } }`;
const USE_COUNT = `query($id: ID!) { node(id: $id) { ... on EmbedKey { useCount } } }`;

interface Person {
  id: string;
  token: string;
}

interface Key {
  id: string;
  key: string;
}

async function runWidget(
  url: string,
  key: string,
  name: EmbedOperationName,
  variables: Record<string, unknown>,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}/embed/graphql?key=${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: PORTAL },
    body: JSON.stringify(persistedBody(name, variables)),
  });
  return { status: response.status, body: await response.json() };
}

describe.each(await databaseKinds())('embed attacks on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let holder: Person;
  let admin: Person;
  let staff: Person;
  let districtId: string;
  let shown: { id: string; slug: string };
  let elsewhere: { id: string; slug: string };
  let districtCommunity: { id: string; slug: string };
  let shownKey: Key;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database, env: { EMBED_USAGE_FLUSH_MS: '100' } });
    owner = await signUpUser(server, { displayName: 'Olive Owner' });
    holder = await signUpUser(server, { displayName: 'Hana Holder' });
    admin = await signUpUser(server, { displayName: 'Dana Admin' });
    staff = await signUpUser(server, { displayName: 'Stan Staff' });
    const { db } = server.database;
    const [district] = await db
      .insert(districts)
      .values({ slug: 'riverbend', name: 'Riverbend Unified' })
      .returning();
    const districtRowId = district?.id ?? 0;
    districtId = encodeGlobalID('District', districtRowId);
    await db
      .insert(districtAdmins)
      .values({ districtId: districtRowId, userId: rowIdOf(admin.id) });
    for (const person of [admin, staff]) {
      await db
        .update(users)
        .set({ districtId: districtRowId })
        .where(eq(users.id, rowIdOf(person.id)));
    }

    shown = await createCommunityWithMembers(
      server,
      owner.token,
      { name: 'Shown Makers', focus: 'STEM', visibility: 'PUBLIC' },
      [holder.token],
    );
    elsewhere = await createCommunityWithMembers(
      server,
      owner.token,
      { name: 'Elsewhere Readers', focus: 'STEM', visibility: 'PUBLIC' },
      [holder.token],
    );
    districtCommunity = await createCommunityWithMembers(server, staff.token, {
      name: 'Riverbend Coaches',
      focus: 'STEM',
      visibility: 'DISTRICT',
    });
    shownKey = await createKey({
      communityId: shown.id,
      name: 'Portal',
      allowedOrigins: [PORTAL],
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function createKeyResult(input: Record<string, unknown>, token: string): Promise<Json> {
    const result = await server.graphql(CREATE_KEY, { input }, { token });
    const payload = result.body?.data?.createEmbedKey;
    if (!payload) {
      throw new Error(
        `createEmbedKey failed with HTTP ${result.status}: ${JSON.stringify(result.body)}`,
      );
    }
    return payload;
  }

  async function createKey(input: Record<string, unknown>, token = owner.token): Promise<Key> {
    const payload = await createKeyResult(input, token);
    if (payload.__typename !== 'MutationCreateEmbedKeySuccess') {
      throw new Error(`createEmbedKey returned ${JSON.stringify(payload)}`);
    }
    return payload.data;
  }

  const postThread = (communityId: string, title: string, token: string) =>
    mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title, body: `${title}: first post` },
      'id',
      token,
    );

  describe('event streams', () => {
    // Yoga responds to a subscription with server-sent events for any Accept that matches
    // text/event-stream: any letter case, wildcards, and an empty or missing Accept header.
    test.each([
      '',
      'text/event-stream',
      'Text/Event-Stream',
      '*/*',
      'text/*',
      'application/json, text/ event-stream',
    ])('withdrawn open reading ends a stream sent with Accept %j', async (accept) => {
      const key = await createKey(
        {
          districtId,
          name: 'Open intranet',
          allowedOrigins: [PORTAL],
          communityIds: [districtCommunity.id],
          districtReadAccepted: true,
        },
        admin.token,
      );
      const response = await fetch(`${server.url}/embed/graphql?key=${key.key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: PORTAL, accept },
        body: JSON.stringify(
          persistedBody('WidgetCommunityActivity', { communityId: districtCommunity.id }),
        ),
      });
      const stream = readEventStream(response);

      await postThread(districtCommunity.id, 'Before the change', staff.token);
      const received = await stream.waitFor(() => stream.text.includes('THREAD_CREATED'));
      await mutate(
        server,
        'updateEmbedKey',
        'UpdateEmbedKeyInput',
        { embedKeyId: key.id, districtReadAccepted: false },
        'id',
        admin.token,
      );
      const ended = await stream.waitFor(() => stream.ended);
      const seen = stream.text.length;
      await postThread(districtCommunity.id, 'After the change', staff.token);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const laterText = stream.text.slice(seen);
      await stream.cancel();

      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      expect(received).toBe(true);
      expect(ended).toBe(true);
      expect(laterText).not.toContain('THREAD_CREATED');
    });

    test('revoking ends a stream sent with Accept */*', async () => {
      const key = await createKey({
        communityId: shown.id,
        name: 'Soon revoked',
        allowedOrigins: [PORTAL],
      });
      const response = await fetch(`${server.url}/embed/graphql?key=${key.key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: PORTAL, accept: '*/*' },
        body: JSON.stringify(persistedBody('WidgetCommunityActivity', { communityId: shown.id })),
      });
      const stream = readEventStream(response);

      await postThread(shown.id, 'Before revoking', owner.token);
      const received = await stream.waitFor(() => stream.text.includes('THREAD_CREATED'));
      await mutate(
        server,
        'revokeEmbedKey',
        'RevokeEmbedKeyInput',
        { embedKeyId: key.id },
        'id',
        owner.token,
      );
      const ended = await stream.waitFor(() => stream.ended);
      await stream.cancel();

      expect(received).toBe(true);
      expect(ended).toBe(true);
    });
  });

  describe('origins', () => {
    // URL percent-decodes the host, so these pass a check of the raw text and come out as a
    // wildcard or as Content-Security-Policy syntax in the frame's frame-ancestors.
    test.each([
      'https://%2A',
      'https://%2A.example.org',
      'https://portal.example.org%3Bsandbox',
      'https://a%2Cb.example.org',
      'https://%27self%27',
      'https://a%22b.example.org',
    ])('rejects the encoded origin %s', async (origin) => {
      const payload = await createKeyResult(
        { communityId: shown.id, name: 'Encoded origin', allowedOrigins: [origin] },
        owner.token,
      );

      expect(payload.__typename).toBe('ValidationError');
      expect(payload.issues.map((issue: Json) => issue.path.join('.'))).toContain(
        'allowedOrigins.0',
      );
    });

    test('frame ancestors hold only real origins', async () => {
      const key = await createKey({
        communityId: shown.id,
        name: 'Two portals',
        allowedOrigins: ['https://portal.example.org', 'https://xn--e1afmkfd.xn--p1ai:8443'],
      });

      const response = await fetch(`${server.url}/embed/frame/feed?embed-key=${key.key}`);
      await response.text();
      const policy = response.headers.get('content-security-policy') ?? '';

      expect(response.status).toBe(200);
      expect(policy).toContain(
        "frame-ancestors 'self' https://portal.example.org https://xn--e1afmkfd.xn--p1ai:8443",
      );
    });

    test('frame ancestors skip a stored wildcard', async () => {
      const key = await createKey({
        communityId: shown.id,
        name: 'Stored before the check',
        allowedOrigins: [PORTAL],
      });
      await server.database.db
        .update(embedKeys)
        .set({ allowedOrigins: [PORTAL, 'https://*', 'https://a;sandbox'] })
        .where(eq(embedKeys.id, rowIdOf(key.id)));

      const response = await fetch(`${server.url}/embed/frame/feed?embed-key=${key.key}`);
      await response.text();
      const policy = response.headers.get('content-security-policy') ?? '';

      expect(response.status).toBe(200);
      expect(policy).toMatch(new RegExp(`frame-ancestors 'self' ${PORTAL}(;|$)`));
      expect(policy).not.toContain('https://*');
      expect(policy).not.toContain('sandbox');
    });
  });

  describe('person badges', () => {
    test('show the key’s badges despite others', async () => {
      const award = async (communityId: string, name: string) => {
        const badge = await mutate(
          server,
          'createBadge',
          'CreateBadgeInput',
          { communityId, name, description: 'x', criteria: 'y', isteStandards: ['LEARNER'] },
          'id',
          owner.token,
        );
        await mutate(
          server,
          'awardBadge',
          'AwardBadgeInput',
          { badgeId: badge.id, recipientId: holder.id },
          'id',
          owner.token,
        );
      };
      await award(shown.id, 'Shown Maker');
      await award(elsewhere.id, 'Elsewhere Reader');

      const result = await runWidget(server.url, shownKey.key, 'WidgetPersonBadges', {
        id: holder.id,
        first: 12,
      });
      const names = result.body.data?.node?.badgeAwards?.nodes.map((node: Json) => node.badge.name);

      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.node?.displayName).toBe('Hana Holder');
      expect(names).toEqual(['Shown Maker']);
    });
  });

  describe('use counts', () => {
    test('one full counter spares other keys', async () => {
      const full = await createKey({
        communityId: shown.id,
        name: 'Busy',
        allowedOrigins: [PORTAL],
      });
      const quiet = await createKey({
        communityId: shown.id,
        name: 'Quiet',
        allowedOrigins: [PORTAL],
      });
      await server.database.db
        .update(embedKeys)
        .set({ useCount: 2_147_483_647 })
        .where(eq(embedKeys.id, rowIdOf(full.id)));
      const useCountOf = async (key: Key): Promise<number> =>
        (await server.graphql(USE_COUNT, { id: key.id }, { token: owner.token })).body.data.node
          .useCount;

      // Each round's two requests land in the same batch of counts, written together.
      for (let round = 0; round < 5; round += 1) {
        await Promise.all(
          [full, quiet].map((key) =>
            runWidget(server.url, key.key, 'WidgetCommunityCard', { slug: shown.slug }),
          ),
        );
      }
      let counted = 0;
      for (let attempt = 0; attempt < 30 && counted < 5; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        counted = await useCountOf(quiet);
      }

      expect(counted).toBe(5);
    });
  });
});
