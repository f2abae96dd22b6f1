/**
 * Empty databases for tests, one per suite: an in-memory PGlite or a database of its own on the
 * PostgreSQL server at `TEST_DATABASE_URL`.
 *
 * `TEST_DATABASE_URL` is the base URL of a PostgreSQL server for tests, without a database name.
 * It defaults to `postgres://root@127.0.0.1:5432`, and its role needs the CREATEDB privilege.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { servicesAvailable, testDatabaseUrl } from './services.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: DatabaseKind;
  /** Connection string of the server database, or undefined for PGlite. */
  url?: string;
  /** PGlite data folder: `memory://`, or a temporary folder when `onDisk` was set. */
  dataDir: string;
  /** Drops the server database, closing its connections, or deletes the PGlite folder. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Keeps PGlite in a temporary folder, for tests that close and reopen the database. */
  onDisk?: boolean;
}

/**
 * Returns the database kinds a suite runs on: PGlite always, and the PostgreSQL server when one
 * is reachable. With STAFFROOM_REQUIRE_SERVICES=1 a missing server throws instead.
 */
export async function databaseKinds(): Promise<DatabaseKind[]> {
  return (await servicesAvailable('postgres')) ? ['pglite', 'postgres'] : ['pglite'];
}

/** Creates an empty database: a new `staffroom_test_<random>` on the server, or a PGlite. */
export async function createTestDatabase(
  kind: DatabaseKind,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  if (kind === 'pglite') {
    return createPgliteDatabase(options);
  }

  const name = `staffroom_test_${randomBytes(6).toString('hex')}`;
  await runOnServer(`create database ${name}`);
  let dropped = false;
  return {
    kind,
    url: testDatabaseUrl(name),
    dataDir: 'memory://',
    drop: async () => {
      if (dropped) {
        return;
      }
      dropped = true;
      // FORCE (PostgreSQL 13 and later) ends the connections a stopped server may have left.
      await runOnServer(`drop database if exists ${name} with (force)`);
    },
  };
}

function createPgliteDatabase(options: TestDatabaseOptions): TestDatabase {
  if (!options.onDisk) {
    return { kind: 'pglite', dataDir: 'memory://', drop: async () => {} };
  }
  const folder = mkdtempSync(join(tmpdir(), 'staffroom-test-'));
  return {
    kind: 'pglite',
    dataDir: folder,
    drop: async () => {
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Runs one statement on the server's `postgres` database, outside any test database. */
async function runOnServer(statement: string): Promise<void> {
  const admin = postgres(testDatabaseUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
