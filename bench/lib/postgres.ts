/**
 * Fresh PostgreSQL databases for a benchmark: created on the server of `--pg=<url>` (default the
 * local test server, or BENCH_PG_URL), named `bench_<label>_<pid>`, dropped (with force) after.
 */
import pg from 'pg';
import { stringFlag } from './report.ts';

export const ADMIN_URL = stringFlag('pg', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(label: string): Promise<BenchDatabase> {
  const name = `bench_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}`;
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}
