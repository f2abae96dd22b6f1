import type { TestProject } from 'vitest/node';
import {
  detectService,
  requireServicesStrictly,
  SERVICES,
  type Service,
  type ServiceStatus,
} from './services.ts';

/**
 * Detects PostgreSQL, Redis and Chromium once for the whole run and provides the results to the
 * test files. A missing service is reported here, once, rather than by every file that skips.
 * With STAFFROOM_REQUIRE_SERVICES=1 a missing service stops the run before any test starts.
 */
export default async function setup(project: TestProject): Promise<void> {
  const statuses = await Promise.all(SERVICES.map(detectService));
  const byService = Object.fromEntries(
    SERVICES.map((service, index) => [service, statuses[index]]),
  ) as Record<Service, ServiceStatus>;
  project.provide('staffroomServices', byService);

  const missing = SERVICES.filter((service) => !byService[service].available);
  if (missing.length === 0) {
    return;
  }
  const reasons = missing.map((service) => `- ${service}: ${byService[service].reason}`);
  if (requireServicesStrictly()) {
    throw new Error(
      `STAFFROOM_REQUIRE_SERVICES=1 is set, but these services are missing:\n${reasons.join('\n')}`,
    );
  }
  console.warn(`Suites that need these services will be skipped:\n${reasons.join('\n')}`);
}
