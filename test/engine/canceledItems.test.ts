/**
 * No item of a finished job is left `pending` or `running`: a cancel, or a fault outside the
 * items, ends the unfinished items `canceled` in the transaction that ends the job — seen on
 * the routes (`/jobs/{id}`, its items, its events) on both databases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/engine/errors.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitForJob } from '../helpers/testEngine.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function jobAnswer(s: TestServer, id: string) {
  const job = await call(`${s.url}/jobs/${id}`, { key: s.key });
  const items = await call(`${s.url}/jobs/${id}/items`, { key: s.key });
  const events = await call(`${s.url}/jobs/${id}/events`, { key: s.key });
  // The stream ends after the terminal event: its last `data:` line is the end's.
  const dataLines = events.text.split('\n').filter((line) => line.startsWith('data: '));
  return {
    job: job.body.data,
    items: items.body.data.items as { key: string; status: string; error: unknown; finishedAt: string | null }[],
    end: JSON.parse(dataLines.at(-1)!.slice(6)).data,
  };
}

describe('unfinished items of an ended job', () => {
  it('end canceled when the job is canceled: the running one, the pending one, and one waiting for its retry', async () => {
    const running = deferred();
    const aborted = deferred();
    const gated = defineKind({
      name: 'gated',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      items: () => [{ key: 'a' }, { key: 'b' }, { key: 'c' }],
      // `a` fails its first attempt and waits a minute for its retry, with its error on it.
      retryDelayMs: () => 60_000,
      async process({ item, signal }) {
        if (item.key === 'a') throw new RetryableError('TIMEOUT', 'took too long');
        running.resolve();
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted.resolve();
            reject(signal.reason);
          }),
        );
      },
    });
    server = await startTestServer({ credits: 10 });
    server.engine.register(gated);
    const submitted = await server.engine.submit({ orgId: server.org.id, kind: gated, input: {} });
    await running.promise;

    const before = await call(`${server.url}/jobs/${submitted.id}/items`, { key: server.key });
    expect(before.body.data.items.map((i: { status: string }) => i.status)).toEqual(['pending', 'running', 'pending']);
    expect(before.body.data.items[0].error).toEqual({ code: 'TIMEOUT', message: 'took too long' });

    const canceled = await call(`${server.url}/jobs/${submitted.id}/cancel`, { key: server.key, method: 'POST' });
    expect(canceled.status, canceled.text).toBe(200);
    expect(canceled.body.data).toMatchObject({
      status: 'canceled',
      counts: { pending: 0, succeeded: 0, failed: 0, canceled: 3 },
      credits: { reserved: 0, charged: 0 },
    });
    // The worker holding the job is told at once and stops its item; the item stays canceled.
    await aborted.promise;
    await server.engine.stop(1000);

    const { job, items, end } = await jobAnswer(server, submitted.id);
    expect(job.counts).toEqual({ pending: 0, succeeded: 0, failed: 0, canceled: 3 });
    expect(items.map((i) => [i.key, i.status, i.error])).toEqual([
      ['a', 'canceled', null],
      ['b', 'canceled', null],
      ['c', 'canceled', null],
    ]);
    expect(items.every((i) => i.finishedAt === job.completedAt)).toBe(true);
    expect(end).toMatchObject({ status: 'canceled', succeeded: 0, failed: 0, canceled: 3, total: 3, creditsCharged: 0 });
    expect((await call(`${server.url}/credits`, { key: server.key })).body.data).toEqual({ available: 10, reserved: 0 });
  });

  it('end canceled when the job fails by a fault outside its items; finished items keep their results', async () => {
    const faulty = defineKind({
      name: 'faulty',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      items: () => [{ key: 'a' }, { key: 'b' }, { key: 'c' }, { key: 'd' }],
      async process({ item }) {
        return item.key;
      },
      // The kind's own bookkeeping breaks on `b`: a fault of the kind, which fails the whole job.
      async commitResult(_trx, { key }) {
        if (key === 'b') throw new Error('bug in the kind');
      },
    });
    server = await startTestServer({ credits: 10 });
    server.engine.register(faulty);
    const submitted = await server.engine.submit({ orgId: server.org.id, kind: faulty, input: {} });
    await waitForJob(server.engine, server.store, submitted.id);

    const { job, items, end } = await jobAnswer(server, submitted.id);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'INTERNAL_ERROR' }, counts: { pending: 0, succeeded: 1, failed: 0, canceled: 3 } });
    expect(items.map((i) => [i.key, i.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'canceled'],
      ['c', 'canceled'],
      ['d', 'canceled'],
    ]);
    expect(end).toMatchObject({ status: 'failed', succeeded: 1, failed: 0, canceled: 3, total: 4, creditsCharged: 1 });
    expect((await call(`${server.url}/credits`, { key: server.key })).body.data).toEqual({ available: 9, reserved: 0 });
  });

  it('a completed job has none canceled, and its end says so', async () => {
    server = await startTestServer({ credits: 10, env: { LONGRUN_DEMO_KINDS: '1' } });
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 2, ms: 1, fail: ['item-2'] } });
    const id = submitted.body.data.jobId as string;
    await waitForJob(server.engine, server.store, id);
    const { job, items, end } = await jobAnswer(server, id);
    expect(job.counts).toEqual({ pending: 0, succeeded: 1, failed: 1, canceled: 0 });
    expect(items.map((i) => i.status)).toEqual(['succeeded', 'failed']);
    expect(end).toMatchObject({ status: 'completed', canceled: 0 });
  });
});
