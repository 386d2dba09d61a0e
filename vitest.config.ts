import { defineConfig } from 'vitest/config';
import { decidePostgresPass, PostgresPassReport } from './test/helpers/postgresPass.ts';

/**
 * `npm test` runs the whole suite on SQLite, and again on PostgreSQL (each test store gets a
 * database of its own there, see test/helpers/testDatabase.ts): on LONGRUN_TEST_DATABASE_URL,
 * or on the local server at postgres://postgres@127.0.0.1:5432/test when that answers; `none`
 * leaves PostgreSQL out (test/helpers/postgresPass.ts). The end of the run says which, loudly
 * when PostgreSQL was left out.
 *
 * A file that concerns one database runs in that project only, so every test of a file runs
 * wherever the file does. SQLite only: SQLite itself (its data directory, its read snapshot),
 * what does not depend on the database (the benchmark harness, which takes the URL itself; the
 * npm package; the README; the browser; the storage drivers and their settings; the CLI's remote
 * commands, which speak HTTP only; the clip formats ffprobe reads), and the webhook retry schedule
 * (it moves the process clock, which decides due times only where it is the database's clock).
 * PostgreSQL only: terminated connections, a skewed worker clock against the database's, a
 * trace across an API process and a worker process (they share a database), and two machines
 * (processes with data directories of their own) on one database and one bucket.
 */
const postgres = decidePostgresPass();
const sqliteOnly = [
  'test/foundation/firstStart.test.ts',
  'test/foundation/cli.test.ts',
  'test/bench/**',
  'test/package/**',
  'test/docs/**',
  'test/browser/**',
  'test/store/sqlite*.test.ts',
  'test/webhooks/retrySchedule.test.ts',
  'test/storage/drivers.test.ts',
  'test/storage/config.test.ts',
  'test/client/cli.test.ts',
  'test/clips/formats.test.ts',
];
const postgresOnly = [
  'test/engine/databaseClock.test.ts',
  'test/engine/databaseFaults.test.ts',
  'test/telemetry/traceAcrossProcesses.test.ts',
  'test/storage/twoMachines.test.ts',
];

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
      { extends: true, test: { name: 'sqlite', exclude: [...postgresOnly, 'test/cluster/**', 'node_modules/**'], env: { LONGRUN_TEST_BACKEND: 'sqlite' } } },
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
