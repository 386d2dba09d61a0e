/**
 * The cluster test, real processes on one PostgreSQL database: 2 API processes
 * (`serve --no-workers`) and 3 workers (`longrun worker`). 2,000 jobs of 5 items go in through
 * both APIs; one worker is SIGKILLed in the middle and a new one started. Every job must end,
 * every item be recorded and charged once, and every job's webhook arrive.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditsBalance, creditsRecount } from '../../src/store/ledger.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { startServeProcess, startWorkerProcess, type ServeProcess } from '../helpers/cli.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;
const JOBS = 2000;
const ITEMS = 5;
const postgres = process.env.LONGRUN_TEST_DATABASE_URL;

if (!postgres) console.log('  cluster test skipped: it needs LONGRUN_TEST_DATABASE_URL');

describe.skipIf(!postgres)('a cluster of API and worker processes on PostgreSQL', () => {
  let database: TestDatabase;
  let receiver: Receiver;
  let store: Store;
  const processes: ServeProcess[] = [];
  beforeAll(async () => {
    database = await freshTestDatabase();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await store?.close();
    await receiver?.close();
    await database?.drop();
  });

  it('runs 2,000 jobs through 2 APIs and 3 workers, survives a SIGKILLed worker, and charges and announces each job once', async () => {
    const log = path.join(database.dataDir, 'completed.log');
    const env = {
      LONGRUN_DEMO_KINDS: '1',
      LONGRUN_DEMO_LOG: log,
      // Short enough that the killed worker's jobs are taken over within seconds; long enough that a
      // live worker's renewal waiting for one of its 4 connections does not lose a job (and repeat items).
      LONGRUN_LEASE_MS: '6000',
      LONGRUN_ORG_CONCURRENCY: '64',
      LONGRUN_INITIAL_CREDITS: '100000',
      LONGRUN_RATE_LIMIT_MAX: '1000000',
      LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1',
      LONGRUN_WEBHOOK_ALLOW_HTTP: '1',
      LONGRUN_DB_POOL_SIZE: '4',
    };
    const args = ['--database-url', database.url, '--data-dir', database.dataDir];
    const api1 = await startServeProcess([...args, '--no-workers'], env);
    processes.push(api1);
    const key = KEY.exec(api1.output())![0];
    const api2 = await startServeProcess([...args, '--no-workers'], env);
    processes.push(api2);
    const workers: ServeProcess[] = [];
    for (let i = 0; i < 3; i++) workers.push(await startWorkerProcess(args, env));
    processes.push(...workers);

    const hook = await call(`${api1.url}/webhooks`, { key, json: { url: `${receiver.url}/cluster`, events: ['*'] } });
    expect(hook.status).toBe(201);

    // Submit through both APIs, 16 requests in flight.
    const ids: string[] = [];
    let next = 0;
    let killed = false;
    const lines = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < JOBS) {
          const n = next++;
          const api = n % 2 === 0 ? api1 : api2;
          const answer = await call(`${api.url}/demo/sleep`, { key, json: { items: ITEMS, ms: 2 } });
          expect(answer.status, answer.text).toBe(202);
          ids.push(answer.body.data.jobId);
          if (!killed && n >= JOBS / 2) {
            killed = true;
            // In the middle of the load: kill one worker outright, start a replacement.
            expect(lines()).toBeGreaterThan(0);
            workers[0]!.child.kill('SIGKILL');
            processes.push(await startWorkerProcess(args, env));
          }
        }
      }),
    );
    expect(new Set(ids).size).toBe(JOBS);

    store = openStore(database.url, 2);
    const openJobs = store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'sleep')
      .where('status', 'in', ['queued', 'running']);
    // Asked from outside (the cluster's processes signal only themselves), twice a second.
    await until('every job has ended', async () => Number((await openJobs.executeTakeFirstOrThrow()).n) === 0, { timeoutMs: 240_000, everyMs: 500 });

    // Every job ended, completed, with its 5 items recorded once.
    const jobs = await store.db.selectFrom('jobs').select(['id', 'status', 'items_succeeded', 'credits_charged']).where('kind', '=', 'sleep').execute();
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.filter((j) => j.status !== 'completed')).toEqual([]);
    expect(jobs.every((j) => j.items_succeeded === ITEMS && j.credits_charged === ITEMS)).toBe(true);

    // Each item's processor ran to completion; a second completion can only be an item that was
    // in flight on the killed worker (its side effect happened, its result was not recorded).
    const completions = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const counts = new Map<string, number>();
    for (const line of completions) counts.set(line, (counts.get(line) ?? 0) + 1);
    expect(counts.size).toBe(JOBS * ITEMS);
    const repeated = [...counts.values()].filter((c) => c > 1).length;
    expect(repeated).toBeLessThanOrEqual(4); // the killed worker's slots

    // Credits: one charge per succeeded item, nothing left reserved, balance and ledger agree.
    const charges = await store.db.selectFrom('credit_ledger').select(['ref', 'item_ref']).where('kind', '=', 'charge').execute();
    expect(charges).toHaveLength(JOBS * ITEMS);
    expect(new Set(charges.map((c) => `${c.ref} ${c.item_ref}`)).size).toBe(JOBS * ITEMS);
    const org = await store.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 100000 - JOBS * ITEMS, reserved: 0 });
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 100000 - JOBS * ITEMS, reserved: 0 });

    // A webhook for every job.
    const announced = new Set<string>();
    while (announced.size < JOBS) {
      const request = await receiver.next('/cluster', 120_000);
      announced.add((JSON.parse(request.body) as { data: { jobId: string } }).data.jobId);
    }
    expect([...announced].sort()).toEqual([...ids].sort());

    // Only the killed worker stopped.
    expect(processes.filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)).toEqual([workers[0]]);
  });
});
