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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only make PGlite and the servers fight for them.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default'],
  },
});
