/**
 * The queue's gauges are the database's, not a process's: two servers on one database report the
 * same, whichever took the submissions; scrapers at once share one read, and a scrape within the
 * cache window costs no query of its own, so many scrapers cost one query per window.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/apiServer.ts';
import { compose } from '../../src/app/families.ts';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import type { FastifyInstance } from 'fastify';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { sample, samplesOf } from '../helpers/prometheus.ts';
import { until } from '../helpers/wait.ts';

const GAUGES = ['longrun_jobs', 'longrun_queue_oldest_job_age_seconds'];

describe('queue gauges across processes', () => {
  let first: TestServer;
  let second: { app: FastifyInstance; store: Store; url: string };
  let operator: string;
  let operatorId: string;
  const scrape = async (url: string) => {
    const answer = await call(`${url}/metrics`, { key: operator });
    expect(answer.status).toBe(200);
    return answer.text;
  };

  beforeAll(async () => {
    // No workers and no scheduler (a clock is given): the only queries are the requests'.
    first = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, startWorkers: false, clock: () => new Date() });
    // Another process's server on the same database: its own store (connections) and composition.
    const store = openStore(first.config.databaseUrl, 5);
    const app = await buildApp(compose(first.config, store, pino({ level: 'silent' })));
    second = { app, store, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
    const created = await apiKeyCreate(first.store.db, { orgId: first.org.id, scopes: ['metrics:read'] });
    operator = created.key;
    operatorId = created.row.id;
  });
  afterAll(async () => {
    await second?.app.close();
    await second?.store.close();
    await first?.close();
  });

  it('report the same queue in both; scrapers at once make one query, a warm scrape none', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await call(`${first.url}/demo/sleep`, { key: first.key, json: { items: 1, ms: 0 } })).status).toBe(202);
    }
    // Queries of the second server's store, counted per scrape (the key's lookup included).
    let queries = 0;
    const observe = second.store.observeQuery;
    second.store.observeQuery = (seconds, failed) => {
      queries += 1;
      observe?.(seconds, failed);
    };
    const counted = async () => {
      queries = 0;
      const text = await scrape(second.url);
      return { queries, text };
    };

    // The key's first use in a process also records its use (a write, once a minute, not awaited
    // by the request): done here, and waited for, so it does not land among the counted queries.
    await call(`${second.url}/me`, { key: operator });
    await until('the key’s use is recorded', async () => {
      const row = await first.store.db.selectFrom('api_keys').select('last_used_at').where('id', '=', operatorId).executeTakeFirstOrThrow();
      return row.last_used_at !== null;
    });
    const firstReadAt = performance.now();
    const fromFirst = await scrape(first.url);
    // Five scrapers at once on a cold cache: one queue read for all (the rest is their keys' lookups).
    queries = 0;
    const together = await Promise.all(Array.from({ length: 5 }, () => scrape(second.url)));
    const togetherQueries = queries;
    const apartS = (performance.now() - firstReadAt) / 1000;
    const cold = { queries: togetherQueries, text: together[0]! };
    expect(sample(fromFirst, 'longrun_jobs', { kind: 'sleep', status: 'queued' })).toBe(3);
    expect(samplesOf(cold.text, ['longrun_jobs'])).toEqual(samplesOf(fromFirst, ['longrun_jobs']));
    // The ages were read a moment apart: each the oldest job's, within that moment.
    const ages = [fromFirst, cold.text].map((text) => sample(text, 'longrun_queue_oldest_job_age_seconds', { kind: 'sleep' })!);
    expect(ages[0]).toBeGreaterThan(0);
    expect(Math.abs(ages[1]! - ages[0]!)).toBeLessThanOrEqual(apartS + 0.005);

    // Within the cache window: the key's lookup only, the queue read once for both gauges before.
    const warm = await counted();
    const warmAgain = await counted();
    expect(warm.queries).toBeGreaterThan(0);
    expect(togetherQueries).toBe(5 * warm.queries + 1);
    for (const text of together) expect(samplesOf(text, GAUGES)).toEqual(samplesOf(cold.text, GAUGES));
    expect(warmAgain.queries).toBe(warm.queries);
    expect(samplesOf(warm.text, GAUGES)).toEqual(samplesOf(cold.text, GAUGES)); // the cached read, as it was
  });
});
