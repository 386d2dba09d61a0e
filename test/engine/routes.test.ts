import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsDeleteFinishedBefore } from '../../src/engine/sql/jobsMaintenance.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_WORKERS: '6', LONGRUN_ORG_CONCURRENCY: '3' } });
});
afterAll(() => server?.close());

type Frame = { id?: string; event?: string; data?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every SSE frame until the server closes the stream (comments are skipped). */
async function* frames(response: Response): AsyncGenerator<Frame> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame: Frame = {};
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) frame.id = line.slice(4);
          else if (line.startsWith('event: ')) frame.event = line.slice(7);
          else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6));
        }
        if (frame.id !== undefined || frame.event !== undefined) yield frame;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined); // a caller that stops early closes the stream
  }
}

async function collect(response: Response): Promise<Frame[]> {
  const all: Frame[] = [];
  for await (const f of frames(response)) all.push(f);
  return all;
}

const events = (id: string, key: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/jobs/${id}/events`, { headers: { authorization: `Bearer ${key}`, ...headers } });

async function submit(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(`${server.url}/demo/sleep`, { key, headers, json: body });
}

async function submitOk(key: string, body: Record<string, unknown>): Promise<string> {
  const answer = await submit(key, body);
  expect(answer.status, answer.text).toBe(202);
  expect(answer.body).toEqual({ success: true, data: { jobId: expect.stringMatching(/^job_/), status: 'queued' } });
  return answer.body.data.jobId as string;
}

/** Long-polls until the job finishes; never sleeps. */
async function untilFinished(id: string, key: string) {
  for (let i = 0; i < 20; i++) {
    const answer = await call(`${server.url}/jobs/${id}?wait=10`, { key });
    if (answer.status === 200) return answer;
    expect(answer.status, answer.text).toBe(202);
  }
  throw new Error(`job ${id} did not finish`);
}

const freshOrg = (name: string, credits = 100) => server.newOrg(name, { credits });

describe('GET /jobs/{id}', () => {
  // ?wait=30 below holds 30 s when no change wakes it: past this test's 20 s timeout.
  it('answers 202 with Retry-After while work runs, wakes ?wait= on a status change, and 200 once completed', { timeout: 20_000 }, async () => {
    const { key } = await freshOrg('status');
    const id = await submitOk(key, { items: 3, ms: 300 });

    const first = await call(`${server.url}/jobs/${id}`, { key });
    expect(first.status).toBe(202);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(['queued', 'running']).toContain(first.body.data.status);
    expect(first.body.data).toMatchObject({ id, kind: 'sleep', progress: { total: 3 }, counts: { failed: 0 }, credits: { charged: 0 } });
    expect(first.body.data.credits.reserved + first.body.data.credits.charged).toBe(3);
    expect(first.body.data.completedAt).toBeNull();

    let last = first;
    const seen: string[] = [first.body.data.status];
    while (last.status === 202) {
      last = await call(`${server.url}/jobs/${id}?wait=30`, { key });
      expect(last.body.data.status).not.toBe(seen.at(-1));
      seen.push(last.body.data.status);
      if (last.status === 202) expect(last.headers.get('retry-after')).toBe('2');
    }
    expect(seen.at(-1)).toBe('completed');
    expect(last.status).toBe(200);
    expect(last.headers.get('retry-after')).toBeNull();
    expect(last.body.data.completedAt).toEqual(expect.any(String));
    expect(last.body.data.progress).toEqual({ done: 3, total: 3, fraction: null }); // the demo kind reports no progress within items
    expect(last.body.data.counts).toEqual({ pending: 0, succeeded: 3, failed: 0, canceled: 0 });
    expect(last.body.data.credits).toEqual({ reserved: 0, charged: 3 });
  });

  it('?wait=1 on a job that does not change answers after its second, still unfinished; ?wait=31 is refused', async () => {
    const { key } = await freshOrg('long');
    const id = await submitOk(key, { items: 1, ms: 30_000 });
    // Running, and running until it is canceled below: no change ends a wait early.
    await until('the job is running', async () => (await call(`${server.url}/jobs/${id}`, { key })).body.data.status === 'running');
    const started = Date.now();
    const timed = (wait: number) => call(`${server.url}/jobs/${id}?wait=${wait}`, { key }).then((answer) => ({ wait, answer, ms: Date.now() - started }));
    // Held its whole second, and answered before a wait of three sent with it: an order set by
    // the server's own timers, which a loaded machine delays alike (a bound on the clock would flake).
    const [first, second] = await Promise.all([timed(1), timed(3)]).then((both) => both.sort((a, b) => a.ms - b.ms));
    expect(first!.wait).toBe(1);
    expect(first!.ms).toBeGreaterThanOrEqual(950);
    for (const { answer } of [first!, second!]) {
      expect(answer.status).toBe(202);
      expect(answer.body.data.status).toBe('running');
      expect(answer.headers.get('retry-after')).toBe('2');
    }

    const tooLong = await call(`${server.url}/jobs/${id}?wait=31`, { key });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body).toMatchObject({ success: false, error: 'validation_error' });
    expect((await call(`${server.url}/jobs/${id}/cancel`, { key, method: 'POST' })).status).toBe(200);
  });
});

describe('GET /jobs and /jobs/{id}/items', () => {
  it('lists newest first with a total, filters by status and kind, refuses an unknown status', async () => {
    const { key } = await freshOrg('list');
    const a = await submitOk(key, { items: 1, ms: 0 });
    await untilFinished(a, key);
    const b = await submitOk(key, { items: 1, ms: 0, runAt: new Date(Date.now() + 60_000).toISOString() });

    const all = await call(`${server.url}/jobs`, { key });
    expect(all.status).toBe(200);
    expect(all.body.data.total).toBe(2);
    expect(all.body.data.jobs.map((j: { id: string }) => j.id)).toEqual([b, a]);

    const completed = await call(`${server.url}/jobs?status=completed`, { key });
    expect(completed.body.data).toMatchObject({ total: 1, jobs: [{ id: a, status: 'completed' }] });
    const queued = await call(`${server.url}/jobs?status=queued`, { key });
    expect(queued.body.data).toMatchObject({ total: 1, jobs: [{ id: b, status: 'queued' }] });
    expect((await call(`${server.url}/jobs?kind=sleep`, { key })).body.data.total).toBe(2);
    expect((await call(`${server.url}/jobs?kind=other`, { key })).body.data).toEqual({ jobs: [], total: 0 });

    const bogus = await call(`${server.url}/jobs?status=bogus`, { key });
    expect(bogus.status).toBe(422);
    expect(bogus.body).toMatchObject({ success: false, error: 'validation_error' });
  });

  it("lists a job's items with results and errors; a failed item is not charged", async () => {
    const { key } = await freshOrg('items');
    const id = await submitOk(key, { items: 3, ms: 10, fail: ['item-2'] });
    const done = await untilFinished(id, key);
    expect(done.body.data).toMatchObject({ status: 'completed', counts: { succeeded: 2, failed: 1 }, credits: { reserved: 0, charged: 2 } });

    const items = await call(`${server.url}/jobs/${id}/items`, { key });
    expect(items.status).toBe(200);
    expect(items.body.data.total).toBe(3);
    const [one, two, three] = items.body.data.items;
    expect(one).toMatchObject({ key: 'item-1', status: 'succeeded', attempts: 1, result: { key: 'item-1', sleptMs: 10 }, error: null });
    expect(one.finishedAt).toEqual(expect.any(String));
    expect(two).toMatchObject({ key: 'item-2', status: 'failed', result: null, error: { code: 'DEMO_FAILURE', message: expect.any(String) } });
    expect(three).toMatchObject({ key: 'item-3', status: 'succeeded', result: { key: 'item-3', sleptMs: 10 } });
    const page = await call(`${server.url}/jobs/${id}/items?limit=1&offset=2`, { key });
    expect(page.body.data.total).toBe(3);
    expect(page.body.data.items.map((i: { key: string }) => i.key)).toEqual(['item-3']);
  });

  it('answers a finished job the same way on every poll, never to another organisation, and 404 once pruned', async () => {
    const mine = await freshOrg('finished-poller');
    const theirs = await freshOrg('finished-stranger');
    const id = await submitOk(mine.key, { items: 2, ms: 0 });
    const done = await untilFinished(id, mine.key);
    // Answered again (the finished job's answer is kept: src/http/finishedBodies.ts): same bytes, same headers.
    const again = await call(`${server.url}/jobs/${id}`, { key: mine.key });
    expect(again.status).toBe(200);
    expect(again.text).toBe(done.text);
    expect(again.headers.get('content-type')).toBe(done.headers.get('content-type'));
    expect(again.headers.get('retry-after')).toBeNull();
    expect((await call(`${server.url}/jobs/${id}`, { key: theirs.key })).status).toBe(404);
    // Pruned as the retention job prunes (its completion counts as older than "now + 1 s").
    expect(await jobsDeleteFinishedBefore(server.store.db, new Date(Date.now() + 1000).toISOString())).toBeGreaterThan(0);
    const gone = await call(`${server.url}/jobs/${id}`, { key: mine.key });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ success: false, error: 'not_found' });
  });

  it('answers 404 to another organisation for every route of a job, and lists none of its jobs', async () => {
    const mine = await freshOrg('owner');
    const theirs = await freshOrg('stranger');
    const id = await submitOk(mine.key, { items: 1, ms: 0, runAt: new Date(Date.now() + 60_000).toISOString() });
    for (const [path, method] of [
      [``, 'GET'],
      [`/items`, 'GET'],
      [`/events`, 'GET'],
      [`/cancel`, 'POST'],
    ] as const) {
      const answer = await call(`${server.url}/jobs/${id}${path}`, { key: theirs.key, method });
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).toMatchObject({ success: false, error: 'not_found' });
    }
    expect((await call(`${server.url}/jobs`, { key: theirs.key })).body.data).toEqual({ jobs: [], total: 0 });
    // Still there, still queued, for its owner.
    expect((await call(`${server.url}/jobs/${id}`, { key: mine.key })).body.data.status).toBe('queued');
  });
});

describe('POST /jobs/{id}/cancel', () => {
  it('cancels a running job: charged for what succeeded, the rest released; a second cancel is 409', async () => {
    const { key } = await freshOrg('cancel', 50);
    const id = await submitOk(key, { items: 20, ms: 200 });
    const stream = await events(id, key);
    for await (const f of frames(stream)) if (f.event === 'item.succeeded') break;

    const canceled = await call(`${server.url}/jobs/${id}/cancel`, { key, method: 'POST' });
    expect(canceled.status, canceled.text).toBe(200);
    expect(canceled.body.data).toMatchObject({ id, status: 'canceled', credits: { reserved: 0 } });

    const later = (await call(`${server.url}/jobs/${id}`, { key })).body.data;
    expect(later.status).toBe('canceled');
    expect(later.counts.succeeded).toBeGreaterThanOrEqual(1);
    expect(later.counts.succeeded).toBeLessThan(20);
    expect(later.credits).toEqual({ reserved: 0, charged: later.counts.succeeded });
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 50 - later.counts.succeeded, reserved: 0 });

    const again = await call(`${server.url}/jobs/${id}/cancel`, { key, method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ success: false, error: 'conflict' });
  });

  it('cancels a queued job scheduled for later and returns its whole reservation', async () => {
    const { key } = await freshOrg('cancel-queued', 10);
    const id = await submitOk(key, { items: 4, ms: 0, runAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 6, reserved: 4 });
    const canceled = await call(`${server.url}/jobs/${id}/cancel`, { key, method: 'POST' });
    expect(canceled.status).toBe(200);
    expect(canceled.body.data).toMatchObject({ status: 'canceled', startedAt: null, credits: { reserved: 0, charged: 0 } });
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 10, reserved: 0 });
  });
});

describe('GET /jobs/{id}/events', () => {
  it('streams every event in order, closes after the terminal one, and resumes after Last-Event-ID', async () => {
    const { key } = await freshOrg('sse');
    const id = await submitOk(key, { items: 3, ms: 100 });
    const stream = await events(id, key);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const all = await collect(stream); // returns only because the server ends the stream
    expect(all.map((f) => f.event)).toEqual(['job.queued', 'job.started', 'item.succeeded', 'item.succeeded', 'item.succeeded', 'job.completed']);
    expect(all.map((f) => f.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    for (const f of all) expect(f.data).toMatchObject({ seq: Number(f.id), type: f.event, jobId: id });
    expect(all[5]!.data.data).toMatchObject({ status: 'completed', succeeded: 3, total: 3, creditsCharged: 3 });

    const resumed = await collect(await events(id, key, { 'last-event-id': '4' }));
    expect(resumed.map((f) => [f.id, f.event])).toEqual([
      ['5', 'item.succeeded'],
      ['6', 'job.completed'],
    ]);

    // An EventSource reconnecting after the last event is told to stop, not kept open forever.
    const seenAll = await events(id, key, { 'last-event-id': '6' });
    expect(seenAll.status).toBe(204);
  });
});

describe('POST /demo/sleep', () => {
  it('replays a submission for the same Idempotency-Key and body, and refuses the key with another body', async () => {
    const { key } = await freshOrg('idem');
    const body = { items: 1, ms: 0, runAt: new Date(Date.now() + 60_000).toISOString() };
    const first = await submit(key, body, { 'idempotency-key': 'sleep-1' });
    const second = await submit(key, body, { 'idempotency-key': 'sleep-1' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.data.jobId).toBe(first.body.data.jobId);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(`${server.url}/jobs`, { key })).body.data.total).toBe(1);
    expect((await call(`${server.url}/credits`, { key })).body.data.reserved).toBe(1);

    const other = await submit(key, { ...body, items: 2 }, { 'idempotency-key': 'sleep-1' });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ success: false, error: 'idempotency_key_reused' });
    expect((await call(`${server.url}/jobs`, { key })).body.data.total).toBe(1);
  });

  it('answers 402 without creating a job when the organisation lacks the credits', async () => {
    const { key } = await freshOrg('poor', 2);
    const answer = await submit(key, { items: 3, ms: 0 });
    expect(answer.status).toBe(402);
    expect(answer.body).toMatchObject({ success: false, error: 'insufficient_credits' });
    expect((await call(`${server.url}/jobs`, { key })).body.data.total).toBe(0);
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 2, reserved: 0 });
  });

  it('refuses an invalid body with 422 naming the field', async () => {
    const answer = await submit(server.key, { items: 0 });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ success: false, error: 'validation_error' });
    expect(answer.body.message).toContain('body.items');
    expect((await call(`${server.url}/jobs`, { key: server.key })).body.data.total).toBe(0);
  });
});
