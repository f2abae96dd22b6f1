import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrateDatabase, openDatabase } from '../../drizzle/db.ts';

/**
 * Base URL of the PostgreSQL server the benchmark runs on, without a database name. Its role
 * needs the CREATEDB privilege.
 */
export const BENCH_SERVER_URL = (
  process.env.BENCH_DATABASE_URL || 'postgres://root@127.0.0.1:5432'
).replace(/\/+$/, '');

export interface BenchDatabase {
  name: string;
  url: string;
  /** Drops the database, ending the connections that are still open; safe to call twice. */
  drop(): Promise<void>;
}

/** Returns the URL of database `name` on the benchmark server. */
export function benchDatabaseUrl(name: string): string {
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Creates an empty database named `staffroom_bench_<random>` and applies the project's
 * migrations to it, as a starting server does.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `staffroom_bench_${randomBytes(6).toString('hex')}`;
  await runOnServer(`create database ${name}`);
  let dropped = false;
  const database: BenchDatabase = {
    name,
    url: benchDatabaseUrl(name),
    drop: async () => {
      if (dropped) {
        return;
      }
      dropped = true;
      // FORCE (PostgreSQL 13 and later) ends the connections of a server that was killed.
      await runOnServer(`drop database if exists ${name} with (force)`);
    },
  };
  try {
    const options = { url: database.url, dataDir: 'memory://', maxConnections: 1 };
    const handle = openDatabase(options);
    try {
      await migrateDatabase(options, handle);
    } finally {
      await handle.close();
    }
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

/** Reads the server's version string, such as "PostgreSQL 15.20 (Debian 15.20-0+deb12u1)". */
export async function serverVersion(): Promise<string> {
  const sql = postgres(benchDatabaseUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ version: string }[]>`select version()`;
    return (row?.version ?? 'unknown').replace(/ on .*$/, '');
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function runOnServer(statement: string): Promise<void> {
  const admin = postgres(benchDatabaseUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
