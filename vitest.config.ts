import { defineConfig } from 'vitest/config';
import { decidePostgresPass, PostgresPassReport } from './test/helpers/postgresPass.ts';

/**
 * `npm test` runs the whole suite on SQLite, and again on PostgreSQL (each test store gets a
 * database of its own there, see test/helpers/testDatabase.ts): on LONGRUN_TEST_DATABASE_URL,
 * or on the local server at postgres://postgres@127.0.0.1:5432/test when that answers; `none`
 * leaves PostgreSQL out (test/helpers/postgresPass.ts). The end of the run says which, loudly
 * when PostgreSQL was left out. The files about SQLite itself (its data directory, its read
 * snapshot), the benchmark harness (which takes the URL itself) and the npm package run in the SQLite project only.
 */
const postgres = decidePostgresPass();
const sqliteOnly = ['test/foundation/firstStart.test.ts', 'test/foundation/cli.test.ts', 'test/bench/**', 'test/package/**', 'test/store/sqlite*.test.ts'];

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
    reporters: ['default', new PostgresPassReport(postgres, 'the PostgreSQL pass')],
    projects: [
      { extends: true, test: { name: 'sqlite', env: { LONGRUN_TEST_BACKEND: 'sqlite' } } },
      ...(postgres.url
        ? [
            {
              extends: true as const,
              test: { name: 'postgres', exclude: [...sqliteOnly, 'test/cluster/**', 'node_modules/**'], env: { LONGRUN_TEST_BACKEND: 'postgres' } },
            },
          ]
        : []),
    ],
  },
});
