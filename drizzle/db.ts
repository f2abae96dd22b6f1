import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { relations } from './relations.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** Key of the advisory lock that serializes migrations across server processes. */
const MIGRATION_LOCK_KEY = 7_406_311;

export interface DatabaseOptions {
  /** A PostgreSQL connection string; without it the embedded PGlite database is used. */
  url?: string | undefined;
  /** Folder of the embedded database; `memory://` keeps it in memory. */
  dataDir: string;
  /** Connections in the pool, for the PostgreSQL server only. */
  maxConnections?: number;
  /** Called once for every SQL statement sent. */
  onQuery?: (query: string, params: unknown[]) => void;
}

/**
 * The PGlite driver is typed apart from postgres-js, but both speak the same PostgreSQL dialect
 * and the services only use what they share, so both are typed as the postgres-js database.
 */
export type Database = PostgresJsDatabase<typeof relations>;

function createDrizzle(options: DatabaseOptions): {
  db: Database;
  driver: 'postgres' | 'pglite';
  close: () => Promise<void>;
} {
  const logger = options.onQuery
    ? { logQuery: (query: string, params: unknown[]) => options.onQuery?.(query, params) }
    : undefined;

  if (options.url) {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
    });
    const db = drizzlePostgres({ client, relations, logger });
    return { db, driver: 'postgres', close: () => client.end({ timeout: 5 }) };
  }

  if (!options.dataDir.startsWith('memory://')) {
    mkdirSync(options.dataDir, { recursive: true });
  }
  const client = new PGlite(options.dataDir);
  const db = drizzlePglite({ client, relations, logger }) as unknown as Database;
  return { db, driver: 'pglite', close: () => client.close() };
}
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /** Reports whether the database accepts a query, for readiness checks. */
  ping: () => Promise<boolean>;
  close: () => Promise<void>;
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  const opened = createDrizzle(options);
  return {
    db: opened.db,
    driver: opened.driver,
    ping: async () => {
      try {
        await opened.db.execute('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await opened.close();
    },
  };
}

/**
 * Applies the committed migrations. On the PostgreSQL server a session-level advisory lock on a
 * connection of its own keeps several starting instances from migrating at once.
 * Returns the number of migrations that were pending.
 */
export async function migrateDatabase(
  options: DatabaseOptions,
  handle: DatabaseHandle,
): Promise<{ applied: number }> {
  if (options.url) {
    const client = postgres(options.url, { max: 1, onnotice: () => {} });
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
      const before = await countAppliedMigrations(client);
      await migratePostgres(drizzlePostgres({ client, relations }), {
        migrationsFolder: MIGRATIONS_FOLDER,
      });
      const after = await countAppliedMigrations(client);
      await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
      return { applied: after - before };
    } finally {
      await client.end({ timeout: 5 });
    }
  }

  const db = handle.db as unknown as Parameters<typeof migratePglite>[0];
  const before = await countAppliedMigrationsWith((text) => handle.db.execute(text));
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const after = await countAppliedMigrationsWith((text) => handle.db.execute(text));
  return { applied: after - before };
}

const COUNT_MIGRATIONS = `select count(*)::int as count from drizzle.__drizzle_migrations`;
const MIGRATIONS_TABLE_EXISTS = `select to_regclass('drizzle.__drizzle_migrations') is not null as present`;

async function countAppliedMigrations(client: postgres.Sql): Promise<number> {
  return countAppliedMigrationsWith(async (text) => client.unsafe(text));
}

async function countAppliedMigrationsWith(
  run: (text: string) => Promise<unknown>,
): Promise<number> {
  const present = rowsOf(await run(MIGRATIONS_TABLE_EXISTS))[0]?.present;
  if (!present) {
    return 0;
  }
  return Number(rowsOf(await run(COUNT_MIGRATIONS))[0]?.count ?? 0);
}

/** postgres-js returns rows as an array, PGlite as `{ rows }`. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) {
    return result as Record<string, unknown>[];
  }
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}
