/**
 * Which database a test gets. The suite runs twice when it has a PostgreSQL server (named by
 * LONGRUN_TEST_DATABASE_URL, or found at the local default: test/helpers/postgresPass.ts):
 * once on SQLite, a fresh file per store, and once on PostgreSQL, a fresh database per store
 * (created here, dropped when the store closes), so test files never share tables and a run
 * never meets a previous run's rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type TestBackend = 'sqlite' | 'postgres';

export function testBackend(): TestBackend {
  return process.env.LONGRUN_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestDatabase {
  url: string;
  /** A folder of the test's own (the SQLite file lives here; servers keep data here). */
  dataDir: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.LONGRUN_TEST_DATABASE_URL;
  if (!url) throw new Error('LONGRUN_TEST_BACKEND=postgres needs LONGRUN_TEST_DATABASE_URL');
  return url;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function freshTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-test-'));
  if (testBackend() === 'sqlite') {
    return { url: `sqlite:${path.join(dataDir, 'longrun.db')}`, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `longrun_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
