/**
 * `GET /stats/jobs` (issue 33, the dashboard's overview): queued and running now by kind, the
 * jobs that ended in the window by kind and time bucket, the queued job waiting longest, and
 * failures by error code; only the caller's organisation, only kinds its key may read.
 *
 * No workers: jobs are submitted and then given their ends by writing their rows, so each lands
 * in a known bucket whatever the machine's speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const MIN = 60_000;

async function submit(key: string, body: Record<string, unknown> = {}): Promise<string> {
  const answer = await call(`${server.url}/demo/sleep`, { key, json: { items: 2, ms: 0, ...body } });
  expect(answer.status, answer.text).toBe(202);
  return answer.body.data.jobId as string;
}

/** Ends a job as the engine would have, at `at`. */
async function end(id: string, at: string, status: 'completed' | 'failed', counts: { succeeded: number; failed: number }, errorCode: string | null = null) {
  await server.store.db
    .updateTable('jobs')
    .set({
      status,
      completed_at: at,
      available_at: null,
      items_succeeded: counts.succeeded,
      items_failed: counts.failed,
      error_code: errorCode,
      error_message: errorCode,
    })
    .where('id', '=', id)
    .execute();
}

const stats = (window?: string, key = server.key) => call(`${server.url}/stats/jobs${window ? `?window=${window}` : ''}`, { key });

/** The bucket of the answer `at` falls in. */
const bucketIndex = (data: { from: string; bucketSeconds: number }, at: string) =>
  Math.floor((Date.parse(at) - Date.parse(data.from)) / (data.bucketSeconds * 1000));

describe('GET /stats/jobs', () => {
  const at = { recent: '', partly: '', broke: '' };
  const ids = { recent: '', partly: '', broke: '', waiting: '', scheduled: '' };

  beforeAll(async () => {
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, startWorkers: false, credits: 100 });
    ids.recent = await submit(server.key);
    ids.partly = await submit(server.key);
    ids.broke = await submit(server.key);
    ids.waiting = await submit(server.key);
    ids.scheduled = await submit(server.key, { runAt: new Date(Date.now() + 3_600_000).toISOString() });

    at.recent = ago(MIN);
    at.partly = ago(20 * MIN);
    at.broke = ago(3 * 60 * MIN);
    await end(ids.recent, at.recent, 'completed', { succeeded: 2, failed: 0 });
    await end(ids.partly, at.partly, 'completed', { succeeded: 1, failed: 1 });
    await server.store.db
      .updateTable('job_items')
      .set({ status: 'failed', error_code: 'DEMO_FAILURE', error_message: 'asked to fail' })
      .where('job_id', '=', ids.partly)
      .where('key', '=', 'item-2')
      .execute();
    await end(ids.broke, at.broke, 'failed', { succeeded: 0, failed: 0 }, 'KIND_BROKE');
    // Due ten minutes ago: the longest wait.
    await server.store.db
      .updateTable('jobs')
      .set({ available_at: ago(10 * MIN) })
      .where('id', '=', ids.waiting)
      .execute();

    // Another organisation's jobs are never counted.
    const other = await server.newOrg('stats-other', { credits: 10 });
    const theirs = await submit(other.key);
    await end(theirs, ago(MIN), 'failed', { succeeded: 0, failed: 2 }, 'THEIRS');
  });
  afterAll(() => server?.close());

  it('counts the last hour in 12 buckets of 5 minutes, with what is queued now and what waits longest', async () => {
    const answer = await stats();
    expect(answer.status, answer.text).toBe(200);
    const data = answer.body.data;
    expect(data.window).toBe('hour');
    expect(data.bucketSeconds).toBe(300);
    expect(data.buckets).toHaveLength(12);
    expect(Date.parse(data.to) - Date.parse(data.from)).toBe(3_600_000);
    expect(Date.parse(data.to)).toBeGreaterThan(Date.now() - 1000);

    expect(data.kinds).toEqual([{ kind: 'sleep', queued: 2, running: 0, completed: 2, failed: 0, canceled: 0 }]);
    const recent = data.buckets[bucketIndex(data, at.recent)];
    const partly = data.buckets[bucketIndex(data, at.partly)];
    expect(recent).toMatchObject({ completed: 1, itemsSucceeded: 2, itemsFailed: 0 });
    expect(partly).toMatchObject({ completed: 1, itemsSucceeded: 1, itemsFailed: 1 });
    const sum = (field: string) => data.buckets.reduce((n: number, b: Record<string, number>) => n + b[field]!, 0);
    expect([sum('completed'), sum('failed'), sum('canceled')]).toEqual([2, 0, 0]);

    expect(data.oldestQueued).toMatchObject({ id: ids.waiting, kind: 'sleep' });
    expect(Date.parse(data.oldestQueued.dueAt)).toBeLessThan(Date.now() - 9 * MIN);
    expect(data.failures).toEqual([{ code: 'DEMO_FAILURE', jobs: 0, items: 1 }]);
  });

  it('counts the last day in 24 hourly buckets, a failed job and its error code included', async () => {
    const { body } = await stats('day');
    const data = body.data;
    expect(data.bucketSeconds).toBe(3600);
    expect(data.buckets).toHaveLength(24);
    expect(data.kinds).toEqual([{ kind: 'sleep', queued: 2, running: 0, completed: 2, failed: 1, canceled: 0 }]);
    expect(data.buckets[bucketIndex(data, at.broke)]).toMatchObject({ failed: 1 });
    expect(data.failures).toEqual([
      { code: 'DEMO_FAILURE', jobs: 0, items: 1 },
      { code: 'KIND_BROKE', jobs: 1, items: 0 },
    ]);
  });

  it('answers an organisation with no jobs with empty buckets', async () => {
    const { key } = await server.newOrg('stats-empty', { credits: 1 });
    const { body } = await stats('hour', key);
    expect(body.data.kinds).toEqual([]);
    expect(body.data.oldestQueued).toBeNull();
    expect(body.data.failures).toEqual([]);
    expect(body.data.buckets.every((b: Record<string, unknown>) => b.completed === 0 && b.failed === 0 && b.itemsSucceeded === 0)).toBe(true);
  });

  it('refuses an unknown window and a key without a product scope', async () => {
    const week = await stats('week');
    expect(week.status).toBe(422);
    expect(week.body.error).toBe('validation_error');
    const extra = await call(`${server.url}/stats/jobs?kind=sleep`, { key: server.key });
    expect(extra.status).toBe(422);
    const { key } = await server.newOrg('stats-operator', { scopes: ['workers:read'] });
    expect((await stats('hour', key)).status).toBe(403);
  });
});
