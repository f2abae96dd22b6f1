import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { servicesAvailable, TEST_DATABASE_URL } from './services.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: DatabaseKind;
  /** Connection string for the PostgreSQL server; undefined for PGlite. */
  url: string | undefined;
  /** PGlite data folder, `memory://` unless a folder on disk was asked for. */
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * The database kinds a suite runs on: PGlite always, and the PostgreSQL server when one answers
 * (or fails the run when STAFFROOM_REQUIRE_SERVICES=1 and none does).
 */
export async function databaseKinds(): Promise<DatabaseKind[]> {
  return (await servicesAvailable('postgres')) ? ['pglite', 'postgres'] : ['pglite'];
}

/** Creates an empty database of its own for one test file: a new server database or a PGlite. */
export async function createTestDatabase(
  kind: DatabaseKind,
  options: { onDisk?: boolean } = {},
): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const folder = options.onDisk ? mkdtempSync(join(tmpdir(), 'staffroom-test-')) : null;
    return {
      kind,
      url: undefined,
      dataDir: folder ?? 'memory://',
      drop: async () => {
        if (folder) {
          rmSync(folder, { recursive: true, force: true });
        }
      },
    };
  }
  const name = `staffroom_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(`${TEST_DATABASE_URL}/postgres`, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return {
    kind,
    url: `${TEST_DATABASE_URL}/${name}`,
    dataDir: 'memory://',
    drop: async () => {
      const cleanup = postgres(`${TEST_DATABASE_URL}/postgres`, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end({ timeout: 5 });
      }
    },
  };
}
