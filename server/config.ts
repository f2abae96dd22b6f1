import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** TCP port to listen on; 0 picks a free one. */
  port: number;
  /** Address the server listens on. */
  host: string;
  /** Base URL of this deployment, for links and for the WebSocket Origin check. */
  publicUrl: string;
  /** PostgreSQL connection string; without it the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database. */
  dataDir: string;
  /** Redis URL for pub/sub shared between server processes; without it pub/sub stays in memory. */
  redisUrl: string | undefined;
  logLevel: LogLevel;
  /** Seed demo data when the database has no users. */
  seedDemo: boolean;
  /** Serve the built client from `client/dist`, building it first when it is missing or stale. */
  serveClient: boolean;
  /** Add the number of SQL statements an operation ran to its result's `extensions`. */
  exposeQueryStats: boolean;
  /** Milliseconds that shutdown waits for requests in flight before closing them. */
  shutdownTimeoutMs: number;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration from environment variables, rejecting malformed values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parseInteger(env.PORT, 'PORT', 4000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(
      `PUBLIC_URL "${publicUrl}" is not a valid URL; set it to the address users open, such as https://staffroom.example.org.`,
    );
  }

  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL "${env.LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}.`);
  }

  return {
    port,
    host,
    publicUrl,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR?.startsWith('memory://')
      ? env.DATA_DIR
      : resolve(env.DATA_DIR || './data'),
    redisUrl: env.REDIS_URL || undefined,
    logLevel,
    seedDemo: parseBoolean(env.SEED_DEMO, 'SEED_DEMO', true),
    serveClient: parseBoolean(env.SERVE_CLIENT, 'SERVE_CLIENT', true),
    exposeQueryStats: parseBoolean(env.QUERY_STATS, 'QUERY_STATS', false),
    shutdownTimeoutMs: parseInteger(
      env.SHUTDOWN_TIMEOUT_MS,
      'SHUTDOWN_TIMEOUT_MS',
      10_000,
      0,
      600_000,
    ),
  };
}

function parseInteger(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') {
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} "${value}" is not an integer from ${min} to ${max}.`);
  }
  return parsed;
}

function parseBoolean(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') {
    return fallback;
  }
  if (['1', 'true', 'yes'].includes(value.toLowerCase())) {
    return true;
  }
  if (['0', 'false', 'no'].includes(value.toLowerCase())) {
    return false;
  }
  throw new ConfigError(`${name} "${value}" is not a boolean; use true or false.`);
}
