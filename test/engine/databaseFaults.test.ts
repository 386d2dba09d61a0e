/**
 * Database faults, on PostgreSQL: an admin connection terminates the server's connections
 * (`pg_terminate_backend`, only those to this test's own database) again and again while
 * clients submit jobs and workers checkpoint their items. What a client sees must keep our
 * promises:
 * - no submission that committed is answered 5xx: a retry after a 5xx is never a replay, and
 *   every keyless 202 is one job and every job one 202;
 * - a retry with the same Idempotency-Key after a failure never meets 409, and once the
 *   database answers it succeeds at once;
 * - every 5xx is in the family envelope and names only the request ID;
 * - `/readyz` answers 200 or 503, never 500, and 503 naming no address when the database is
 *   unreachable;
 * - no job waits for its lease to run out (a minute, longer than the whole test takes): a
 *   checkpoint that lost its connection is retried, or its job handed back, at once.
 * Needs PostgreSQL (SQLite has no connection to cut); skipped with a message on SQLite.
 */
import net from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { compose } from '../../src/app/families.ts';
import { buildApp } from '../../src/app/apiServer.ts';
import { openStore } from '../../src/store/database.ts';
import { call, startTestServer, type Answer, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

/** Longer than the test: a job that waited for its lease to run out could not end in it. */
const LEASE_MS = 60_000;
const ITEMS = 3;

/** A 5xx in the content envelope that names the request ID and nothing else. */
function expectEnvelopedServerError(answer: Answer): void {
  const requestId = answer.headers.get('x-request-id');
  expect(answer.body).toEqual({ success: false, error: expect.any(String), message: `An unexpected error occurred (request id ${requestId}).` });
}

describe('PostgreSQL connections terminated under load', () => {
  let server: TestServer;
  let admin: pg.Client;
  let databaseName: string;

  beforeAll(async () => {
    server = await startTestServer({
      credits: 100_000,
      env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_LEASE_MS: String(LEASE_MS), LONGRUN_ORG_CONCURRENCY: '16', LONGRUN_RATE_LIMIT_MAX: '100000' },
    });
    databaseName = new URL(server.config.databaseUrl).pathname.slice(1);
    admin = new pg.Client({ connectionString: process.env.LONGRUN_TEST_DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.close();
  });

  /** Terminates every connection to this test's database but the admin's; how many it cut. */
  async function terminate(): Promise<number> {
    const result = await admin.query('select pg_terminate_backend(pid) as cut from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
      databaseName,
    ]);
    return result.rows.filter((row: { cut: boolean }) => row.cut).length;
  }

  it('keeps its promises to clients while its connections are cut, and finishes every job at once after', { timeout: 2 * LEASE_MS }, async () => {
    const keyless = await server.newOrg('faults-keyless', { credits: 100_000 });
    const submit = (key: string, idempotencyKey?: string) =>
      call(`${server.url}/demo/sleep`, { key, json: { items: ITEMS, ms: 20 }, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });

    // The killer: cuts the server's connections while the clients below run.
    let cut = 0;
    let running = true;
    const killer = (async () => {
      while (running) {
        cut += await terminate();
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();

    const failures: Answer[] = [];
    const keyedJobs = new Map<string, string>();
    const unsettledKeys: string[] = [];
    const keylessJobs: string[] = [];
    const readiness: Answer[] = [];
    const KEYS = 40;
    let next = 0;
    try {
      await Promise.all([
        // Keyed clients: each key is sent until it succeeds, a retry only after the answer.
        ...Array.from({ length: 3 }, async () => {
          while (next < KEYS) {
            const idempotencyKey = `fault-${next++}`;
            for (let attempt = 1; ; attempt++) {
              const answer = await submit(server.key, idempotencyKey);
              expect(answer.status, answer.text).not.toBe(409);
              if (answer.status === 202) {
                // A replay after a 5xx would mean the 5xx answered a committed submission.
                if (attempt > 1) expect(answer.headers.get('idempotent-replayed')).toBeNull();
                keyedJobs.set(idempotencyKey, answer.body.data.jobId);
                break;
              }
              expect(answer.status, answer.text).toBeGreaterThanOrEqual(500);
              failures.push(answer);
              if (attempt === 3) {
                unsettledKeys.push(idempotencyKey); // retried below, with the database left alone
                break;
              }
            }
          }
        }),
        // Keyless client: a 5xx must have created nothing.
        (async () => {
          for (let i = 0; i < 30; i++) {
            const answer = await submit(keyless.key);
            if (answer.status === 202) keylessJobs.push(answer.body.data.jobId);
            else {
              expect(answer.status, answer.text).toBeGreaterThanOrEqual(500);
              failures.push(answer);
            }
          }
        })(),
        // Readiness under the same cuts.
        (async () => {
          for (let i = 0; i < 20; i++) readiness.push(await call(`${server.url}/readyz`));
        })(),
      ]);
    } finally {
      running = false;
      await killer;
    }

    expect(cut).toBeGreaterThan(10);
    // The cuts reached the clients: otherwise this test would prove nothing.
    expect(failures.length).toBeGreaterThan(0);
    for (const answer of failures) expectEnvelopedServerError(answer);
    for (const answer of readiness) {
      expect([200, 503]).toContain(answer.status);
      if (answer.status === 503) expect(answer.body).toEqual({ success: false, error: 'service_unavailable', message: 'The database cannot be read.' });
    }

    // With the database left alone, a key whose every try failed succeeds at once (no 409).
    for (const idempotencyKey of unsettledKeys) {
      const answer = await submit(server.key, idempotencyKey);
      expect(answer.status, answer.text).toBe(202);
      expect(answer.headers.get('idempotent-replayed')).toBeNull();
      keyedJobs.set(idempotencyKey, answer.body.data.jobId);
    }
    expect(keyedJobs.size).toBe(KEYS);

    // Every answered job exists, and nothing else: no 5xx hid a committed submission.
    const jobsOf = async (orgId: string) =>
      (await server.store.db.selectFrom('jobs').select(['id']).where('org_id', '=', orgId).where('kind', '=', 'sleep').execute()).map((j) => j.id).sort();
    expect(await jobsOf(server.org.id)).toEqual([...keyedJobs.values()].sort());
    expect(await jobsOf(keyless.org.id)).toEqual([...keylessJobs].sort());

    // Every job ends, and none took a lease's length: one whose lease ran out would have.
    await until(
      'every job has ended',
      async () => {
        const open = await server.store.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('kind', '=', 'sleep')
          .where('status', 'in', ['queued', 'running'])
          .executeTakeFirstOrThrow();
        return Number(open.n) === 0;
      },
      { timeoutMs: LEASE_MS, everyMs: 50 },
    );
    const jobs = await server.store.db
      .selectFrom('jobs')
      .select(['id', 'status', 'items_succeeded', 'created_at', 'completed_at'])
      .where('kind', '=', 'sleep')
      .execute();
    expect(jobs.filter((j) => j.status !== 'completed' || j.items_succeeded !== ITEMS)).toEqual([]);
    const slowest = Math.max(...jobs.map((j) => Date.parse(j.completed_at!) - Date.parse(j.created_at)));
    expect(slowest).toBeLessThan(LEASE_MS);
  });

  it('answers /readyz 503 naming no address while the database is unreachable, and 200 again after', async () => {
    // The server reaches PostgreSQL through a proxy of this test's, closed to take the database
    // away (the machine's PostgreSQL is shared: it is never stopped here).
    const target = new URL(server.config.databaseUrl);
    const sockets = new Set<net.Socket>();
    let open = true;
    const proxy = net.createServer((client) => {
      if (!open) return client.destroy();
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => (sockets.delete(a), b.destroy()));
      }
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const viaProxy = new URL(server.config.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String((proxy.address() as net.AddressInfo).port);
    const store = openStore(viaProxy.toString(), 2);
    const config = loadConfig({ dataDir: server.config.dataDir, databaseUrl: viaProxy.toString(), port: 0, logLevel: 'silent' }, {});
    const log = pino({ level: 'silent' });
    const app = await buildApp(compose(config, store, log));
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      expect((await call(`${url}/readyz`)).status).toBe(200);

      open = false;
      for (const socket of sockets) socket.destroy();
      const answer = await call(`${url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ success: false, error: 'service_unavailable', message: 'The database cannot be read.' });
      expect(answer.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|ECONNRESET|longrun_test|\d{4,5}/);
      expect((await call(`${url}/healthz`)).status).toBe(200);

      open = true;
      expect((await call(`${url}/readyz`)).status).toBe(200);
    } finally {
      await app.close();
      await store.close();
      for (const socket of sockets) socket.destroy();
      proxy.close();
    }
  });
});
