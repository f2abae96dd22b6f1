import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EMBED_OPERATIONS, embedOperationId } from '../../schema/embed-operations.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const PORTAL = 'https://portal.example.org';

describe.each(await databaseKinds())('widget sign-ins and signing out on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: { id: string; token: string };
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Olu Owner' });
    const community = await createCommunityWithMembers(server, owner.token, {
      name: 'Open Makers',
      slug: 'open-makers',
      focus: 'STEM',
      visibility: 'PUBLIC',
    });
    const created = await mutate(
      server,
      'createEmbedKey',
      'CreateEmbedKeyInput',
      { communityId: community.id, name: 'Portal', allowedOrigins: [PORTAL] },
      'key',
      owner.token,
    );
    key = created.key;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const widgetViewer = (token: string) =>
    fetch(`${server.url}/embed/graphql?key=${key}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: PORTAL,
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({
        operationName: 'WidgetViewer',
        extensions: {
          persistedQuery: {
            version: 1,
            sha256Hash: embedOperationId(EMBED_OPERATIONS.WidgetViewer),
          },
        },
      }),
    });

  const createWidgetToken = async (token: string) =>
    (
      await mutate(
        server,
        'createWidgetToken',
        'CreateWidgetTokenInput',
        { embedKey: key, origin: PORTAL },
        'token',
        token,
      )
    ).token as string;

  test('signing out everywhere ends widget sign-ins', async () => {
    const person = await signUpUser(server, { displayName: 'Wren Widget' });
    const widgetToken = await createWidgetToken(person.token);
    const before = await widgetViewer(widgetToken);
    expect(before.status).toBe(200);
    expect((await before.json()).data.viewer.displayName).toBe('Wren Widget');

    const result = await server.graphql(
      'mutation { signOutEverywhere { __typename } }',
      {},
      { token: person.token },
    );
    expect(result.status).toBe(200);
    const after = await widgetViewer(widgetToken);
    expect(after.status).toBe(401);
  });

  test('changing the password ends widget sign-ins', async () => {
    const person = await signUpUser(server, {
      displayName: 'Pat Password',
      password: 'first long passphrase here',
    });
    const widgetToken = await createWidgetToken(person.token);
    expect((await widgetViewer(widgetToken)).status).toBe(200);
    const changed = await server.graphql(
      `mutation($input: ChangePasswordInput!) { changePassword(input: $input) {
        __typename ... on Error { message } } }`,
      {
        input: {
          currentPassword: 'first long passphrase here',
          newPassword: 'second long passphrase here',
        },
      },
      { token: person.token },
    );
    expect(changed.body.data.changePassword.__typename).toBe('MutationChangePasswordSuccess');
    expect((await widgetViewer(widgetToken)).status).toBe(401);
  });
});
