import { defineConfig } from 'vitest/config';
import { decidePostgresPass, PostgresPassReport } from './test/helpers/postgresPass.ts';

/**
 * The PostgreSQL cluster tests: several real processes on one database, and a restart of the
 * PostgreSQL server itself. They run after the main suite (`npm test` runs both configs), one
 * file at a time, because restarting the server would break any other test using it. The server
 * is chosen as in vitest.config.ts; without one they are skipped, and the end of the run says so.
 */
const postgres = decidePostgresPass();

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 60_000,
    reporters: ['default', new PostgresPassReport(postgres, 'the cluster tests (PostgreSQL only)')],
    env: { LONGRUN_TEST_BACKEND: 'postgres' },
  },
});
