import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships both ESM and CommonJS builds; the schema libraries must share one copy, or
    // graphql's instanceof checks fail. Pointing every import at the CommonJS build does that.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // Detects PostgreSQL, Redis and Chromium once, warns about the missing ones, and stops the run
    // when STAFFROOM_REQUIRE_SERVICES=1 is set and one is missing.
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each worker runs CPU-bound servers and PGlite instances of its own, so workers beyond the
    // core count slow every test file down. CI machines have two cores.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default'],
  },
});
