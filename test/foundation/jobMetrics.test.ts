/**
 * `/metrics` as an operator reads it: the queue from the database (jobs queued, scheduled and
 * running by kind, the oldest queued job's age) before any worker runs, then what this process's
 * workers did (items by outcome, retries, a job's duration, credits charged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { sample } from '../helpers/prometheus.ts';
import { until } from '../helpers/wait.ts';

describe('job metrics at /metrics', () => {
  let server: TestServer;
  let operator: string;
  const scrape = async () => {
    const answer = await call(`${server.url}/metrics`, { key: operator });
    expect(answer.status).toBe(200);
    return answer.text;
  };
  const submit = async (body: object) => {
    const answer = await call(`${server.url}/demo/sleep`, { key: server.key, json: body });
    expect(answer.status).toBe(202);
    return answer.body.data.jobId as string;
  };

  beforeAll(async () => {
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, startWorkers: false });
    operator = (await server.newOrg('ops', { scopes: ['metrics:read'] })).key;
  });
  afterAll(() => server?.close());

  it('counts the queue from the database, then what the workers did', async () => {
    const submittedAt = Date.now();
    // item-1 succeeds, item-2 fails, item-3 fails its first attempt and succeeds on the next.
    const mixed = await submit({ items: 3, ms: 0, fail: ['item-2'], flaky: ['item-3'] });
    await submit({ items: 1, ms: 0, runAt: new Date(Date.now() + 3_600_000).toISOString() });
    await until('a moment has passed since the submission', () => Date.now() - submittedAt > 20);

    const before = await scrape();
    expect(sample(before, 'longrun_jobs', { kind: 'sleep', status: 'queued' })).toBe(1);
    expect(sample(before, 'longrun_jobs', { kind: 'sleep', status: 'scheduled' })).toBe(1);
    expect(sample(before, 'longrun_jobs', { kind: 'sleep', status: 'running' })).toBe(0);
    // Every registered kind has its series, internal ones (webhook deliveries) included.
    expect(sample(before, 'longrun_jobs', { kind: 'webhook', status: 'queued' })).toBe(0);
    const age = sample(before, 'longrun_queue_oldest_job_age_seconds', { kind: 'sleep' })!;
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThanOrEqual((Date.now() - submittedAt) / 1000 + 1);
    expect(sample(before, 'longrun_queue_oldest_job_age_seconds', { kind: 'webhook' })).toBe(0);
    // Nothing has run in this process yet.
    expect(sample(before, 'longrun_items_total', { kind: 'sleep', outcome: 'succeeded' })).toBeUndefined();

    server.engine.start();
    await until('the mixed job has ended', async () => (await call(`${server.url}/jobs/${mixed}`, { key: server.key })).status === 200);
    const job = (await call(`${server.url}/jobs/${mixed}`, { key: server.key })).body.data;
    expect(job.status).toBe('completed');

    const after = await scrape();
    expect(sample(after, 'longrun_items_total', { kind: 'sleep', outcome: 'succeeded' })).toBe(2);
    expect(sample(after, 'longrun_items_total', { kind: 'sleep', outcome: 'failed' })).toBe(1);
    expect(sample(after, 'longrun_items_total', { kind: 'sleep', outcome: 'retry' })).toBe(1);
    expect(sample(after, 'longrun_item_retries_total', { kind: 'sleep', error_code: 'DEMO_FLAKE' })).toBe(1);
    expect(sample(after, 'longrun_jobs_ended_total', { kind: 'sleep', status: 'completed' })).toBe(1);
    expect(sample(after, 'longrun_job_duration_seconds_count', { kind: 'sleep', status: 'completed' })).toBe(1);
    expect(sample(after, 'longrun_job_duration_seconds_bucket', { kind: 'sleep', status: 'completed', le: '+Inf' })).toBe(1);
    expect(sample(after, 'longrun_job_queue_wait_seconds_count', { kind: 'sleep' })).toBe(1);
    expect(sample(after, 'longrun_job_queue_wait_seconds_sum', { kind: 'sleep' })).toBeGreaterThanOrEqual(age);
    expect(sample(after, 'longrun_credits_charged_total', { kind: 'sleep' })).toBe(job.credits.charged);
    expect(job.credits.charged).toBe(2);

    // The queue's gauges are read again once their cache (3 s) runs out.
    await until(
      'the gauges show the queue emptied',
      async () => {
        const text = await scrape();
        return (
          sample(text, 'longrun_jobs', { kind: 'sleep', status: 'queued' }) === 0 && sample(text, 'longrun_jobs', { kind: 'sleep', status: 'running' }) === 0
        );
      },
      { everyMs: 250 },
    );
    const emptied = await scrape();
    expect(sample(emptied, 'longrun_jobs', { kind: 'sleep', status: 'scheduled' })).toBe(1);
    expect(sample(emptied, 'longrun_queue_oldest_job_age_seconds', { kind: 'sleep' })).toBe(0);
  });

  it('counts a canceled job and its credits', async () => {
    const slow = await submit({ items: 2, ms: 20_000 });
    await until('the slow job runs', async () => (await call(`${server.url}/jobs/${slow}`, { key: server.key })).body.data.status === 'running');
    expect((await call(`${server.url}/jobs/${slow}/cancel`, { key: server.key, method: 'POST' })).status).toBe(200);
    const text = await scrape();
    expect(sample(text, 'longrun_jobs_ended_total', { kind: 'sleep', status: 'canceled' })).toBe(1);
    expect(sample(text, 'longrun_job_duration_seconds_count', { kind: 'sleep', status: 'canceled' })).toBe(1);
    // Its running item was stopped: abandoned, not a lost lease.
    await until('the canceled item is told', async () => sample(await scrape(), 'longrun_items_total', { kind: 'sleep', outcome: 'abandoned' }) === 1);
    expect(sample(await scrape(), 'longrun_job_leases_lost_total', { kind: 'sleep' })).toBeUndefined();
  });
});
