/**
 * Who reads a badge award on every path that returns one: node and nodes lookups, badge holders,
 * community activity replayed over server-sent events and live over WebSocket, and
 * notifications. Private notes and revocation details, the revoked and expired history of the
 * recipient, and HEAD requests for images and files signed in with the session cookie.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { badgeAwards, districtAdmins, districts, users } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { makePdf } from '../helpers/images.ts';
import {
  createCommunityWithMembers,
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const AWARD_FIELDS = `id status note revokeReason revokedBy { displayName }
  recipient { displayName } badge { name }`;

const NODE = `query($id: ID!) { node(id: $id) { __typename ... on BadgeAward { ${AWARD_FIELDS} } } }`;

const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on BadgeAward { id note } } }`;

const ACTIVITY = `subscription($id: ID!, $after: String) {
  communityActivity(communityId: $id, after: $after) { eventId type badgeAward { ${AWARD_FIELDS} } } }`;

const NOTIFICATIONS = `{ notifications(first: 20) { nodes { kind message badge { id }
  badgeAward { id status note revokeReason } } } }`;

const HISTORY = `query($id: ID!) { node(id: $id) { ... on User {
  badgeAwards(first: 10) { nodes { id status } }
  badgeAwardHistory(first: 10) { nodes { id status revokeReason revokedAt expiresAt badge { name } } } } } }`;

const VIEWER_AWARDS = `query($id: ID!) { badge(id: $id) {
  viewerAwards(first: 10) { nodes { id status revokeReason revokedAt } } } }`;

const HOLDERS = `query($id: ID!) { badge(id: $id) { holders(first: 10) { nodes {
  recipient { displayName } note } } } }`;

const UPLOAD = `mutation($input: UploadFileInput!) { uploadFile(input: $input) {
  __typename ... on Error { message } ... on MutationUploadFileSuccess { data { id url } } } }`;

type Person = { id: string; token: string; email: string };

/**
 * Reads a subscription over server-sent events until `count` results arrive or 5 seconds pass,
 * and returns the results.
 */
async function readEventStream(
  server: TestServer,
  query: string,
  variables: Record<string, unknown>,
  count: number,
  token?: string,
): Promise<Json[]> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    signal: controller.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const results: Json[] = [];
  let buffer = '';
  const deadline = Date.now() + 5000;
  while (results.length < count && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<{ done: true; value?: undefined }>((resolve) =>
        setTimeout(() => resolve({ done: true }), deadline - Date.now()),
      ),
    ]);
    if (chunk.value) {
      buffer += decoder.decode(chunk.value, { stream: true });
    }
    // Each message is "event: next" and "data: <JSON>" lines ended by a blank line.
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (message.includes('event: next') && data) {
        results.push(JSON.parse(data));
      }
      end = buffer.indexOf('\n\n');
    }
    if (chunk.done) {
      break;
    }
  }
  controller.abort();
  return results;
}

/** Signs in with the web client's session cookie and returns the Cookie header value. */
async function signInWithCookie(server: TestServer, person: Person): Promise<string> {
  const signIn = await server.graphql(
    `mutation($input: SignInInput!) { signIn(input: $input) { __typename } }`,
    {
      input: { email: person.email, password: 'correct horse battery staple', session: 'COOKIE' },
    },
  );
  return (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe.each(await databaseKinds())('badge award access on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let jordan: Person;
  let noah: Person;
  let maya: Person;
  let pat: Person;
  let outsider: Person;
  let community: { id: string; slug: string };
  const badgeIds: Record<'lab' | 'robotics' | 'course' | 'late', string> = {
    lab: '',
    robotics: '',
    course: '',
    late: '',
  };
  /** Award global ids by recipient, oldest first. */
  const awardsOf: Record<'noah' | 'maya', string[]> = { noah: [], maya: [] };

  const award = async (badgeId: string, recipient: Person, note: string) => {
    const created = await mutate(
      server,
      'awardBadge',
      'AwardBadgeInput',
      { badgeId, recipientId: recipient.id, note },
      'id',
      jordan.token,
    );
    return created.id as string;
  };
  const revoke = (awardId: string, reason: string) =>
    mutate(
      server,
      'revokeBadgeAward',
      'RevokeBadgeAwardInput',
      { awardId, reason },
      'id',
      jordan.token,
    );
  const node = async (id: string, token?: string) =>
    (await server.graphql(NODE, { id }, { token })).body;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    jordan = await signUpUser(server, { displayName: 'Jordan Ellis' });
    noah = await signUpUser(server, { displayName: 'Noah Reyes' });
    maya = await signUpUser(server, { displayName: 'Maya Chen' });
    pat = await signUpUser(server, { displayName: 'Pat Lee' });
    outsider = await signUpUser(server, { displayName: 'Oli Outsider' });
    community = await createCommunityWithMembers(
      server,
      jordan.token,
      { name: 'Makers Lab', focus: 'STEM', visibility: 'PUBLIC' },
      [noah.token, maya.token, pat.token],
    );
    for (const [key, name] of [
      ['lab', 'Lab Safety'],
      ['robotics', 'Robotics Helper'],
      ['course', 'Short Course'],
      ['late', 'Late Award'],
    ] as const) {
      const badge = await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          communityId: community.id,
          name,
          description: `${name} for makers.`,
          criteria: 'Help in the lab.',
          isteStandards: ['LEADER'],
        },
        'id',
        jordan.token,
      );
      badgeIds[key] = badge.id;
    }
    await mutate(
      server,
      'updateProfile',
      'UpdateProfileInput',
      { badgesPublic: false },
      'id',
      noah.token,
    );

    awardsOf.noah.push(await award(badgeIds.lab, noah, 'Careful with the burners'));
    awardsOf.noah.push(await award(badgeIds.robotics, noah, 'Noah robotics note'));
    await revoke(awardsOf.noah[1] ?? '', 'Awarded to the wrong person');
    awardsOf.noah.push(await award(badgeIds.course, noah, 'Noah course note'));
    awardsOf.maya.push(await award(badgeIds.lab, maya, 'Maya lab note'));
    awardsOf.maya.push(await award(badgeIds.robotics, maya, 'Maya robotics note'));
    await revoke(awardsOf.maya[1] ?? '', 'Maya left the robotics team');
    // The course award ran out yesterday; the check constraint needs the award before it.
    await server.database.db
      .update(badgeAwards)
      .set({
        awardedAt: sql`now() - interval '10 days'`,
        expiresAt: sql`now() - interval '1 day'`,
      })
      .where(eq(badgeAwards.id, rowIdOf(awardsOf.noah[2] ?? '')));
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('node and nodes', () => {
    test('private awards hidden from others', async () => {
      for (const id of awardsOf.noah) {
        for (const token of [undefined, outsider.token, pat.token, maya.token]) {
          const result = await node(id, token);

          expect(result.errors).toBeUndefined();
          expect(result.data.node).toBeNull();
        }
      }
    });

    test('recipient and managers read private awards', async () => {
      const byNoah = await node(awardsOf.noah[1] ?? '', noah.token);
      const byJordan = await node(awardsOf.noah[1] ?? '', jordan.token);

      for (const result of [byNoah, byJordan]) {
        expect(result.errors).toBeUndefined();
        expect(result.data.node).toMatchObject({
          status: 'revoked',
          note: 'Noah robotics note',
          revokeReason: 'Awarded to the wrong person',
          revokedBy: { displayName: 'Jordan Ellis' },
          badge: { name: 'Robotics Helper' },
        });
      }
    });

    test('nodes rejects private awards', async () => {
      const ids = [...awardsOf.maya, ...awardsOf.noah];

      const signedOut = await server.graphql(NODES, { ids });
      const byJordan = await server.graphql(NODES, { ids }, { token: jordan.token });

      expect(signedOut.body.data).toBeNull();
      expect(signedOut.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(JSON.stringify(signedOut.body)).not.toContain('note');
      expect(byJordan.body.errors).toBeUndefined();
      expect(byJordan.body.data.nodes).toHaveLength(ids.length);
    });

    test('id scan finds public awards only', async () => {
      const [{ maxId }] = (await server.database.db
        .select({ maxId: sql<number>`max(${badgeAwards.id})::int` })
        .from(badgeAwards)) as [{ maxId: number }];
      const found: Json[] = [];

      for (let id = 1; id <= maxId + 3; id += 1) {
        const result = await node(encodeGlobalID('BadgeAward', id));
        expect(result.errors).toBeUndefined();
        if (result.data.node) {
          found.push(result.data.node);
        }
      }

      expect(found.map((award) => award.id).sort()).toEqual([...awardsOf.maya].sort());
      expect(found.every((award) => award.recipient.displayName === 'Maya Chen')).toBe(true);
    });
  });

  describe('notes and revocation details', () => {
    test('hidden from others for public holders', async () => {
      for (const token of [undefined, pat.token, outsider.token]) {
        const revoked = (await node(awardsOf.maya[1] ?? '', token)).data.node;
        const active = (await node(awardsOf.maya[0] ?? '', token)).data.node;

        expect(revoked.status).toBe('revoked');
        expect(revoked.revokeReason).toBeNull();
        expect(revoked.revokedBy).toBeNull();
        expect(revoked.note).toBeNull();
        expect(active.note).toBeNull();
      }
    });

    test('recipient and managers read them', async () => {
      for (const token of [maya.token, jordan.token]) {
        const revoked = (await node(awardsOf.maya[1] ?? '', token)).data.node;

        expect(revoked.revokeReason).toBe('Maya left the robotics team');
        expect(revoked.revokedBy).toEqual({ displayName: 'Jordan Ellis' });
        expect(revoked.note).toBe('Maya robotics note');
      }
    });

    test('holders list hides notes from others', async () => {
      const signedOut = await server.graphql(HOLDERS, { id: badgeIds.lab });
      const byJordan = await server.graphql(HOLDERS, { id: badgeIds.lab }, { token: jordan.token });

      expect(signedOut.body.errors).toBeUndefined();
      expect(signedOut.body.data.badge.holders.nodes).toEqual([
        { recipient: { displayName: 'Maya Chen' }, note: null },
      ]);
      expect(byJordan.body.data.badge.holders.nodes).toEqual([
        { recipient: { displayName: 'Maya Chen' }, note: 'Maya lab note' },
        { recipient: { displayName: 'Noah Reyes' }, note: 'Careful with the burners' },
      ]);
    });
  });

  describe('communityActivity', () => {
    test('replay over SSE hides private awards', async () => {
      const results = await readEventStream(server, ACTIVITY, { id: community.id, after: '0' }, 5);
      const awards = results.map((result) => result.data.communityActivity);
      const text = JSON.stringify(results);

      expect(awards).toHaveLength(5);
      expect(awards.every((event) => event.type === 'BADGE_AWARDED')).toBe(true);
      expect(results.every((result) => result.errors === undefined)).toBe(true);
      expect(awards.filter((event) => event.badgeAward !== null)).toEqual([
        expect.objectContaining({ badgeAward: expect.objectContaining({ id: awardsOf.maya[0] }) }),
        expect.objectContaining({ badgeAward: expect.objectContaining({ id: awardsOf.maya[1] }) }),
      ]);
      expect(text).not.toContain('Noah');
      expect(text).not.toContain('Careful with the burners');
      expect(text).not.toContain('Maya lab note');
      expect(text).not.toContain('Maya left the robotics team');
    });

    test('managers get private awards over SSE', async () => {
      const results = await readEventStream(
        server,
        ACTIVITY,
        { id: community.id, after: '0' },
        5,
        jordan.token,
      );
      const awards = results.map((result) => result.data.communityActivity.badgeAward);

      expect(awards).toHaveLength(5);
      expect(awards.every((award) => award !== null)).toBe(true);
      expect(awards[0]).toMatchObject({
        note: 'Careful with the burners',
        recipient: { displayName: 'Noah Reyes' },
      });
    });

    test('live WebSocket event hides private award', async () => {
      const asOutsider = server.subscribe(
        ACTIVITY,
        { id: community.id },
        { token: outsider.token },
      );
      const asJordan = server.subscribe(ACTIVITY, { id: community.id }, { token: jordan.token });
      await asOutsider.settle();
      await asJordan.settle();

      const awardId = await award(badgeIds.late, noah, 'Noah late note');
      const seenByOutsider = await asOutsider.next();
      const seenByJordan = await asJordan.next();
      await asOutsider.close();
      await asJordan.close();

      expect(seenByOutsider.errors).toBeUndefined();
      expect(seenByOutsider.data.communityActivity).toMatchObject({
        type: 'BADGE_AWARDED',
        badgeAward: null,
      });
      expect(seenByJordan.data.communityActivity.badgeAward).toMatchObject({
        id: awardId,
        note: 'Noah late note',
      });
    });
  });

  describe('revocation seen by the recipient', () => {
    test('notification gives the reason and award', async () => {
      const result = await server.graphql(NOTIFICATIONS, {}, { token: noah.token });
      const revoked = result.body.data.notifications.nodes.find(
        (notification: Json) => notification.kind === 'BADGE_REVOKED',
      );

      expect(result.body.errors).toBeUndefined();
      expect(revoked.message).toBe(
        'Jordan Ellis revoked your badge “Robotics Helper”: Awarded to the wrong person',
      );
      expect(revoked.badge.id).toBe(badgeIds.robotics);
      expect(revoked.badgeAward).toEqual({
        id: awardsOf.noah[1],
        status: 'revoked',
        note: 'Noah robotics note',
        revokeReason: 'Awarded to the wrong person',
      });
    });

    test('history lists revoked and expired awards', async () => {
      const own = await server.graphql(HISTORY, { id: noah.id }, { token: noah.token });
      const user = own.body.data.node;

      expect(own.body.errors).toBeUndefined();
      expect(user.badgeAwardHistory.nodes).toEqual([
        expect.objectContaining({
          id: awardsOf.noah[2],
          status: 'expired',
          revokeReason: null,
          badge: { name: 'Short Course' },
        }),
        expect.objectContaining({
          id: awardsOf.noah[1],
          status: 'revoked',
          revokeReason: 'Awarded to the wrong person',
          badge: { name: 'Robotics Helper' },
        }),
      ]);
      expect(user.badgeAwardHistory.nodes[1].revokedAt).toEqual(expect.any(String));
      expect(user.badgeAwards.nodes.map((node: Json) => node.status)).not.toContain('revoked');
    });

    test('history is null for others', async () => {
      for (const token of [undefined, jordan.token, maya.token]) {
        const result = await server.graphql(HISTORY, { id: noah.id }, { token });

        expect(result.body.errors).toBeUndefined();
        expect(result.body.data.node.badgeAwardHistory).toBeNull();
      }
    });

    test('badge shows the viewer their own awards', async () => {
      const own = await server.graphql(
        VIEWER_AWARDS,
        { id: badgeIds.robotics },
        { token: noah.token },
      );
      const other = await server.graphql(
        VIEWER_AWARDS,
        { id: badgeIds.robotics },
        { token: pat.token },
      );
      const signedOut = await server.graphql(VIEWER_AWARDS, { id: badgeIds.robotics });

      expect(own.body.data.badge.viewerAwards.nodes).toEqual([
        expect.objectContaining({
          id: awardsOf.noah[1],
          status: 'revoked',
          revokeReason: 'Awarded to the wrong person',
        }),
      ]);
      expect(other.body.data.badge.viewerAwards.nodes).toEqual([]);
      expect(signedOut.body.data.badge.viewerAwards.nodes).toEqual([]);
    });
  });

  describe('HEAD with the session cookie', () => {
    let districtImageUrl = '';

    test('reads district badge image and evidence', async () => {
      const db = server.database.db;
      const [district] = await db
        .insert(districts)
        .values({ slug: 'riverbend', name: 'Riverbend Unified' })
        .returning();
      const districtId = district?.id ?? 0;
      await db.insert(districtAdmins).values({ districtId, userId: rowIdOf(jordan.id) });
      await db
        .update(users)
        .set({ districtId })
        .where(eq(users.id, rowIdOf(noah.id)));
      const badge = await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          districtId: encodeGlobalID('District', districtId),
          name: 'Data Inquiry Lead',
          description: 'Leads a data inquiry cycle.',
          criteria: 'Run one inquiry cycle.',
          isteStandards: ['ANALYST'],
        },
        'id imageUrl',
        jordan.token,
      );
      const form = new FormData();
      form.set(
        'operations',
        JSON.stringify({
          query: UPLOAD,
          variables: { input: { file: null, purpose: 'EVIDENCE' } },
        }),
      );
      form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
      form.set('0', new Blob([new Uint8Array(makePdf())]), 'inquiry.pdf');
      const uploaded = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${noah.token}` },
        body: form,
      }).then((response) => response.json());
      const evidenceUrl = uploaded.data.uploadFile.data.url as string;
      districtImageUrl = badge.imageUrl;
      const cookie = await signInWithCookie(server, noah);

      const request = (path: string, method: string, headers: Record<string, string> = {}) =>
        fetch(`${server.url}${path}`, { method, headers });
      const imageHead = await request(badge.imageUrl, 'HEAD', { cookie });
      const imageGet = await request(badge.imageUrl, 'GET', { cookie });
      const imageHeadSignedOut = await request(badge.imageUrl, 'HEAD');
      const evidenceHead = await request(evidenceUrl, 'HEAD', { cookie });
      const evidenceHeadSignedOut = await request(evidenceUrl, 'HEAD');

      expect(cookie).toMatch(/^staffroom_session=/);
      expect(imageGet.status).toBe(200);
      expect(imageHead.status).toBe(200);
      // The web client offers the baked credential download from this content type.
      expect(imageHead.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(imageHeadSignedOut.status).toBe(404);
      expect(evidenceHead.status).toBe(200);
      expect(evidenceHeadSignedOut.status).toBe(404);
    });

    test('cross-site HEAD ignores the cookie', async () => {
      const cookie = await signInWithCookie(server, noah);

      const crossSite = await fetch(`${server.url}${districtImageUrl}`, {
        method: 'HEAD',
        headers: { cookie, origin: 'https://evil.example.com' },
      });

      expect(districtImageUrl).toMatch(/^\/badges\//);
      expect(crossSite.status).toBe(404);
    });
  });
});
