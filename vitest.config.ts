import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs the whole suite on SQLite, and again on PostgreSQL when
 * LONGRUN_TEST_DATABASE_URL names a server (each test store gets a database of its own there,
 * see test/helpers/testDatabase.ts). The files about SQLite itself (its data directory, its
 * read snapshot) run on SQLite only.
 */
const postgresUrl = process.env.LONGRUN_TEST_DATABASE_URL;
const sqliteOnly = ['test/foundation/firstStart.test.ts', 'test/foundation/cli.test.ts', 'test/bench/**', 'test/store/sqlite*.test.ts'];

if (!postgresUrl) {
  console.log('\n  PostgreSQL pass skipped: set LONGRUN_TEST_DATABASE_URL=postgres://… to run the suite on PostgreSQL too.\n');
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/cluster/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file gets its own database; two at a time suits a 2-core machine.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { extends: true, test: { name: 'sqlite', env: { LONGRUN_TEST_BACKEND: 'sqlite' } } },
      ...(postgresUrl
        ? [{ extends: true as const, test: { name: 'postgres', exclude: [...sqliteOnly, 'test/cluster/**', 'node_modules/**'], env: { LONGRUN_TEST_BACKEND: 'postgres' } } }]
        : []),
    ],
  },
});
