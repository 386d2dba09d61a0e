import { defineConfig } from 'vitest/config';

/**
 * The PostgreSQL cluster tests: several real processes on one database, and a restart of the
 * PostgreSQL server itself. They run after the main suite (`npm test` runs both configs), one
 * file at a time, because restarting the server would break any other test using it.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 60_000,
    env: { LONGRUN_TEST_BACKEND: 'postgres' },
  },
});
