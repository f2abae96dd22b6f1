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
  /** Milliseconds between checks for live session reminders that are due. */
  reminderIntervalMs: number;
  /** Milliseconds after its last heartbeat that a person in a live session room counts as gone. */
  presenceTimeoutMs: number;
  /** Milliseconds between sweeps that remove timed-out people from live session rooms. */
  presenceSweepIntervalMs: number;
  /** Milliseconds between writes of embed key use counts to the database. */
  embedUsageFlushMs: number;
  /** Milliseconds between runs of the worker that queues notification mail and digests. */
  notificationMailIntervalMs: number;
  /** Analytics figures computed over fewer distinct people than this are suppressed. */
  analyticsMinGroupSize: number;
  /** Whether per-minute limits on threads, posts and chat messages per person apply. */
  floodLimits: boolean;
  /** Accounts younger than this many days have stricter flood limits and links held; 0: none. */
  newAccountDays: number;
  /**
   * How many proxies in front of the server to trust: the client address is read that many
   * entries from the right of X-Forwarded-For. 0 (the default) uses the socket's address.
   */
  trustProxy: number;
  /** Origins besides PUBLIC_URL's that may call the API from a browser with the session cookie. */
  corsOrigins: string[];
  /** SMTP server for outgoing mail, such as smtp://user:pass@mail.example.org:587; without it mail is logged. */
  smtpUrl: string | undefined;
  /** The From address of outgoing mail. */
  mailFrom: string;
  /**
   * Key that encrypts stored secrets (SSO client secrets): 32 bytes, base64 or hex. Without it a
   * key is generated and kept in DATA_DIR.
   */
  secretKey: string | undefined;
  /**
   * The 32-byte seed of the Ed25519 key that signs Open Badges credentials, decoded from
   * CREDENTIAL_SIGNING_KEY (base64, base64url or hex). Without it the server creates a key once
   * and keeps it, encrypted, in the database.
   */
  credentialSigningSeed: Uint8Array | undefined;
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
    reminderIntervalMs: parseInteger(
      env.REMINDER_INTERVAL_MS,
      'REMINDER_INTERVAL_MS',
      30_000,
      100,
      3_600_000,
    ),
    presenceTimeoutMs: parseInteger(
      env.PRESENCE_TIMEOUT_MS,
      'PRESENCE_TIMEOUT_MS',
      60_000,
      100,
      3_600_000,
    ),
    presenceSweepIntervalMs: parseInteger(
      env.PRESENCE_SWEEP_INTERVAL_MS,
      'PRESENCE_SWEEP_INTERVAL_MS',
      10_000,
      50,
      600_000,
    ),
    embedUsageFlushMs: parseInteger(
      env.EMBED_USAGE_FLUSH_MS,
      'EMBED_USAGE_FLUSH_MS',
      10_000,
      50,
      600_000,
    ),
    analyticsMinGroupSize: parseInteger(
      env.ANALYTICS_MIN_GROUP_SIZE,
      'ANALYTICS_MIN_GROUP_SIZE',
      5,
      1,
      100,
    ),
    notificationMailIntervalMs: parseInteger(
      env.NOTIFICATION_MAIL_INTERVAL_MS,
      'NOTIFICATION_MAIL_INTERVAL_MS',
      10_000,
      50,
      3_600_000,
    ),
    floodLimits: parseBoolean(env.FLOOD_LIMITS, 'FLOOD_LIMITS', true),
    newAccountDays: parseInteger(env.NEW_ACCOUNT_DAYS, 'NEW_ACCOUNT_DAYS', 7, 0, 365),
    trustProxy: parseInteger(env.TRUST_PROXY, 'TRUST_PROXY', 0, 0, 10),
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || `Staffroom <no-reply@${new URL(publicUrl).hostname}>`,
    secretKey: env.SECRET_KEY || undefined,
    credentialSigningSeed: parseSigningSeed(env.CREDENTIAL_SIGNING_KEY),
  };
}

function parseSigningSeed(value: string | undefined): Uint8Array | undefined {
  if (!value) {
    return undefined;
  }
  const text = value.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, 'hex')
    : Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== 32) {
    throw new ConfigError(
      `CREDENTIAL_SIGNING_KEY must be 32 bytes in base64, base64url or hex (for instance from "openssl rand -base64 32"), but it decodes to ${bytes.length} bytes.`,
    );
  }
  return new Uint8Array(bytes);
}

function parseOrigins(value: string | undefined): string[] {
  if (!value) {
    return [];
  }
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      let origin: string;
      try {
        origin = new URL(entry).origin;
      } catch {
        origin = 'null';
      }
      if (origin === 'null' || origin !== entry.replace(/\/+$/, '')) {
        throw new ConfigError(
          `CORS_ORIGINS entry "${entry}" is not an origin; use scheme, host and port only, such as https://portal.example.org.`,
        );
      }
      return origin;
    });
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
