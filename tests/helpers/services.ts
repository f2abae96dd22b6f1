import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import postgres from 'postgres';

/**
 * Detects the services that some suites need, once per test file. A suite skips when its
 * service is missing, with a message naming it; with STAFFROOM_REQUIRE_SERVICES=1 (as CI sets)
 * a missing service fails the suite instead.
 */

/** Base URL of a PostgreSQL server for tests, without a database name. */
export const TEST_DATABASE_URL = (
  process.env.TEST_DATABASE_URL || 'postgres://root@127.0.0.1:5432'
).replace(/\/+$/, '');
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export type Service = 'postgres' | 'redis' | 'chromium';

const HOW_TO_START: Record<Service, string> = {
  postgres: `no PostgreSQL server answered at ${TEST_DATABASE_URL}; start one or set TEST_DATABASE_URL`,
  redis: `no Redis answered at ${TEST_REDIS_URL}; start redis-server or set TEST_REDIS_URL`,
  chromium: `no Chromium at ${CHROMIUM_PATH}; install Debian's chromium package or set CHROMIUM_PATH`,
};

const checks = new Map<Service, Promise<boolean>>();

async function probe(service: Service): Promise<boolean> {
  if (service === 'chromium') {
    return existsSync(CHROMIUM_PATH);
  }
  if (service === 'postgres') {
    const sql = postgres(`${TEST_DATABASE_URL}/postgres`, {
      max: 1,
      connect_timeout: 3,
      onnotice: () => {},
    });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export function isAvailable(service: Service): Promise<boolean> {
  let check = checks.get(service);
  if (!check) {
    check = probe(service);
    checks.set(service, check);
  }
  return check;
}

export function requireServicesStrictly(): boolean {
  return process.env.STAFFROOM_REQUIRE_SERVICES === '1';
}

/**
 * Resolves to true when every service is available. Otherwise it warns once with what is
 * missing and resolves to false, or throws when missing services must fail the run.
 */
export async function servicesAvailable(...services: Service[]): Promise<boolean> {
  const missing: Service[] = [];
  for (const service of services) {
    if (!(await isAvailable(service))) {
      missing.push(service);
    }
  }
  if (missing.length === 0) {
    return true;
  }
  const reasons = missing.map((service) => HOW_TO_START[service]).join('; ');
  if (requireServicesStrictly()) {
    throw new Error(`Required by STAFFROOM_REQUIRE_SERVICES=1: ${reasons}`);
  }
  console.warn(`Skipping: ${reasons}`);
  return false;
}
