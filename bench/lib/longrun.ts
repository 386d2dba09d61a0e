/**
 * longrun's engine for a benchmark, used directly as the tests use it: a migrated store on
 * SQLite (a temporary directory) or PostgreSQL (a fresh database), an `Engine` whose kinds the
 * caller registers, and one organisation. With `sqlStats`, every statement's time is summed and
 * the statements that took longest in total are printed when the store closes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely } from 'kysely';
import { pino } from 'pino';
import { Engine } from '../../src/engine/engine.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { createDialect } from '../../src/store/dialect.ts';
import { driverOf } from '../../src/store/driver.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { orgCreate, type Organisation } from '../../src/store/orgs.ts';
import type { Database } from '../../src/store/schema.ts';
import { freshDatabase } from './postgres.ts';

export interface BenchEngine {
  store: Store;
  engine: Engine;
  org: Organisation;
  /** Jobs not finished yet (queued or running: their `available_at` is set). */
  unfinished(): Promise<number>;
  close(): Promise<void>;
}

export async function benchEngine(opts: {
  backend: 'sqlite' | 'postgres';
  concurrency: number;
  /** Jobs claimed ahead of free slots (the engine's `prefetch`, LONGRUN_PREFETCH in the server). */
  prefetch: number;
  sqlStats?: boolean;
  label: string;
}): Promise<BenchEngine> {
  let url: string;
  let drop: () => Promise<void>;
  if (opts.backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `longrun-bench-${opts.label}-`));
    url = `sqlite:${path.join(dir, 'longrun.db')}`;
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const database = await freshDatabase(`${opts.label}_longrun`);
    url = database.url;
    drop = database.drop;
  }
  const poolSize = opts.concurrency + 4;
  const store = opts.sqlStats ? statsStore(url, poolSize) : openStore(url, poolSize);
  await migrateToLatest(store.db);
  // One organisation runs every job, so it may use every slot and hold every job claimed ahead.
  const engine = new Engine({
    store,
    log: pino({ level: 'silent' }),
    concurrency: opts.concurrency,
    prefetch: opts.prefetch,
    orgConcurrency: opts.concurrency + opts.prefetch,
    leaseMs: 30_000,
  });
  const org = await orgCreate(store.db, 'bench');
  return {
    store,
    engine,
    org,
    async unfinished() {
      // Through the `jobs_available_at` index (a finished job's is null), so the poll reads only
      // the unfinished jobs: counting by status scanned all of them, finished ones too, and on
      // SQLite's one connection held the engine up (100,000 jobs: 5.7 ms a poll, 1/4 of the run).
      const row = await store.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('available_at', 'is not', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async close() {
      await engine.stop(1000);
      await store.close();
      await drop();
    },
  };
}

/** A store like `openStore`'s whose Kysely sums each statement's time (placeholders folded). */
function statsStore(url: string, poolSize: number): Store {
  const dialect = createDialect(url, poolSize);
  const stats = new Map<string, { n: number; ms: number }>();
  const db = new Kysely<Database>({
    dialect: dialect.kysely,
    log(event) {
      const sql = event.query.sql.replace(/\$\d+|\?/g, '?').replace(/\((\?, )+\?\)/g, '(…)');
      const s = stats.get(sql) ?? { n: 0, ms: 0 };
      s.n += 1;
      s.ms += event.queryDurationMillis;
      stats.set(sql, s);
    },
  });
  return {
    db,
    dialect: dialect.name,
    driver: driverOf(db),
    poolStats: dialect.poolStats,
    observeQuery: null,
    onClose() {},
    async close() {
      const total = [...stats.values()].reduce((a, b) => a + b.ms, 0);
      console.log(`\nSQL statements by total time (${Math.round(total)} ms in all; ms total, count, ms each):`);
      for (const [sql, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
        console.log(
          `${String(Math.round(s.ms)).padStart(7)} ${String(s.n).padStart(7)}× ${s.ms / s.n >= 10 ? (s.ms / s.n).toFixed(1) : (s.ms / s.n).toFixed(3)}  ${sql.slice(0, 300)}`,
        );
      }
      await db.destroy();
    },
  };
}
