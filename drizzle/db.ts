import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm';
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
  /**
   * Called after each transaction commits, in the async context of the code that ran it. Only
   * the PostgreSQL server's transactions are reported.
   */
  onCommit?: () => void;
}

/**
 * Seconds to wait for a new connection to the PostgreSQL server. A stopped server refuses the
 * connection at once, but a host that is gone never responds, so this limit makes requests fail
 * fast instead of waiting out the 30-second default of postgres.js.
 */
const CONNECT_TIMEOUT_SECONDS = 3;

/**
 * Seconds before a pooled connection that failed connects again, with jitter: 50 ms doubling up
 * to 0.5 s. A query waits out this delay before its connection attempt, and postgres.js's
 * default grows to 20 s, which held requests that long while the server was down and for as
 * long after it came back.
 */
function reconnectDelaySeconds(failedAttempts: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failedAttempts, 0.5);
}

/** How often an unreachable database is checked again, so that its return is noticed. */
const RECHECK_INTERVAL_MS = 1000;

/** How long a readiness check waits for `select 1` before it counts the database as down. */
const PING_TIMEOUT_MS = 2000;

/** Socket errors of a connection to the server that is refused, reset or timed out. */
const SOCKET_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** postgres.js error codes for a connection that failed, closed or ended under a query. */
const DRIVER_FAILURES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * SQLSTATEs of a server that is shutting down, crashed, or not accepting connections yet:
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now. Class 08 (connection
 * exception) is matched by its prefix.
 */
const SERVER_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);

/**
 * Reports whether an error, or one of its causes, means that the PostgreSQL server could not be
 * reached or dropped the connection, as opposed to a query that failed on a live server.
 */
export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth += 1) {
    if (current instanceof AggregateError && current.errors.some(isConnectionFailure)) {
      return true;
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (SOCKET_FAILURES.has(code) || DRIVER_FAILURES.has(code)) {
        return true;
      }
      if (SERVER_UNAVAILABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) {
        return true;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The PGlite driver is typed apart from postgres-js, but both speak the same PostgreSQL dialect
 * and the services only use what they share, so both are typed as the postgres-js database.
 */
export type Database = PostgresJsDatabase<typeof relations>;

interface OpenedDrizzle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /** Replaces the pool of connections with a new one; a no-op for PGlite. */
  replacePool: () => void;
  close: () => Promise<void>;
}

/**
 * Reports whether an uncaught exception is postgres.js 3.4.10 writing to a connection whose
 * socket has already closed. It throws from a setImmediate callback, out of reach of any
 * caller, when a transaction's connection closes and postgres.js sends its ROLLBACK on it. The
 * transaction itself has already failed with CONNECTION_CLOSED, so the process can go on once
 * the pool is replaced (see replacePool).
 */
export function isClosedConnectionWrite(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    error.message === "Cannot read properties of null (reading 'write')" &&
    /nextWrite .*postgres[/\\]src[/\\]connection\.js/.test(error.stack ?? '')
  );
}

/**
 * Opens a postgres.js pool behind a forwarding client, so that the pool can be replaced while
 * drizzle keeps the client it was given. drizzle calls only `unsafe` and `begin` on it, and sets
 * its date parsers and serializers in `options` once, which each new pool copies.
 */
function openPostgresPool(options: DatabaseOptions & { url: string }, logger: Logger | undefined) {
  const connect = () =>
    postgres(options.url, {
      max: options.maxConnections ?? 10,
      connect_timeout: CONNECT_TIMEOUT_SECONDS,
      backoff: reconnectDelaySeconds,
      onnotice: () => {},
    });
  let client = connect();
  const retiring = new Set<Promise<void>>();
  const forwarder = {
    options: client.options,
    unsafe: (...args: Parameters<postgres.Sql['unsafe']>) => client.unsafe(...args),
    begin: (...args: unknown[]) => beginTracingCommit(client, args, options.onCommit),
  } as unknown as postgres.Sql;
  const db = drizzlePostgres({ client: forwarder, relations, logger });

  const replacePool = () => {
    const previous = client;
    client = connect();
    Object.assign(client.options.parsers, previous.options.parsers);
    Object.assign(client.options.serializers, previous.options.serializers);
    // Queries still running on the previous pool get 5 s to finish.
    const ending: Promise<void> = previous
      .end({ timeout: 5 })
      .catch(() => {})
      .finally(() => retiring.delete(ending));
    retiring.add(ending);
  };
  const close = async () => {
    await client.end({ timeout: 5 });
    await Promise.all(retiring);
  };
  return { db, replacePool, close };
}

/**
 * A transaction whose work finished and whose COMMIT was sent, but whose connection failed before
 * the reply came: it may have committed or not, and only the data can tell.
 */
export class CommitOutcomeUnknownError extends Error {
  override name = 'CommitOutcomeUnknownError';

  constructor(cause: unknown) {
    super('The database connection failed during COMMIT, so the transaction may have committed.', {
      cause,
    });
  }
}

/**
 * Runs postgres.js's `begin` and marks a connection failure that comes after the transaction's
 * work resolved as a CommitOutcomeUnknownError, because postgres.js then only sends COMMIT.
 */
async function beginTracingCommit(
  client: postgres.Sql,
  args: unknown[],
  onCommit: (() => void) | undefined,
): Promise<unknown> {
  const work = args.at(-1) as (transaction: postgres.TransactionSql) => Promise<unknown>;
  let workDone = false;
  const traced = async (transaction: postgres.TransactionSql) => {
    const result = await work(transaction);
    workDone = true;
    return result;
  };
  const begin = client.begin as (...args: unknown[]) => Promise<unknown>;
  try {
    const result = await begin(...args.slice(0, -1), traced);
    onCommit?.();
    return result;
  } catch (error) {
    throw workDone && isConnectionFailure(error) ? new CommitOutcomeUnknownError(error) : error;
  }
}

function createDrizzle(options: DatabaseOptions): OpenedDrizzle {
  const logger = options.onQuery
    ? { logQuery: (query: string, params: unknown[]) => options.onQuery?.(query, params) }
    : undefined;

  if (options.url) {
    return { ...openPostgresPool({ ...options, url: options.url }, logger), driver: 'postgres' };
  }

  if (!options.dataDir.startsWith('memory://')) {
    mkdirSync(options.dataDir, { recursive: true });
  }
  const client = new PGlite(options.dataDir);
  const db = drizzlePglite({ client, relations, logger }) as unknown as Database;
  return { db, driver: 'pglite', replacePool: () => {}, close: () => client.close() };
}
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /** Reports whether the database accepts a query, for readiness checks. */
  ping: () => Promise<boolean>;
  /** False from a reported connection failure until the database responds again. */
  readonly reachable: boolean;
  /**
   * Takes an error from any query. A connection failure marks the database unreachable, and it is
   * then checked every second until it responds. Other errors are ignored.
   */
  reportError: (error: unknown) => void;
  /** Calls `listener` when the database becomes unreachable (with the error) or reachable again. */
  onReachabilityChange: (listener: (reachable: boolean, error?: unknown) => void) => void;
  /**
   * Replaces the PostgreSQL connection pool with a new one, as after a connection failure that
   * postgres.js cannot recover from (see isClosedConnectionWrite). Queries in flight finish on
   * the old pool.
   */
  replacePool: () => void;
  close: () => Promise<void>;
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  const opened = createDrizzle(options);
  const listeners: ((reachable: boolean, error?: unknown) => void)[] = [];
  let reachable = true;
  let recheckTimer: NodeJS.Timeout | null = null;
  let closed = false;

  const setReachable = (value: boolean, error?: unknown) => {
    if (value === reachable) {
      return;
    }
    reachable = value;
    // postgres.js 3.4.10 cancels a connection's pending write when its socket closes but keeps
    // the cancelled timer, and then never sends a write under 1 KB on that connection again: each
    // of its connection attempts times out. A fresh pool after an outage has no such connection.
    if (value) {
      opened.replacePool();
    }
    for (const listener of listeners) {
      listener(value, error);
    }
  };
  const ping = async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), PING_TIMEOUT_MS);
    });
    try {
      if ((await Promise.race([opened.db.execute('select 1'), timeout])) === 'timeout') {
        return false;
      }
      setReachable(true);
      return true;
    } catch (error) {
      reportError(error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  const scheduleRecheck = () => {
    if (recheckTimer || closed) {
      return;
    }
    recheckTimer = setTimeout(() => {
      void ping().then((answered) => {
        recheckTimer = null;
        if (!answered) {
          scheduleRecheck();
        }
      });
    }, RECHECK_INTERVAL_MS);
    recheckTimer.unref();
  };
  const reportError = (error: unknown) => {
    if (closed || !isConnectionFailure(error)) {
      return;
    }
    setReachable(false, error);
    scheduleRecheck();
  };

  return {
    db: opened.db,
    driver: opened.driver,
    ping,
    get reachable() {
      return reachable;
    },
    reportError,
    onReachabilityChange: (listener) => {
      listeners.push(listener);
    },
    replacePool: opened.replacePool,
    close: async () => {
      closed = true;
      if (recheckTimer) {
        clearTimeout(recheckTimer);
      }
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
