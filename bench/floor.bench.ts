/**
 * The storage's floor: how fast a job queue could burn down N jobs on each database with no
 * engine at all, on a minimal schema through the raw drivers (better-sqlite3 with longrun's
 * pragmas, `pg` on a fresh database). It tells what remains between longrun's figures in the
 * engine bench and the storage's limit measured the same day (issue 31, point 3).
 *
 * Schema: jobs (id, payload, run_at, status, locked_by, locked_at), its primary key and one claim
 * index, partial on the queued rows. A worker loops on one connection: claim B jobs in one
 * transaction (update … where id in (select … order by run_at, id limit B, with `for update skip
 * locked` on PostgreSQL) returning id, payload), then complete them in one transaction, one
 * statement per table with the ids as one parameter. How a job is completed:
 * - delete: its row is deleted (graphile-worker's way);
 * - update: its row is marked done and stays (longrun keeps finished jobs);
 * - update+item: as update, with an items row per job inserted with it and updated at the claim
 *   and at the completion: what longrun writes for a one-item job today. The gap between the two
 *   is what keeping the item in the job's row would save.
 * The jobs are inserted before the clock starts, 1,000 a transaction (one statement on PostgreSQL,
 * a prepared insert a row on SQLite), insert jobs/s reported apart; then PostgreSQL is ANALYZEd. Burn-down jobs/s is from the first claim to the last completion;
 * on PostgreSQL also with 2 connections working at once, as longrun runs two groups there.
 *
 *   npm run bench -- floor [--jobs=100000] [--batches=50,200] [--dbs=sqlite,postgres]
 *     [--variants=delete,update,update+item] [--connections=1,2 (PostgreSQL only)] [--pg=postgres://…/test] [--report=0]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { freshDatabase } from './lib/postgres.ts';
import { listFlag, numberFlag, round, stringFlag, writeReport, type Comparison } from './lib/report.ts';

const DBS = ['sqlite', 'postgres'] as const;
const VARIANTS = ['delete', 'update', 'update+item'] as const;
type Db = (typeof DBS)[number];
type Variant = (typeof VARIANTS)[number];
const LABELS: Record<Db, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

function numberList(name: string, fallback: string): number[] {
  const values = stringFlag(name, fallback).split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`--${name} must be positive integers separated by commas`);
  return values;
}

const params = {
  jobs: numberFlag('jobs', 100_000),
  batches: numberList('batches', '50,200'),
  dbs: listFlag('dbs', DBS),
  variants: listFlag('variants', VARIANTS),
  connections: numberList('connections', '1,2'),
  report: stringFlag('report', '1') === '1',
};
const INSERT_BATCH = 1000;
const PAYLOAD = '{"t":0}';

/** One connection's two transactions; `claim` returns the ids it locked, none when the queue is empty. */
interface Connection {
  claim(batch: number): Promise<unknown[]>;
  complete(ids: unknown[]): Promise<void>;
}

/** A fresh schema for one run, `n` jobs inserted (and their items with `update+item`). */
interface Floor {
  insert(n: number): Promise<void>;
  /** After the insert, untimed: PostgreSQL ANALYZEs, as the engine bench's settle does (autovacuum would within a minute). */
  settle?(): Promise<void>;
  connect(): Promise<Connection>;
  /** Jobs completed as the variant completes them, and items completed (with items): checked after the run. */
  completed(): Promise<{ jobs: number; items?: number }>;
  close(): Promise<void>;
}

// ---- SQLite -----------------------------------------------------------------------------------
function sqliteFloor(variant: Variant): Floor {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-floor-'));
  const db = new BetterSqlite3(path.join(dir, 'floor.db'));
  for (const p of ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON']) db.pragma(p);
  db.exec(`create table jobs (id integer primary key, payload text not null, run_at integer not null,
      status text not null default 'queued', locked_by text, locked_at integer);
    create index jobs_claim on jobs (run_at, id) where status = 'queued';`);
  const items = variant === 'update+item';
  if (items) {
    db.exec(`create table items (job_id integer not null references jobs (id), seq integer not null,
      status text not null default 'queued', started_at integer, finished_at integer, result text, primary key (job_id, seq))`);
  }
  const insertJob = db.prepare('insert into jobs (payload, run_at) values (?, ?)');
  const insertItem = items ? db.prepare('insert into items (job_id, seq) values (?, 0)') : undefined;
  const claimJobs = db.prepare(`update jobs set status = 'running', locked_by = 'w', locked_at = ?
    where id in (select id from jobs where status = 'queued' and run_at <= ? order by run_at, id limit ?) returning id, payload`);
  const startItems = items
    ? db.prepare(`update items set status = 'running', started_at = ? where job_id in (select value from json_each(?)) and seq = 0`)
    : undefined;
  const ending =
    variant === 'delete'
      ? db.prepare('delete from jobs where id in (select value from json_each(?))')
      : db.prepare(`update jobs set status = 'done' where id in (select value from json_each(?))`);
  const endItems = items
    ? db.prepare(`update items set status = 'succeeded', finished_at = ?, result = 'null' where job_id in (select value from json_each(?)) and seq = 0`)
    : undefined;
  const claim = db.transaction((batch: number) => {
    const now = Date.now();
    const ids = (claimJobs.all(now, now, batch) as { id: number; payload: string }[]).map((r) => r.id);
    startItems?.run(now, JSON.stringify(ids));
    return ids;
  });
  const complete = db.transaction((ids: unknown[]) => {
    const json = JSON.stringify(ids);
    ending.run(json);
    endItems?.run(Date.now(), json);
  });
  const insert = db.transaction((count: number) => {
    for (let i = 0; i < count; i++) {
      const { lastInsertRowid } = insertJob.run(PAYLOAD, Date.now());
      insertItem?.run(lastInsertRowid);
    }
  });
  const count = (q: string) => (db.prepare(q).get() as { n: number }).n;
  return {
    async insert(n) {
      for (let done = 0; done < n; done += INSERT_BATCH) insert.immediate(Math.min(INSERT_BATCH, n - done));
    },
    // better-sqlite3 is synchronous: one connection, each call runs to its end.
    connect: async () => ({ claim: async (batch) => claim.immediate(batch), complete: async (ids) => complete.immediate(ids) }),
    async completed() {
      const jobs = variant === 'delete' ? params.jobs - count('select count(*) as n from jobs') : count(`select count(*) as n from jobs where status = 'done'`);
      return { jobs, ...(items ? { items: count(`select count(*) as n from items where status = 'succeeded'`) } : {}) };
    },
    async close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- PostgreSQL -------------------------------------------------------------------------------
async function postgresFloor(url: string, variant: Variant): Promise<Floor> {
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return client;
  };
  const admin = await connect();
  const items = variant === 'update+item';
  await admin.query(`drop table if exists items, jobs;
    create table jobs (id bigint generated always as identity primary key, payload text not null, run_at timestamptz not null default now(),
      status text not null default 'queued', locked_by text, locked_at timestamptz);
    create index jobs_claim on jobs (run_at, id) where status = 'queued';`);
  if (items) {
    await admin.query(`create table items (job_id bigint not null references jobs (id), seq int not null, status text not null default 'queued',
      started_at timestamptz, finished_at timestamptz, result text, primary key (job_id, seq))`);
  }
  const insertSql = items
    ? `with j as (insert into jobs (payload) select unnest($1::text[]) returning id) insert into items (job_id, seq) select id, 0 from j`
    : 'insert into jobs (payload) select unnest($1::text[])';
  // One statement a transaction: the claim (with its items) and the completion each in one.
  const claimJobs = `update jobs set status = 'running', locked_by = 'w', locked_at = now() where id in (select id from jobs
    where status = 'queued' and run_at <= now() order by run_at, id limit $1 for update skip locked) returning id, payload`;
  const claimSql = items
    ? `with claimed as (${claimJobs}), started as (update items set status = 'running', started_at = now()
        where job_id in (select id from claimed) and seq = 0) select id, payload from claimed`
    : claimJobs;
  const endJobs = variant === 'delete' ? 'delete from jobs where id = any($1)' : `update jobs set status = 'done' where id = any($1)`;
  const completeSql = items
    ? `with ended as (${endJobs}) update items set status = 'succeeded', finished_at = now(), result = 'null' where job_id = any($1) and seq = 0`
    : endJobs;
  const count = async (q: string) => Number((await admin.query<{ n: string }>(q)).rows[0]!.n);
  return {
    async insert(n) {
      for (let done = 0; done < n; done += INSERT_BATCH) {
        await admin.query({ name: 'insert', text: insertSql, values: [Array(Math.min(INSERT_BATCH, n - done)).fill(PAYLOAD)] });
      }
    },
    settle: async () => void (await admin.query('analyze')),
    async connect() {
      const client = await connect();
      return {
        claim: async (batch) => (await client.query<{ id: string }>({ name: 'claim', text: claimSql, values: [batch] })).rows.map((r) => r.id),
        complete: async (ids) => void (await client.query({ name: 'complete', text: completeSql, values: [ids] })),
      };
    },
    async completed() {
      const jobs =
        variant === 'delete'
          ? params.jobs - (await count('select count(*) as n from jobs'))
          : await count(`select count(*) as n from jobs where status = 'done'`);
      return { jobs, ...(items ? { items: await count(`select count(*) as n from items where status = 'succeeded'`) } : {}) };
    },
    async close() {
      await Promise.all(clients.map((c) => c.end()));
    },
  };
}

// ---- Runs -------------------------------------------------------------------------------------
interface Run {
  db: Db;
  variant: Variant;
  batch: number;
  connections: number;
  insertPerSecond: number;
  jobsPerSecond: number;
  usPerJob: number;
}

async function burnDown(floor: Floor, batch: number, connections: number): Promise<{ insertPerSecond: number; jobsPerSecond: number }> {
  const t0 = performance.now();
  await floor.insert(params.jobs);
  const insertMs = performance.now() - t0;
  await floor.settle?.();
  const workers = await Promise.all(Array.from({ length: connections }, () => floor.connect()));
  const t1 = performance.now();
  const claimed = await Promise.all(
    workers.map(async (w) => {
      let n = 0;
      for (let ids = await w.claim(batch); ids.length > 0; ids = await w.claim(batch)) {
        await w.complete(ids);
        n += ids.length;
      }
      return n;
    }),
  );
  const burnMs = performance.now() - t1;
  const total = claimed.reduce((a, b) => a + b, 0);
  const done = await floor.completed();
  if (total !== params.jobs || done.jobs !== params.jobs || (done.items ?? params.jobs) !== params.jobs) {
    throw new Error(`${params.jobs} jobs: ${total} claimed, ${done.jobs} completed, ${done.items ?? '–'} items completed`);
  }
  return { insertPerSecond: Math.round(params.jobs / (insertMs / 1000)), jobsPerSecond: Math.round(params.jobs / (burnMs / 1000)) };
}

async function main() {
  console.log(`floor bench: ${JSON.stringify(params)}`);
  const runs: Run[] = [];
  for (const db of params.dbs) {
    const database = db === 'postgres' ? await freshDatabase('floor') : undefined;
    try {
      for (const variant of params.variants) {
        for (const batch of params.batches) {
          for (const connections of db === 'sqlite' ? [1] : params.connections) {
            const floor = database ? await postgresFloor(database.url, variant) : sqliteFloor(variant);
            try {
              const figures = await burnDown(floor, batch, connections);
              runs.push({ db, variant, batch, connections, ...figures, usPerJob: round(1e6 / figures.jobsPerSecond, 1) });
              console.log(JSON.stringify(runs.at(-1)));
            } finally {
              await floor.close();
            }
          }
        }
      }
    } finally {
      await database?.drop();
    }
  }

  const widths = [-12, -13, 6, 6, 9, 8, 10];
  const line = (cells: unknown[]) => cells.map((c, i) => (widths[i]! < 0 ? String(c).padEnd(-widths[i]!) : String(c).padStart(widths[i]!))).join('');
  console.log(`\n${line(['database', 'variant', 'batch', 'conns', 'jobs/s', 'µs/job', 'insert/s'])}`);
  for (const r of runs) console.log(line([LABELS[r.db], r.variant, r.batch, r.connections, r.jobsPerSecond, r.usPerJob, r.insertPerSecond]));
  const label = (r: Run) => `${LABELS[r.db]}, ${r.variant}, B=${r.batch}, ${r.connections} conn.`;
  const comparisons: Comparison[] = [
    {
      id: 'burndown',
      title: `Floor: burn-down of ${params.jobs.toLocaleString('en-US')} jobs on a minimal schema, no engine`,
      unit: 'jobs/s (higher is better)',
      series: ['jobs/s'],
      rows: runs.map((r) => ({ label: label(r), values: [r.jobsPerSecond] })),
    },
    {
      id: 'insert',
      title: `Floor: insert of ${params.jobs.toLocaleString('en-US')} jobs, ${INSERT_BATCH} a transaction`,
      unit: 'jobs/s (higher is better)',
      series: ['jobs/s'],
      rows: runs.map((r) => ({ label: label(r), values: [r.insertPerSecond] })),
    },
  ];
  if (!params.report) return;
  writeReport({ name: 'floor', params, results: { runs }, comparisons });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
