import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Network and worker tests are CPU-bound on a 2-core machine; two forks keep them from starving each other.
    pool: 'forks',
    maxWorkers: 2,
  },
});
