/**
 * Detection of the services that some suites need: the PostgreSQL server, Redis and Chromium.
 *
 * A suite gates itself on the services it needs:
 *
 * ```ts
 * const ready = await servicesAvailable('postgres', 'redis');
 * describe.skipIf(!ready)('two server processes', () => { ... });
 * ```
 *
 * - `requirement(...services)` only detects. It resolves to `{ available, reason, missing }` and
 *   neither warns nor throws, for a suite that decides for itself.
 * - `servicesAvailable(...services)` is the gate. It resolves to true when every service is
 *   reachable.
 *   When one is missing it resolves to false so the suite skips, or, with
 *   `STAFFROOM_REQUIRE_SERVICES=1` (as `.ci/run` sets), it throws so the file fails instead.
 *
 * The global setup in `tests/helpers/global-setup.ts` detects every service once per run, prints
 * one warning per missing service with the command that starts it, and hands the results to the
 * test files through `inject`. Without that setup each test file detects and warns on its own.
 *
 * Variables:
 * - `TEST_DATABASE_URL`: base URL of a PostgreSQL server, without a database name
 *   (default `postgres://root@127.0.0.1:5432`). The role must be allowed to create databases.
 * - `TEST_REDIS_URL`: Redis URL (default `redis://127.0.0.1:6379`).
 * - `CHROMIUM_PATH`: Chromium executable (default `/usr/bin/chromium`).
 * - `STAFFROOM_REQUIRE_SERVICES=1`: a missing service fails the run instead of skipping suites.
 */
import { accessSync, constants } from 'node:fs';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { inject } from 'vitest';

export const TEST_DATABASE_URL = (
  process.env.TEST_DATABASE_URL || 'postgres://root@127.0.0.1:5432'
).replace(/\/+$/, '');
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const SERVICES = ['postgres', 'redis', 'chromium'] as const;
export type Service = (typeof SERVICES)[number];

/** Outcome of one service's detection. `reason` is empty when the service is available. */
export interface ServiceStatus {
  available: boolean;
  reason: string;
}

export interface Requirement extends ServiceStatus {
  /** The unreachable services, in the order they were requested. */
  missing: Service[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    staffroomServices: Record<Service, ServiceStatus>;
  }
}

const PROBE_TIMEOUT_MS = 2000;

const HOW_TO_START: Record<Service, string> = {
  postgres: `start it with "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start" or set TEST_DATABASE_URL`,
  redis: `start it with "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''" or set TEST_REDIS_URL`,
  chromium: 'install it with "apt-get install chromium" or set CHROMIUM_PATH',
};

/** Returns the URL of database `name` on the test server, keeping user, host and parameters. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function probePostgres(): Promise<string | null> {
  const sql = postgres(testDatabaseUrl('postgres'), {
    max: 1,
    connect_timeout: PROBE_TIMEOUT_MS / 1000,
    onnotice: () => {},
  });
  try {
    await sql`select 1`;
    return null;
  } catch (error) {
    return `PostgreSQL connection to ${TEST_DATABASE_URL} failed (${messageOf(error)})`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function probeRedis(): Promise<string | null> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() rejects with a bare "Connection is closed.", so the socket error is kept for the
  // message. Without a listener ioredis would also print it as unhandled.
  let socketError: unknown = null;
  redis.on('error', (error) => {
    socketError = error;
  });
  try {
    await redis.connect();
    const reply = await redis.ping();
    return reply === 'PONG' ? null : `Redis at ${TEST_REDIS_URL} replied "${reply}" to PING`;
  } catch (error) {
    return `Redis connection to ${TEST_REDIS_URL} failed (${messageOf(socketError ?? error)})`;
  } finally {
    redis.disconnect();
  }
}

function probeChromium(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return null;
  } catch {
    return `no Chromium executable at ${CHROMIUM_PATH}`;
  }
}

/** Connects to one service with a short timeout and reports whether it is reachable, or why not. */
export async function detectService(service: Service): Promise<ServiceStatus> {
  let failure: string | null;
  if (service === 'postgres') {
    failure = await probePostgres();
  } else if (service === 'redis') {
    failure = await probeRedis();
  } else {
    failure = probeChromium();
  }
  if (failure === null) {
    return { available: true, reason: '' };
  }
  return { available: false, reason: `${failure}; ${HOW_TO_START[service]}` };
}

export function requireServicesStrictly(): boolean {
  return process.env.STAFFROOM_REQUIRE_SERVICES === '1';
}

const detections = new Map<Service, Promise<ServiceStatus>>();
const warned = new Set<Service>();

function providedStatus(service: Service): ServiceStatus | undefined {
  try {
    return inject('staffroomServices')?.[service];
  } catch {
    // inject throws outside a vitest worker, for instance in a script that imports the helpers.
    return undefined;
  }
}

function statusOf(service: Service): Promise<ServiceStatus> {
  let detection = detections.get(service);
  if (!detection) {
    const provided = providedStatus(service);
    if (provided) {
      // The global setup has already printed the warning for a missing service.
      warned.add(service);
      detection = Promise.resolve(provided);
    } else {
      detection = detectService(service);
    }
    detections.set(service, detection);
  }
  return detection;
}

/** Detects the services and reports whether all of them are available. Never throws. */
export async function requirement(...services: Service[]): Promise<Requirement> {
  const statuses = await Promise.all(services.map(statusOf));
  const missing = services.filter((_, index) => !statuses[index]?.available);
  const reason = statuses
    .filter((status) => !status.available)
    .map((status) => status.reason)
    .join('; ');
  return { available: missing.length === 0, reason, missing };
}

/**
 * Resolves to true when every service is available. Otherwise it warns once per missing service
 * and resolves to false, or throws when `STAFFROOM_REQUIRE_SERVICES=1` is set.
 */
export async function servicesAvailable(...services: Service[]): Promise<boolean> {
  const result = await requirement(...services);
  if (result.available) {
    return true;
  }
  if (requireServicesStrictly()) {
    throw new Error(
      `STAFFROOM_REQUIRE_SERVICES=1 requires ${result.missing.join(', ')}: ${result.reason}`,
    );
  }
  const unwarned = result.missing.filter((service) => !warned.has(service));
  if (unwarned.length > 0) {
    for (const service of unwarned) {
      warned.add(service);
    }
    console.warn(`Skipping suites that need ${result.missing.join(', ')}: ${result.reason}`);
  }
  return false;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(messageOf).join(', ');
  }
  if (error instanceof Error) {
    return error.message || (error as { code?: string }).code || error.name;
  }
  return String(error);
}
