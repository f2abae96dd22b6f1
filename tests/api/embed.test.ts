/**
 * Embed keys and the widget endpoint /embed/graphql: key management, persisted operations only,
 * the Origin check, what a key shows, widget sign-ins, live updates over WebSocket and
 * server-sent events, use counts, and the iframe variant at /embed/frame/<widget>.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { type Client, createClient, type SubscribePayload } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { rowsOf } from '../../drizzle/db.ts';
import { authSessions, districtAdmins, districts, users } from '../../drizzle/tables/index.ts';
import type { EmbedOperationName } from '../../schema/embed-operations.ts';
import { hashToken } from '../../server/auth/tokens.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { persistedBody, readEventStream } from '../helpers/embed.ts';
import {
  collect,
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const PORTAL = 'https://portal.example.org';
const INTRANET = 'https://intranet.example.org';
const DEV_SERVER = 'http://localhost:5173';
const STRANGER = 'https://evil.example.net';
/** The Accept header of the widgets' queries and mutations. */
const WIDGET_ACCEPT = 'application/graphql-response+json, application/json';
/** Has the form of a key but matches none. */
const MISSING_KEY = `ek_${'x'.repeat(32)}`;

const KEY_FIELDS = `id key name allowedOrigins districtReadAccepted revokedAt
  communities { id } community { id } district { id }`;
const payloadSelection = (field: string, success: string) => `__typename ... on Error { message }
  ... on ValidationError { issues { path message } } ... on ${success} { data { ${field} } }`;
const CREATE_KEY = `mutation($input: CreateEmbedKeyInput!) { createEmbedKey(input: $input) {
  ${payloadSelection(KEY_FIELDS, 'MutationCreateEmbedKeySuccess')} } }`;
const UPDATE_KEY = `mutation($input: UpdateEmbedKeyInput!) { updateEmbedKey(input: $input) {
  ${payloadSelection(KEY_FIELDS, 'MutationUpdateEmbedKeySuccess')} } }`;
const REVOKE_KEY = `mutation($input: RevokeEmbedKeyInput!) { revokeEmbedKey(input: $input) {
  ${payloadSelection(KEY_FIELDS, 'MutationRevokeEmbedKeySuccess')} } }`;
const CREATE_WIDGET_TOKEN = `mutation($input: CreateWidgetTokenInput!) {
  createWidgetToken(input: $input) {
    ${payloadSelection('token expiresAt viewer { id }', 'MutationCreateWidgetTokenSuccess')} } }`;
const KEY_USE = `query($id: ID!, $days: Int) { node(id: $id) { ... on EmbedKey {
  useCount lastUsedAt usage(days: $days) { day requests subscriptions frames } } } }`;

interface Person {
  id: string;
  token: string;
}

interface WidgetRequest {
  origin?: string;
  token?: string;
  accept?: string;
}

interface WidgetResponse {
  status: number;
  headers: Headers;
  body: Json;
}

function postEmbed(
  url: string,
  key: string,
  body: unknown,
  request: WidgetRequest = {},
): Promise<Response> {
  return fetch(`${url}/embed/graphql?key=${encodeURIComponent(key)}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: request.accept ?? WIDGET_ACCEPT,
      ...(request.origin && { origin: request.origin }),
      ...(request.token && { authorization: `Bearer ${request.token}` }),
    },
    body: JSON.stringify(body),
  });
}

/** Runs a persisted operation through an embed key, as a widget does. */
async function runWidget(
  url: string,
  key: string,
  name: EmbedOperationName,
  variables: Record<string, unknown>,
  request: WidgetRequest = {},
): Promise<WidgetResponse> {
  const response = await postEmbed(url, key, persistedBody(name, variables), request);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Opens a raw upgrade of /embed/graphql and resolves with its HTTP status, or 101 when it opened. */
function upgradeStatus(url: string, key: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      `${url.replace(/^http/, 'ws')}/embed/graphql?key=${key}`,
      'graphql-transport-ws',
      { headers: origin ? { origin } : {} },
    );
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/**
 * Wraps a graphql-ws client so that `subscribe({ query: <operation name> })` sends that persisted
 * operation as widgets do: an empty query and the document's id in extensions.
 */
function persisted(client: Client): Client {
  return {
    ...client,
    subscribe: (payload, sink) =>
      client.subscribe(
        {
          query: '',
          ...persistedBody(payload.query as EmbedOperationName, payload.variables ?? {}),
        },
        sink,
      ),
  };
}

/** Resolves with the first result or error of one operation on a socket. */
function firstOutcome(client: Client, payload: SubscribePayload): Promise<Json> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ timedOut: true }), 5000);
    const unsubscribe = client.subscribe(payload, {
      next: (value) => {
        clearTimeout(timer);
        unsubscribe();
        resolve({ next: value });
      },
      error: (error) => {
        clearTimeout(timer);
        resolve({ error });
      },
      complete: () => {},
    });
  });
}

/**
 * Extracts the community name, read flag and thread titles from a WidgetCommunityFeed result;
 * null when no community came back.
 */
function feedOf(result: WidgetResponse): {
  name: string;
  viewerCanRead: boolean;
  titles: string[] | null;
} | null {
  const community = result.body.data?.community;
  if (!community) {
    return null;
  }
  return {
    name: community.name,
    viewerCanRead: community.viewerCanRead,
    titles: community.threads?.nodes.map((thread: Json) => thread.title) ?? null,
  };
}

describe.each(await databaseKinds())('embed keys and widgets on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let member: Person;
  let outsider: Person;
  let admin: Person;
  let staffOwner: Person;
  let staffReader: Person;
  let otherAdmin: Person;
  let districtId: string;
  let publicCommunity: Json;
  let otherPublic: Json;
  let privateCommunity: Json;
  let districtCommunity: Json;
  let districtPrivate: Json;
  let lakesideCommunity: Json;
  let publicKey: Json;
  let privateKey: Json;
  let districtKey: Json;
  const sockets = new Set<Client>();

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database, env: { EMBED_USAGE_FLUSH_MS: '100' } });
    const named = (displayName: string) => signUpUser(server, { displayName });
    [owner, member, outsider, admin, staffOwner, staffReader, otherAdmin] = await Promise.all([
      named('Olive Owner'),
      named('Mina Member'),
      named('Oscar Outsider'),
      named('Dana Admin'),
      named('Stan Staff'),
      named('Rita Reader'),
      named('Lars Lakeside'),
    ]);
    const lakesideStaff = await named('Lena Lakeside');
    const { db } = server.database;
    const [riverbend, lakeside] = await db
      .insert(districts)
      .values([
        { slug: 'riverbend', name: 'Riverbend Unified' },
        { slug: 'lakeside', name: 'Lakeside County' },
      ])
      .returning();
    districtId = encodeGlobalID('District', riverbend?.id ?? 0);
    await db.insert(districtAdmins).values([
      { districtId: riverbend?.id ?? 0, userId: rowIdOf(admin.id) },
      { districtId: lakeside?.id ?? 0, userId: rowIdOf(otherAdmin.id) },
    ]);
    for (const [person, district] of [
      [admin, riverbend],
      [staffOwner, riverbend],
      [staffReader, riverbend],
      [lakesideStaff, lakeside],
    ] as const) {
      await db
        .update(users)
        .set({ districtId: district?.id ?? 0 })
        .where(eq(users.id, rowIdOf(person.id)));
    }

    const community = (token: string, name: string, visibility: string) =>
      mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name, focus: 'STEM', visibility },
        'id slug',
        token,
      );
    publicCommunity = await community(owner.token, 'Open STEM', 'PUBLIC');
    otherPublic = await community(owner.token, 'Other Public', 'PUBLIC');
    privateCommunity = await community(owner.token, 'Hidden Circle', 'PRIVATE');
    districtCommunity = await community(staffOwner.token, 'Riverbend Literacy', 'DISTRICT');
    districtPrivate = await community(staffOwner.token, 'Riverbend Leadership', 'DISTRICT');
    lakesideCommunity = await community(lakesideStaff.token, 'Lakeside Math', 'DISTRICT');
    // A district community made private stays the district's, so a district key may list it.
    await mutate(
      server,
      'updateCommunity',
      'UpdateCommunityInput',
      { communityId: districtPrivate.id, visibility: 'PRIVATE' },
      'id',
      staffOwner.token,
    );
    await mutate(
      server,
      'requestToJoin',
      'RequestToJoinInput',
      { communityId: privateCommunity.id },
      '__typename',
      member.token,
    );
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: publicCommunity.id },
      'id',
      member.token,
    );
    await mutate(
      server,
      'decideJoinRequest',
      'DecideJoinRequestInput',
      { communityId: privateCommunity.id, userId: member.id, approve: true },
      '__typename',
      owner.token,
    );
    for (const [target, token, title] of [
      [publicCommunity, owner.token, 'Robotics club kickoff'],
      [otherPublic, owner.token, 'Elsewhere'],
      [privateCommunity, owner.token, 'Secret plans'],
      [districtCommunity, staffOwner.token, 'Reading logs'],
      [districtPrivate, staffOwner.token, 'Budget talks'],
    ] as const) {
      await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: target.id, title, body: `${title}: first post` },
        'id',
        token,
      );
    }

    publicKey = await createKey(
      {
        communityId: publicCommunity.id,
        name: 'Portal feed',
        allowedOrigins: [PORTAL, INTRANET, DEV_SERVER],
      },
      owner.token,
    ).then(successData);
    privateKey = await createKey(
      { communityId: privateCommunity.id, name: 'Members portal', allowedOrigins: [PORTAL] },
      owner.token,
    ).then(successData);
    districtKey = await createKey(
      {
        districtId,
        name: 'District intranet',
        allowedOrigins: [PORTAL],
        communityIds: [districtCommunity.id, districtPrivate.id],
      },
      admin.token,
    ).then(successData);
  });

  afterAll(async () => {
    for (const client of sockets) {
      await client.dispose();
    }
    await server?.stop();
    await database?.drop();
  });

  /** Returns a mutation's payload, or throws with the response when there is none. */
  const payloadOf = (result: { status: number; body: Json }, field: string): Json => {
    const payload = result.body?.data?.[field];
    if (!payload) {
      throw new Error(`${field} failed with HTTP ${result.status}: ${JSON.stringify(result.body)}`);
    }
    return payload;
  };
  const createKey = async (input: Record<string, unknown>, token?: string) =>
    payloadOf(await server.graphql(CREATE_KEY, { input }, { token }), 'createEmbedKey');
  const updateKey = async (input: Record<string, unknown>, token?: string) =>
    payloadOf(await server.graphql(UPDATE_KEY, { input }, { token }), 'updateEmbedKey');
  const revokeKey = async (embedKeyId: string, token?: string) =>
    payloadOf(
      await server.graphql(REVOKE_KEY, { input: { embedKeyId } }, { token }),
      'revokeEmbedKey',
    );
  const createWidgetToken = async (embedKey: string, origin: string, token?: string) =>
    payloadOf(
      await server.graphql(CREATE_WIDGET_TOKEN, { input: { embedKey, origin } }, { token }),
      'createWidgetToken',
    );

  function successData(payload: Json): Json {
    if (!payload?.__typename?.endsWith('Success')) {
      throw new Error(`Expected success, got ${JSON.stringify(payload)}`);
    }
    return payload.data;
  }

  /** A fresh key of the public community, for a test that changes or revokes it. */
  const scratchKey = (allowedOrigins = [PORTAL]) =>
    createKey(
      { communityId: publicCommunity.id, name: 'Scratch key', allowedOrigins },
      owner.token,
    ).then(successData);

  const feed = (key: string, slug: string, request: WidgetRequest = {}) =>
    runWidget(server.url, key, 'WidgetCommunityFeed', { slug, first: 5 }, request);

  const widgetToken = async (key: string, origin: string, person: Person): Promise<string> =>
    successData(await createWidgetToken(key, origin, person.token)).token;

  const embedKeyCount = async () =>
    Number(
      rowsOf(await server.database.db.execute(sql`select count(*)::int as n from embed_keys`))[0]
        ?.n,
    );

  /**
   * Opens a lazy graphql-ws client on /embed/graphql. `connected` resolves on the server's ack,
   * or rejects when the socket closes before it.
   */
  function widgetSocket(key: string, request: WidgetRequest = {}) {
    let acknowledge = () => {};
    let fail = (_error: Error) => {};
    const connected = new Promise<void>((resolve, reject) => {
      acknowledge = resolve;
      fail = reject;
    });
    // Most callers never wait for the ack, so this keeps a refused socket from causing an
    // unhandled rejection.
    connected.catch(() => {});
    const client = createClient({
      url: `${server.url.replace(/^http/, 'ws')}/embed/graphql?key=${key}`,
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: request.origin ? { origin: request.origin } : {} });
        }
      },
      connectionParams: request.token ? { authorization: `Bearer ${request.token}` } : {},
      retryAttempts: 0,
      lazy: true,
      on: {
        connected: () => acknowledge(),
        closed: (event) => {
          const { code, reason } = event as { code?: number; reason?: string };
          fail(new Error(`Widget socket closed with ${code} ${reason ?? ''} before its ack`));
        },
      },
    });
    sockets.add(client);
    return { client, connected };
  }

  const eventCursorOf = async (slug: string, key = publicKey.key) =>
    (await feed(key, slug, { origin: PORTAL })).body.data.community.eventCursor as string;

  describe('key management', () => {
    test('rejects each malformed origin', async () => {
      const before = await embedKeyCount();
      const cases: [string[], string, RegExp][] = [
        [['http://portal.example.org'], 'allowedOrigins.0', /https/],
        [['https://portal.example.org/widgets'], 'allowedOrigins.0', /without a path/],
        [['https://*.example.org'], 'allowedOrigins.0', /wildcard/],
        [['portal.example.org'], 'allowedOrigins.0', /not an origin/],
        [[PORTAL, 'ftp://files.example.org'], 'allowedOrigins.1', /https/],
        [[], 'allowedOrigins', /at least one/],
        [
          Array.from({ length: 21 }, (_, index) => `https://site${index}.example.org`),
          'allowedOrigins',
          /at most 20/,
        ],
      ];

      for (const [allowedOrigins, path, message] of cases) {
        const result = await createKey(
          { communityId: publicCommunity.id, name: 'Bad origins', allowedOrigins },
          owner.token,
        );
        expect(result.__typename, allowedOrigins.join(' ')).toBe('ValidationError');
        const issue = result.issues.find((found: Json) => found.path.join('.') === path);
        expect(issue?.message, `${path} for ${allowedOrigins.join(' ')}`).toMatch(message);
      }
      expect(await embedKeyCount()).toBe(before);
    });

    test('normalizes origins and accepts loopback http', async () => {
      const key = await createKey(
        {
          communityId: publicCommunity.id,
          name: 'Normalized',
          allowedOrigins: ['HTTPS://Portal.Example.org:443', 'http://127.0.0.1:8080', PORTAL],
        },
        owner.token,
      ).then(successData);

      expect(key.allowedOrigins).toEqual([PORTAL, 'http://127.0.0.1:8080']);
      expect(key.key).toMatch(/^ek_[A-Za-z0-9_-]{32}$/);
      expect(key.community.id).toBe(publicCommunity.id);
      expect(key.district).toBeNull();
      expect(key.communities).toEqual([{ id: publicCommunity.id }]);
      await revokeKey(key.id, owner.token);
    });

    test('needs exactly one owner', async () => {
      const before = await embedKeyCount();

      const both = await createKey(
        {
          communityId: publicCommunity.id,
          districtId,
          name: 'Both',
          allowedOrigins: [PORTAL],
        },
        admin.token,
      );
      const neither = await createKey({ name: 'Neither', allowedOrigins: [PORTAL] }, owner.token);

      expect(both.__typename).toBe('ValidationError');
      expect(both.issues[0].path).toEqual(['communityId']);
      expect(neither.__typename).toBe('ValidationError');
      expect(neither.issues[0].path).toEqual(['communityId']);
      expect(await embedKeyCount()).toBe(before);
    });

    test('rejects scope a community key cannot have', async () => {
      const before = await embedKeyCount();

      const accepted = await createKey(
        {
          communityId: publicCommunity.id,
          name: 'Open reading',
          allowedOrigins: [PORTAL],
          districtReadAccepted: true,
        },
        owner.token,
      );
      const otherCommunity = await createKey(
        {
          communityId: publicCommunity.id,
          name: 'Two communities',
          allowedOrigins: [PORTAL],
          communityIds: [otherPublic.id],
        },
        owner.token,
      );

      expect(accepted.__typename).toBe('ValidationError');
      expect(accepted.issues[0].path).toEqual(['districtReadAccepted']);
      expect(otherCommunity.__typename).toBe('ValidationError');
      expect(otherCommunity.issues[0].path).toEqual(['communityIds']);
      expect(await embedKeyCount()).toBe(before);
    });

    test("rejects another district's community", async () => {
      const before = await embedKeyCount();

      const result = await createKey(
        {
          districtId,
          name: 'Reaching over',
          allowedOrigins: [PORTAL],
          communityIds: [lakesideCommunity.id, districtCommunity.id],
        },
        admin.token,
      );
      const empty = await createKey(
        { districtId, name: 'Nothing', allowedOrigins: [PORTAL], communityIds: [] },
        admin.token,
      );

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues.map((issue: Json) => issue.path.join('.'))).toEqual(['communityIds.0']);
      expect(empty.__typename).toBe('ValidationError');
      expect(empty.issues[0].path).toEqual(['communityIds']);
      expect(await embedKeyCount()).toBe(before);
    });

    test('only owners and admins create keys', async () => {
      const before = await embedKeyCount();
      const communityKey = (token?: string) =>
        createKey(
          { communityId: publicCommunity.id, name: 'Not mine', allowedOrigins: [PORTAL] },
          token,
        );
      const districtKeyBy = (token: string) =>
        createKey(
          {
            districtId,
            name: 'Not mine',
            allowedOrigins: [PORTAL],
            communityIds: [districtCommunity.id],
          },
          token,
        );

      const byMember = await communityKey(member.token);
      const byAdmin = await communityKey(admin.token);
      const signedOut = await communityKey();
      const byStaff = await districtKeyBy(staffReader.token);
      const byOtherAdmin = await districtKeyBy(otherAdmin.token);
      const hiddenCommunity = await createKey(
        { communityId: privateCommunity.id, name: 'Hidden', allowedOrigins: [PORTAL] },
        outsider.token,
      );

      expect(byMember.__typename).toBe('ForbiddenError');
      expect(byAdmin.__typename).toBe('ForbiddenError');
      expect(signedOut.__typename).toBe('UnauthenticatedError');
      expect(byStaff.__typename).toBe('ForbiddenError');
      expect(byOtherAdmin.__typename).toBe('ForbiddenError');
      expect(['ForbiddenError', 'NotFoundError']).toContain(hiddenCommunity.__typename);
      expect(await embedKeyCount()).toBe(before);
    });

    test('others cannot change or revoke a key', async () => {
      const key = await scratchKey();

      const renamed = await updateKey({ embedKeyId: key.id, name: 'Mine now' }, member.token);
      const byAdmin = await updateKey({ embedKeyId: key.id, name: 'Mine now' }, otherAdmin.token);
      const revoked = await revokeKey(key.id, outsider.token);
      const districtRevoked = await revokeKey(districtKey.id, otherAdmin.token);
      const [row] = rowsOf(
        await server.database.db.execute(
          sql`select name, revoked_at from embed_keys where id = ${rowIdOf(key.id)}`,
        ),
      );

      expect(renamed.__typename).toBe('NotFoundError');
      expect(byAdmin.__typename).toBe('NotFoundError');
      expect(revoked.__typename).toBe('NotFoundError');
      expect(districtRevoked.__typename).toBe('NotFoundError');
      expect(row?.name).toBe('Scratch key');
      expect(row?.revoked_at).toBeNull();
      await revokeKey(key.id, owner.token);
    });

    test('lists keys only for their managers', async () => {
      const communityKeys = async (token?: string) =>
        (
          await server.graphql(
            'query($slug: String!) { community(slug: $slug) { embedKeys { id key } } }',
            { slug: publicCommunity.slug },
            { token },
          )
        ).body;
      const districtKeys = async (token?: string) =>
        (
          await server.graphql(
            '{ district(slug: "riverbend") { embedKeys { id key communities { id } } } }',
            {},
            { token },
          )
        ).body;

      const ownerList = await communityKeys(owner.token);
      const adminList = await districtKeys(admin.token);
      const hidden = [
        await communityKeys(member.token),
        await communityKeys(admin.token),
        await communityKeys(),
      ];
      const hiddenDistrict = [
        await districtKeys(staffReader.token),
        await districtKeys(otherAdmin.token),
      ];

      expect(ownerList.data.community.embedKeys.map((key: Json) => key.id)).toContain(publicKey.id);
      expect(adminList.data.district.embedKeys).toEqual([
        {
          id: districtKey.id,
          key: districtKey.key,
          communities: expect.arrayContaining([
            { id: districtCommunity.id },
            { id: districtPrivate.id },
          ]),
        },
      ]);
      for (const body of hidden) {
        expect(body.errors).toBeUndefined();
        expect(body.data.community.embedKeys).toBeNull();
      }
      for (const body of hiddenDistrict) {
        expect(body.errors).toBeUndefined();
        expect(body.data.district?.embedKeys ?? null).toBeNull();
      }
    });

    test('node of a key is hidden from others', async () => {
      const read = (id: string, token?: string) =>
        server.graphql(
          'query($id: ID!) { node(id: $id) { ... on EmbedKey { id key name } } }',
          { id },
          { token },
        );

      const byOwner = await read(publicKey.id, owner.token);
      const byMember = await read(publicKey.id, member.token);
      const signedOut = await read(publicKey.id);
      const byOtherAdmin = await read(districtKey.id, otherAdmin.token);
      const byAdmin = await read(districtKey.id, admin.token);

      expect(byOwner.body.data.node.key).toBe(publicKey.key);
      expect(byAdmin.body.data.node.key).toBe(districtKey.key);
      for (const [hidden, key] of [
        [byMember, publicKey.key],
        [signedOut, publicKey.key],
        [byOtherAdmin, districtKey.key],
      ] as const) {
        expect(hidden.body.data?.node ?? null).toBeNull();
        expect(JSON.stringify(hidden.body)).not.toContain(key);
      }
    });

    test('revoked keys cannot be changed', async () => {
      const key = await scratchKey();

      const revoked = successData(await revokeKey(key.id, owner.token));
      const again = successData(await revokeKey(key.id, owner.token));
      const updated = await updateKey({ embedKeyId: key.id, name: 'Back again' }, owner.token);

      expect(revoked.revokedAt).not.toBeNull();
      expect(again.revokedAt).toBe(revoked.revokedAt);
      expect(updated.__typename).toBe('ConflictError');
      expect(updated.message).toMatch(/revoked/);
    });

    test('update validates like create and writes nothing', async () => {
      const key = await scratchKey();
      const changes = async () =>
        Number(
          rowsOf(
            await server.database.db.execute(
              sql`select count(*)::int as n from audit_log where action = 'embed_key.changed'`,
            ),
          )[0]?.n,
        );
      const changesBefore = await changes();

      const badOrigin = await updateKey(
        { embedKeyId: key.id, allowedOrigins: [PORTAL, 'https://portal.example.org/path'] },
        owner.token,
      );
      const accepted = await updateKey(
        { embedKeyId: key.id, districtReadAccepted: true },
        owner.token,
      );
      const foreign = await updateKey(
        { embedKeyId: districtKey.id, communityIds: [lakesideCommunity.id] },
        admin.token,
      );
      const current = (id: string, token: string) =>
        server
          .graphql(
            `query($id: ID!) { node(id: $id) { ... on EmbedKey { allowedOrigins
              districtReadAccepted communities { id } } } }`,
            { id },
            { token },
          )
          .then((result) => result.body.data.node);

      expect(badOrigin.__typename).toBe('ValidationError');
      expect(badOrigin.issues[0].path).toEqual(['allowedOrigins', '1']);
      expect(accepted.__typename).toBe('ValidationError');
      expect(accepted.issues[0].path).toEqual(['districtReadAccepted']);
      expect(foreign.__typename).toBe('ValidationError');
      expect(foreign.issues[0].path).toEqual(['communityIds', '0']);
      expect(await current(key.id, owner.token)).toEqual({
        allowedOrigins: [PORTAL],
        districtReadAccepted: false,
        communities: [{ id: publicCommunity.id }],
      });
      expect((await current(districtKey.id, admin.token)).communities).toHaveLength(2);
      expect(await changes()).toBe(changesBefore);
      await revokeKey(key.id, owner.token);
    });
  });

  describe('persisted operations', () => {
    test('rejects a document sent over HTTP', async () => {
      const response = await postEmbed(
        server.url,
        publicKey.key,
        { query: '{ viewer { id email } }' },
        { origin: PORTAL },
      );
      const withBoth = await postEmbed(
        server.url,
        publicKey.key,
        { query: '{ __typename }', ...persistedBody('WidgetViewer', {}) },
        { origin: PORTAL },
      );
      const body = await response.json();

      expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
      expect(body.data ?? null).toBeNull();
      expect((await withBoth.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    });

    test('rejects a document with HTTP 400', async () => {
      const response = await postEmbed(
        server.url,
        publicKey.key,
        { query: '{ __typename }' },
        { origin: PORTAL },
      );

      expect(response.status).toBe(400);
    });

    test('rejects an unknown id over HTTP', async () => {
      const response = await postEmbed(
        server.url,
        publicKey.key,
        persistedBody('WidgetViewer', {}, 'f'.repeat(64)),
        { origin: PORTAL },
      );
      const body = await response.json();

      expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(body.data ?? null).toBeNull();
    });

    test('runs a persisted operation over HTTP', async () => {
      const result = await feed(publicKey.key, publicCommunity.slug, { origin: PORTAL });

      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(feedOf(result)).toEqual({
        name: 'Open STEM',
        viewerCanRead: true,
        titles: ['Robotics club kickoff'],
      });
    });

    test('rejects documents on the WebSocket', async () => {
      const { client } = widgetSocket(publicKey.key, { origin: PORTAL });

      const document = await firstOutcome(client, { query: '{ viewer { id } }' });
      const unknown = await firstOutcome(client, {
        query: '',
        ...persistedBody('WidgetViewer', {}, 'e'.repeat(64)),
      });
      const known = await firstOutcome(client, {
        query: '',
        ...persistedBody('WidgetCommunityFeed', { slug: publicCommunity.slug, first: 5 }),
      });
      await client.dispose();

      expect(JSON.stringify(document.error)).toContain('PERSISTED_QUERY_ONLY');
      expect(JSON.stringify(unknown.error)).toContain('PERSISTED_QUERY_NOT_FOUND');
      expect(known.next.data.community.threads.nodes[0].title).toBe('Robotics club kickoff');
    });
  });

  describe('origins', () => {
    test('allowed origin gets CORS and a preflight', async () => {
      const result = await feed(publicKey.key, publicCommunity.slug, { origin: INTRANET });
      const preflight = await fetch(`${server.url}/embed/graphql?key=${publicKey.key}`, {
        method: 'OPTIONS',
        headers: {
          origin: INTRANET,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });

      expect(result.status).toBe(200);
      expect(result.headers.get('access-control-allow-origin')).toBe(INTRANET);
      expect(result.headers.get('access-control-allow-credentials')).toBeNull();
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(INTRANET);
      expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    });

    test('other origins get 403 without CORS', async () => {
      const result = await feed(publicKey.key, publicCommunity.slug, { origin: STRANGER });
      const preflight = await fetch(`${server.url}/embed/graphql?key=${publicKey.key}`, {
        method: 'OPTIONS',
        headers: { origin: STRANGER, 'access-control-request-method': 'POST' },
      });

      expect(result.status).toBe(403);
      expect(result.body.errors[0].extensions.code).toBe('EMBED_ORIGIN_NOT_ALLOWED');
      expect(result.body.data).toBeUndefined();
      expect(result.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });

    test('no Origin header relies on the key', async () => {
      const result = await feed(publicKey.key, publicCommunity.slug);
      const unknown = await feed(MISSING_KEY, publicCommunity.slug);
      const malformed = await feed('not-a-key', publicCommunity.slug);

      expect(result.status).toBe(200);
      expect(feedOf(result)?.titles).toContain('Robotics club kickoff');
      expect(result.headers.get('access-control-allow-origin')).toBeNull();
      expect(unknown.status).toBe(404);
      expect(unknown.body.errors[0].extensions.code).toBe('EMBED_KEY_NOT_FOUND');
      expect(malformed.status).toBe(404);
    });

    test("server's own origin is always allowed", async () => {
      const own = new URL(server.url).origin;

      const result = await feed(publicKey.key, publicCommunity.slug, { origin: own });

      expect(result.status).toBe(200);
      expect(result.headers.get('access-control-allow-origin')).toBe(own);
      expect(feedOf(result)?.titles).toContain('Robotics club kickoff');
      expect(await upgradeStatus(server.url, publicKey.key, own)).toBe(101);
    });

    test('WebSocket upgrade checks the origin', async () => {
      expect(await upgradeStatus(server.url, publicKey.key, STRANGER)).toBe(403);
      expect(await upgradeStatus(server.url, MISSING_KEY, PORTAL)).toBe(404);
      expect(await upgradeStatus(server.url, publicKey.key, PORTAL)).toBe(101);
      expect(await upgradeStatus(server.url, publicKey.key, DEV_SERVER)).toBe(101);
      expect(await upgradeStatus(server.url, publicKey.key)).toBe(101);
    });
  });

  describe('scope', () => {
    test('key shows only its communities', async () => {
      const listed = await feed(publicKey.key, publicCommunity.slug, { origin: PORTAL });
      const unlisted = await feed(publicKey.key, otherPublic.slug, { origin: PORTAL });
      const throughDistrictKey = await feed(districtKey.key, publicCommunity.slug, {
        origin: PORTAL,
      });

      expect(feedOf(listed)?.titles).toContain('Robotics club kickoff');
      expect(unlisted.body.data.community).toBeNull();
      expect(throughDistrictKey.body.data.community).toBeNull();
    });

    test('private community needs a member sign-in', async () => {
      const memberToken = await widgetToken(privateKey.key, PORTAL, member);
      const outsiderToken = await widgetToken(privateKey.key, PORTAL, outsider);

      const signedOut = await feed(privateKey.key, privateCommunity.slug, { origin: PORTAL });
      const asMember = await feed(privateKey.key, privateCommunity.slug, {
        origin: PORTAL,
        token: memberToken,
      });
      const asOutsider = await feed(privateKey.key, privateCommunity.slug, {
        origin: PORTAL,
        token: outsiderToken,
      });

      expect(feedOf(signedOut)).toEqual({
        name: 'Hidden Circle',
        viewerCanRead: false,
        titles: null,
      });
      expect(feedOf(asMember)).toEqual({
        name: 'Hidden Circle',
        viewerCanRead: true,
        titles: ['Secret plans'],
      });
      expect(feedOf(asOutsider)).toEqual({
        name: 'Hidden Circle',
        viewerCanRead: false,
        titles: null,
      });
    });

    test('member sign-in stays within the key', async () => {
      const memberToken = await widgetToken(privateKey.key, PORTAL, member);

      const elsewhere = await feed(privateKey.key, publicCommunity.slug, {
        origin: PORTAL,
        token: memberToken,
      });

      expect(elsewhere.status).toBe(200);
      expect(elsewhere.body.data.community).toBeNull();
    });

    test('district community opens to staff or on acceptance', async () => {
      const staffToken = await widgetToken(districtKey.key, PORTAL, staffReader);
      const outsiderToken = await widgetToken(districtKey.key, PORTAL, outsider);
      const after = await eventCursorOf(publicCommunity.slug);
      const subscribe = () =>
        collect(
          persisted(widgetSocket(districtKey.key, { origin: PORTAL }).client),
          'WidgetCommunityActivity',
          { communityId: districtCommunity.id, after },
        );

      const signedOut = await feed(districtKey.key, districtCommunity.slug, { origin: PORTAL });
      const refused = await subscribe()
        .next(5000)
        .catch((error: unknown) => error);
      const asStaff = await feed(districtKey.key, districtCommunity.slug, {
        origin: PORTAL,
        token: staffToken,
      });
      const asOutsider = await feed(districtKey.key, districtCommunity.slug, {
        origin: PORTAL,
        token: outsiderToken,
      });
      const accepted = successData(
        await updateKey({ embedKeyId: districtKey.id, districtReadAccepted: true }, admin.token),
      );
      const opened = subscribe();
      const thread = await mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: districtCommunity.id, title: 'Open reading', body: 'For everyone' },
        'id',
        staffOwner.token,
      );
      const event = await opened.next(5000);
      await opened.close();
      const withdrawn = successData(
        await updateKey({ embedKeyId: districtKey.id, districtReadAccepted: false }, admin.token),
      );
      const refusedAgain = await subscribe()
        .next(5000)
        .catch((error: unknown) => error);

      expect(signedOut.body.data.community).toBeNull();
      expect(JSON.stringify(refused)).toMatch(/not found/);
      expect(feedOf(asStaff)).toEqual({
        name: 'Riverbend Literacy',
        viewerCanRead: true,
        titles: ['Reading logs'],
      });
      expect(asOutsider.body.data.community).toBeNull();
      expect(accepted.districtReadAccepted).toBe(true);
      expect(event.data.communityActivity).toMatchObject({
        type: 'THREAD_CREATED',
        thread: { id: thread.id },
      });
      expect(withdrawn.districtReadAccepted).toBe(false);
      expect(JSON.stringify(refusedAgain)).toMatch(/not found/);
    });

    test('signed-out feed shows accepted district community', async () => {
      successData(
        await updateKey({ embedKeyId: districtKey.id, districtReadAccepted: true }, admin.token),
      );
      try {
        const result = await feed(districtKey.key, districtCommunity.slug, { origin: PORTAL });

        expect(feedOf(result)?.titles).toContain('Reading logs');
      } finally {
        await updateKey({ embedKeyId: districtKey.id, districtReadAccepted: false }, admin.token);
      }
    });

    test('accepted district key never opens private communities', async () => {
      const key = successData(
        await createKey(
          {
            districtId,
            name: 'Open leadership',
            allowedOrigins: [PORTAL],
            communityIds: [districtPrivate.id],
            districtReadAccepted: true,
          },
          admin.token,
        ),
      );

      const signedOut = await feed(key.key, districtPrivate.slug, { origin: PORTAL });
      const subscription = await firstOutcome(widgetSocket(key.key, { origin: PORTAL }).client, {
        query: '',
        ...persistedBody('WidgetCommunityActivity', { communityId: districtPrivate.id }),
      });

      expect(key.districtReadAccepted).toBe(true);
      expect(feedOf(signedOut)).toEqual({
        name: 'Riverbend Leadership',
        viewerCanRead: false,
        titles: null,
      });
      expect(JSON.stringify(subscription.error ?? subscription.next?.errors)).toMatch(/not found/);
      await revokeKey(key.id, admin.token);
    });
  });

  describe('widget sign-ins', () => {
    test('created for an allowed origin', async () => {
      const created = successData(await createWidgetToken(publicKey.key, PORTAL, member.token));

      const viewer = await runWidget(
        server.url,
        publicKey.key,
        'WidgetViewer',
        {},
        { origin: PORTAL, token: created.token },
      );

      expect(created.viewer.id).toBe(member.id);
      expect(new Date(created.expiresAt).getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
      expect(new Date(created.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
      expect(viewer.status).toBe(200);
      expect(viewer.body.data.viewer.id).toBe(member.id);
    });

    test('works only with its key and origin', async () => {
      const token = await widgetToken(publicKey.key, PORTAL, member);
      const otherKey = await scratchKey([PORTAL, INTRANET]);
      const viewer = (key: string, origin?: string) =>
        runWidget(server.url, key, 'WidgetViewer', {}, { origin, token });

      const otherOrigin = await viewer(publicKey.key, INTRANET);
      const withOtherKey = await viewer(otherKey.key, PORTAL);
      const noOrigin = await viewer(publicKey.key);
      const firstParty = await server.graphql('{ viewer { id } }', {}, { token });
      const sameAgain = await viewer(publicKey.key, PORTAL);

      for (const refused of [otherOrigin, withOtherKey, noOrigin]) {
        expect(refused.status).toBe(401);
        expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
      expect(otherOrigin.headers.get('access-control-allow-origin')).toBe(INTRANET);
      expect(firstParty.status).toBe(401);
      expect(firstParty.body.data?.viewer ?? null).toBeNull();
      expect(sameAgain.body.data.viewer.id).toBe(member.id);
      await revokeKey(otherKey.id, owner.token);
    });

    test('refused for an origin off the list', async () => {
      const stranger = await createWidgetToken(publicKey.key, STRANGER, member.token);
      const notAnOrigin = await createWidgetToken(publicKey.key, `${PORTAL}/page`, member.token);
      const unknownKey = await createWidgetToken(MISSING_KEY, PORTAL, member.token);
      const signedOut = await createWidgetToken(publicKey.key, PORTAL);
      const own = await createWidgetToken(publicKey.key, new URL(server.url).origin, member.token);

      expect(stranger.__typename).toBe('ForbiddenError');
      expect(stranger.message).toContain(STRANGER);
      expect(notAnOrigin.__typename).toBe('ValidationError');
      expect(unknownKey.__typename).toBe('NotFoundError');
      expect(signedOut.__typename).toBe('UnauthenticatedError');
      expect(own.__typename).toBe('MutationCreateWidgetTokenSuccess');
    });

    test('API tokens cannot sign widgets in', async () => {
      const { token: apiToken } = await mutate(
        server,
        'createApiToken',
        'CreateApiTokenInput',
        { name: 'Portal sync', scopes: ['READ', 'WRITE'], expiresInDays: 30 },
        'token',
        member.token,
      );
      const widgetSignIn = await widgetToken(publicKey.key, PORTAL, member);

      const created = await createWidgetToken(publicKey.key, PORTAL, apiToken);
      const fromWidget = await server.graphql(
        CREATE_WIDGET_TOKEN,
        { input: { embedKey: publicKey.key, origin: PORTAL } },
        { token: widgetSignIn },
      );
      const onEmbed = await runWidget(
        server.url,
        publicKey.key,
        'WidgetViewer',
        {},
        { origin: PORTAL, token: apiToken },
      );
      const bearerOnEmbed = await runWidget(
        server.url,
        publicKey.key,
        'WidgetViewer',
        {},
        { origin: PORTAL, token: member.token },
      );

      expect(created.__typename).toBe('ForbiddenError');
      expect(fromWidget.status).toBe(401);
      expect(fromWidget.body.data ?? null).toBeNull();
      expect(onEmbed.status).toBe(401);
      expect(onEmbed.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(bearerOnEmbed.status).toBe(401);
    });

    test('widget sockets accept only bound sign-ins', async () => {
      const token = await widgetToken(publicKey.key, PORTAL, member);
      const viewer = { query: '', ...persistedBody('WidgetViewer', {}) };

      const bound = await firstOutcome(
        widgetSocket(publicKey.key, { origin: PORTAL, token }).client,
        viewer,
      );
      const otherOrigin = await firstOutcome(
        widgetSocket(publicKey.key, { origin: INTRANET, token }).client,
        viewer,
      );
      const bearer = await firstOutcome(
        widgetSocket(publicKey.key, { origin: PORTAL, token: member.token }).client,
        viewer,
      );

      expect(bound.next.data.viewer.id).toBe(member.id);
      expect(otherOrigin.error?.code).toBe(4403);
      expect(bearer.error?.code).toBe(4403);
    });

    test('revoking the key ends its sign-ins', async () => {
      const key = await scratchKey();
      const token = await widgetToken(key.key, PORTAL, member);
      const { client, connected } = widgetSocket(key.key, { origin: PORTAL, token });
      const viewer = await firstOutcome(client, {
        query: '',
        ...persistedBody('WidgetViewer', {}),
      });
      const activity = collect(persisted(client), 'WidgetCommunityActivity', {
        communityId: publicCommunity.id,
      });
      await connected;

      await revokeKey(key.id, owner.token);
      const closing = await activity.next(5000).catch((error: unknown) => error);
      const [signIn] = await server.database.db
        .select({ revokedAt: authSessions.revokedAt })
        .from(authSessions)
        .where(eq(authSessions.tokenHash, hashToken(token)));
      const after = await runWidget(
        server.url,
        key.key,
        'WidgetViewer',
        {},
        { origin: PORTAL, token },
      );

      expect(viewer.next.data.viewer.id).toBe(member.id);
      expect(String(closing)).toMatch(/4403/);
      expect(signIn?.revokedAt).not.toBeNull();
      expect(after.status).toBe(403);
      expect(after.body.errors[0].extensions.code).toBe('EMBED_KEY_REVOKED');
      await expect(
        createWidgetToken(key.key, PORTAL, member.token).then((r) => r.__typename),
      ).resolves.toBe('ForbiddenError');
    });
    test('expiring sign-in closes its socket', async () => {
      const token = await widgetToken(publicKey.key, PORTAL, member);
      await server.database.db
        .update(authSessions)
        .set({ expiresAt: sql`now() + interval '3 seconds'` })
        .where(eq(authSessions.tokenHash, hashToken(token)));
      const { client } = widgetSocket(publicKey.key, { origin: PORTAL, token });
      const activity = collect(persisted(client), 'WidgetCommunityActivity', {
        communityId: publicCommunity.id,
      });

      // The subscription's own expiry check and the socket's run at the same instant, so a
      // FORBIDDEN result may arrive just before the socket closes.
      const first = await activity.next(6000).catch((error: unknown) => error);
      const closing =
        first instanceof Error ? first : await activity.next(5000).catch((error) => error);
      const after = await runWidget(
        server.url,
        publicKey.key,
        'WidgetViewer',
        {},
        { origin: PORTAL, token },
      );

      expect(first instanceof Error || first.errors[0].extensions.code === 'FORBIDDEN').toBe(true);
      expect(closing).toBeInstanceOf(Error);
      // After a FORBIDDEN result the server may complete the subscription before the socket
      // closes. On a slow machine the sign-in may expire before connection_init, which closes
      // with 4403 Forbidden instead.
      expect(String(closing)).toMatch(
        first instanceof Error
          ? /4403 (Sign-in expired|Forbidden)/
          : /4403 Sign-in expired|completed without an error/,
      );
      expect(after.status).toBe(401);
      expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(after.headers.get('access-control-allow-origin')).toBe(PORTAL);
    });
  });

  describe('live updates', () => {
    const postThread = (title: string) =>
      mutate(
        server,
        'createThread',
        'CreateThreadInput',
        { communityId: publicCommunity.id, title, body: 'Live' },
        'id',
        owner.token,
      );

    test('anonymous widget receives threads and replies', async () => {
      const after = await eventCursorOf(publicCommunity.slug);
      const { client } = widgetSocket(publicKey.key, { origin: PORTAL });
      const activity = collect(persisted(client), 'WidgetCommunityActivity', {
        communityId: publicCommunity.id,
        after,
      });

      const thread = await postThread('Live thread');
      const reply = await mutate(
        server,
        'createPost',
        'CreatePostInput',
        { threadId: thread.id, body: 'A live reply' },
        'id',
        member.token,
      );
      const first = await activity.next(5000);
      const second = await activity.next(5000);
      await activity.close();

      expect(first.data.communityActivity).toMatchObject({
        type: 'THREAD_CREATED',
        thread: { id: thread.id },
      });
      expect(second.data.communityActivity).toMatchObject({
        type: 'REPLY_POSTED',
        thread: { id: thread.id },
        post: { id: reply.id },
      });
    });

    test('revoking closes sockets with 4403', async () => {
      const key = await scratchKey([PORTAL, INTRANET]);
      const after = await eventCursorOf(publicCommunity.slug, key.key);
      const { client } = widgetSocket(key.key, { origin: PORTAL });
      const activity = collect(persisted(client), 'WidgetCommunityActivity', {
        communityId: publicCommunity.id,
        after,
      });
      await postThread('Before the revoke');
      await activity.next(5000);

      await revokeKey(key.id, owner.token);
      const closing = await activity.next(5000).catch((error: unknown) => error);
      const next = await feed(key.key, publicCommunity.slug, { origin: PORTAL });
      const fromStranger = await feed(key.key, publicCommunity.slug, { origin: STRANGER });

      expect(String(closing)).toMatch(/4403/);
      expect(activity.failure).toMatchObject({ code: 4403 });
      expect((activity.failure as { reason: string }).reason).toMatch(/revoked/);
      expect(next.status).toBe(403);
      expect(next.body.errors[0].extensions.code).toBe('EMBED_KEY_REVOKED');
      expect(next.headers.get('access-control-allow-origin')).toBe(PORTAL);
      expect(fromStranger.headers.get('access-control-allow-origin')).toBeNull();
      expect(await upgradeStatus(server.url, key.key, PORTAL)).toBe(403);
    });

    test('revoked key passes preflights from its origins', async () => {
      const key = await scratchKey();
      await revokeKey(key.id, owner.token);
      const preflight = (origin: string) =>
        fetch(`${server.url}/embed/graphql?key=${key.key}`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });

      const allowed = await preflight(PORTAL);
      const stranger = await preflight(STRANGER);

      // Browsers send the POST, whose EMBED_KEY_REVOKED error the widget reads, only after a
      // 2xx preflight.
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Content-Type/i);
      expect(stranger.status).toBe(403);
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    });

    test('changing origins closes sockets with 1012', async () => {
      const key = await scratchKey([PORTAL, INTRANET]);
      const { client, connected } = widgetSocket(key.key, { origin: PORTAL });
      const activity = collect(persisted(client), 'WidgetCommunityActivity', {
        communityId: publicCommunity.id,
      });
      await connected;

      successData(
        await updateKey(
          { embedKeyId: key.id, allowedOrigins: [INTRANET, DEV_SERVER] },
          owner.token,
        ),
      );
      const closing = await activity.next(5000).catch((error: unknown) => error);

      expect(String(closing)).toMatch(/1012/);
      expect(activity.failure).toMatchObject({ code: 1012 });
      expect(await upgradeStatus(server.url, key.key, PORTAL)).toBe(403);
      expect(await upgradeStatus(server.url, key.key, DEV_SERVER)).toBe(101);
      expect((await feed(key.key, publicCommunity.slug, { origin: PORTAL })).status).toBe(403);
      expect((await feed(key.key, publicCommunity.slug, { origin: DEV_SERVER })).status).toBe(200);
      await revokeKey(key.id, owner.token);
    });

    test('event stream receives events until revoked', async () => {
      const key = await scratchKey();
      const after = await eventCursorOf(publicCommunity.slug, key.key);
      const response = await postEmbed(
        server.url,
        key.key,
        persistedBody('WidgetCommunityActivity', { communityId: publicCommunity.id, after }),
        { origin: PORTAL, accept: 'text/event-stream' },
      );
      const stream = readEventStream(response);

      await postThread('Streamed thread');
      const received = await stream.waitFor(() => stream.text.includes('THREAD_CREATED'));
      await revokeKey(key.id, owner.token);
      const ended = await stream.waitFor(() => stream.ended);
      await stream.cancel();

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      expect(response.headers.get('access-control-allow-origin')).toBe(PORTAL);
      expect(received).toBe(true);
      expect(stream.text).toMatch(/event: next/);
      expect(ended).toBe(true);
    });
  });

  describe('use counts', () => {
    test('counts requests, subscriptions and frames', async () => {
      const key = await scratchKey();
      const use = () =>
        server
          .graphql(KEY_USE, { id: key.id, days: 7 }, { token: owner.token })
          .then((r) => r.body.data.node);
      const fresh = await use();

      for (let index = 0; index < 3; index += 1) {
        await feed(key.key, publicCommunity.slug, { origin: PORTAL });
      }
      await feed(key.key, publicCommunity.slug, { origin: STRANGER });
      await fetch(`${server.url}/embed/graphql?key=${key.key}`, {
        method: 'OPTIONS',
        headers: { origin: PORTAL, 'access-control-request-method': 'POST' },
      });
      const { client, connected } = widgetSocket(key.key, { origin: PORTAL });
      const activity = collect(persisted(client), 'WidgetCommunityActivity', {
        communityId: publicCommunity.id,
      });
      await connected;
      for (let index = 0; index < 2; index += 1) {
        await fetch(`${server.url}/embed/frame/feed?embed-key=${key.key}&community=x`);
      }
      let counted = fresh;
      for (let attempt = 0; attempt < 50 && counted.useCount < 6; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        counted = await use();
      }
      await activity.close();
      const badDays = await server.graphql(
        KEY_USE,
        { id: key.id, days: 0 },
        { token: owner.token },
      );

      expect(fresh.useCount).toBe(0);
      expect(fresh.lastUsedAt).toBeNull();
      expect(fresh.usage).toEqual([]);
      expect(counted.useCount).toBe(6);
      expect(Date.now() - new Date(counted.lastUsedAt).getTime()).toBeLessThan(60_000);
      const sum = (field: string) =>
        counted.usage.reduce((total: number, day: Json) => total + day[field], 0);
      expect(sum('requests')).toBe(3);
      expect(sum('subscriptions')).toBe(1);
      expect(sum('frames')).toBe(2);
      expect(counted.usage[0].day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(badDays.body.errors[0].message).toMatch(/days/);
      await revokeKey(key.id, owner.token);
    });
  });

  describe('iframe variant', () => {
    test('frame lists key origins as ancestors', async () => {
      const community = '"><script>alert(1)</script>';
      const response = await fetch(
        `${server.url}/embed/frame/feed?embed-key=${publicKey.key}&community=${encodeURIComponent(community)}&items=5&theme=dark`,
      );
      const html = await response.text();
      const policy = response.headers.get('content-security-policy') ?? '';

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(policy).toContain(`frame-ancestors 'self' ${PORTAL} ${INTRANET} ${DEV_SERVER}`);
      expect(html).toContain(`embed-key="${publicKey.key}"`);
      expect(html).toContain('community="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(html).not.toContain('<script>alert(1)');
      expect(html).toMatch(/<staffroom-feed [^>]*items="5"[^>]*theme="dark"[^>]*>/);
    });

    test('frame refuses unknown and revoked keys', async () => {
      const key = await scratchKey();
      await revokeKey(key.id, owner.token);

      const unknown = await fetch(`${server.url}/embed/frame/feed?embed-key=${MISSING_KEY}`);
      const revoked = await fetch(`${server.url}/embed/frame/feed?embed-key=${key.key}`);
      const noWidget = await fetch(
        `${server.url}/embed/frame/nothing?embed-key=${publicKey.key}&community=x`,
      );

      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(revoked.status).toBe(403);
      expect(revoked.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await revoked.text()).toMatch(/revoked/);
      expect(noWidget.status).toBe(404);
      expect(noWidget.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    });
  });
});
