/**
 * The platform-admin command (`npm run platform-admin -- <email> [--revoke]`), run as a child
 * process against a test database, with its effect checked over the API of a test server.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditLog, users } from '../../drizzle/tables/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Json, signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMAND_TIMEOUT_MS = 60_000;
// A test runs the command up to four times, and each run starts tsx and checks the migrations.
const TEST_TIMEOUT_MS = 120_000;

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `server/platform-admin-command.ts` with `args` and resolves when it exits. The database
 * comes from `env` alone: DATABASE_URL and DATA_DIR of this process are not passed on.
 */
function runCommand(args: string[], env: Record<string, string>): Promise<CommandResult> {
  const { DATABASE_URL: _url, DATA_DIR: _dataDir, ...inherited } = process.env;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/platform-admin-command.ts', ...args],
    {
      cwd: ROOT,
      env: { ...inherited, LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: COMMAND_TIMEOUT_MS,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function rowId(globalId: string): number {
  return Number(decodeGlobalID(globalId).id);
}

function setupToken(stdout: string): string {
  const token = /\/reset-password\?token=(\S+)/.exec(stdout)?.[1];
  if (!token) {
    throw new Error(`The command printed no setup link: ${stdout}`);
  }
  return decodeURIComponent(token);
}

const CREATE_DISTRICT = `mutation($input: CreateDistrictInput!) { createDistrict(input: $input) {
  __typename ... on Error { message } ... on MutationCreateDistrictSuccess { data { slug } } } }`;

async function createDistrictAs(server: TestServer, token: string, slug: string): Promise<Json> {
  const result = await server.graphql(
    CREATE_DISTRICT,
    { input: { name: `District ${slug}`, slug } },
    { token },
  );
  return result.body.data.createDistrict;
}

async function grantsOf(server: TestServer, userId: number) {
  return server.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'platform.admin_granted'), eq(auditLog.subjectUserId, userId)));
}

/** Chooses a password with the setup token, then signs in with it and returns the bearer token. */
async function choosePassword(
  server: TestServer,
  email: string,
  token: string,
  newPassword: string,
): Promise<{ reset: Json; signInToken: string | undefined }> {
  const reset = await server.graphql(
    `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) {
      __typename ... on Error { message } ... on MutationResetPasswordSuccess { data } } }`,
    { input: { token, newPassword } },
  );
  const signIn = await server.graphql(
    `mutation($input: SignInInput!) { signIn(input: $input) {
      __typename ... on MutationSignInSuccess { data { token } } } }`,
    { input: { email, password: newPassword } },
  );
  return {
    reset: reset.body.data.resetPassword,
    signInToken: signIn.body.data.signIn.data?.token,
  };
}

const serverReady = await servicesAvailable('postgres');

describe.skipIf(!serverReady)(
  'platform-admin command on PostgreSQL',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    let database: TestDatabase;
    let server: TestServer;
    let env: Record<string, string>;

    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      server = await startTestServer({ database });
      env = { DATABASE_URL: database.url as string, PUBLIC_URL: server.url };
    });

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    test('promotes, repeats and revokes an existing account', async () => {
      const person = await signUpUser(server, { displayName: 'Paz Promoted' });
      const before = await createDistrictAs(server, person.token, 'before-grant');

      const granted = await runCommand([person.email], env);
      const afterGrant = await createDistrictAs(server, person.token, 'after-grant');
      const repeated = await runCommand([person.email.toUpperCase()], env);
      const grants = await grantsOf(server, rowId(person.id));
      const log = await server.graphql(
        '{ platformAuditLog(first: 20) { nodes { action actor { id } subjectUser { id } } } }',
        {},
        { token: person.token },
      );
      const revoked = await runCommand([person.email, '--revoke'], env);
      const afterRevoke = await createDistrictAs(server, person.token, 'after-revoke');
      const revokedAgain = await runCommand([person.email, '--revoke'], env);

      expect(before.__typename).toBe('ForbiddenError');
      expect(granted.code).toBe(0);
      expect(granted.stdout).toContain(`${person.email} is now a platform admin.`);
      expect(afterGrant).toEqual({
        __typename: 'MutationCreateDistrictSuccess',
        data: { slug: 'after-grant' },
      });
      expect(repeated.code).toBe(0);
      expect(repeated.stdout).toContain('is already a platform admin; nothing changed.');
      expect(grants).toHaveLength(1);
      expect(grants[0]?.actorId).toBeNull();
      expect(grants[0]?.details).toEqual({ via: 'command' });
      expect(log.body.data.platformAuditLog.nodes).toContainEqual({
        action: 'platform.admin_granted',
        actor: null,
        subjectUser: { id: person.id },
      });
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`${person.email} is no longer a platform admin.`);
      expect(afterRevoke.__typename).toBe('ForbiddenError');
      expect(revokedAgain.stdout).toContain('is not a platform admin; nothing changed.');
    });

    test('creates an account with a setup link', async () => {
      const email = 'first.admin@example.org';

      const created = await runCommand([email], env);
      const token = setupToken(created.stdout);
      const { reset, signInToken } = await choosePassword(
        server,
        email,
        token,
        'a brand new passphrase',
      );
      const viewer = await server.graphql(
        '{ viewer { id email isPlatformAdmin } }',
        {},
        { token: signInToken },
      );
      const district = await createDistrictAs(server, signInToken as string, 'set-up-district');
      const grants = await grantsOf(server, rowId(viewer.body.data.viewer.id));
      const reused = await choosePassword(server, email, token, 'another new passphrase');

      expect(created.code).toBe(0);
      expect(created.stdout).toContain(`Created the platform admin account ${email}.`);
      expect(created.stdout).toContain(`${server.url}/reset-password?token=`);
      expect(reset).toEqual({ __typename: 'MutationResetPasswordSuccess', data: true });
      expect(signInToken).toEqual(expect.any(String));
      expect(viewer.body.data.viewer).toMatchObject({ email, isPlatformAdmin: true });
      expect(district.__typename).toBe('MutationCreateDistrictSuccess');
      expect(grants.map((grant) => grant.details)).toEqual([{ via: 'command', created: true }]);
      expect(reused.reset.__typename).toBe('ValidationError');
      expect(reused.signInToken).toBeUndefined();
    });

    test('revoking an unknown email creates nothing', async () => {
      const accountsBefore = await server.database.db.select({ id: users.id }).from(users);

      const result = await runCommand(['nobody@example.org', '--revoke'], env);
      const accountsAfter = await server.database.db.select({ id: users.id }).from(users);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        'nobody@example.org is not a platform admin; nothing changed.',
      );
      expect(accountsAfter).toHaveLength(accountsBefore.length);
    });

    test('rejects an unknown option with exit code 2', async () => {
      const result = await runCommand(['someone@example.org', '--force'], env);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: npm run platform-admin');
    });

    test('rejects a malformed email with exit code 2', async () => {
      const accountsBefore = await server.database.db.select({ id: users.id }).from(users);

      const result = await runCommand(['not-an-email'], env);
      const accountsAfter = await server.database.db.select({ id: users.id }).from(users);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/email/i);
      expect(result.stderr).toContain('Usage: npm run platform-admin');
      expect(result.stdout).toBe('');
      expect(accountsAfter).toHaveLength(accountsBefore.length);
    });
  },
);

describe('platform-admin command on embedded PGlite', { timeout: TEST_TIMEOUT_MS }, () => {
  let database: TestDatabase;
  let server: TestServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite', { onDisk: true });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('creates an admin without a running server', async () => {
    const email = 'offline.admin@example.org';

    const created = await runCommand([email], { DATA_DIR: database.dataDir });
    // The command has exited, so the server may open the same PGlite folder now.
    server = await startTestServer({ database });
    const { reset, signInToken } = await choosePassword(
      server,
      email,
      setupToken(created.stdout),
      'an offline passphrase',
    );
    const viewer = await server.graphql(
      '{ viewer { id isPlatformAdmin } }',
      {},
      { token: signInToken },
    );
    const grants = await grantsOf(server, rowId(viewer.body.data.viewer.id));

    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain(`Created the platform admin account ${email}.`);
    expect(reset.__typename).toBe('MutationResetPasswordSuccess');
    expect(viewer.body.data.viewer.isPlatformAdmin).toBe(true);
    expect(grants).toHaveLength(1);
  });
});
