/**
 * The demonstration kind's time budget follows each item's `ms`: an item of 2,500 ms (past the
 * old fixed budget of 2 s) succeeds on its first attempt on the server's own demo kind, and a
 * hanging item times out `budgetBeyondMs` after its `ms`, not at some fixed time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleepKind } from '../../src/families/demo/kind.ts';
import { itemsOf, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer | undefined;
let t: TestEngine | undefined;
afterEach(async () => {
  await server?.close();
  await t?.close();
  server = t = undefined;
});

describe('demo kind sleep: time budget', () => {
  it('lets an item of 2,500 ms finish on its first attempt', async () => {
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' } });
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 1, ms: 2500 } });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.data.jobId as string;
    await waitForJob(server.engine, server.store, id);
    const items = await call(`${server.url}/jobs/${id}/items`, { key: server.key });
    expect(items.body.data.items).toMatchObject([{ key: 'item-1', status: 'succeeded', attempts: 1, error: null, result: { sleptMs: 2500 } }]);
  });

  it('times a hanging item out its margin after its ms', async () => {
    const sleep = sleepKind({ budgetBeyondMs: 200, maxAttempts: 1 });
    t = await startTestEngine([sleep]);
    const org = await t.org('acme');
    const job = await t.engine.submit({ orgId: org.id, kind: sleep, input: { items: 1, ms: 300, fail: [], flaky: [], hang: ['item-1'] } });
    await waitForJob(t.engine, t.store, job.id);
    const [item] = await itemsOf(t.store, job.id);
    expect([item!.status, item!.error_code, item!.error_message]).toEqual([
      'failed',
      'TIMEOUT',
      'The item did not finish within its time budget of 500 ms. (gave up after 1 attempts)',
    ]);
    // Not before its budget: it started, slept its 300 ms and the 200 ms beyond, then failed.
    expect(Date.parse(item!.finished_at!) - Date.parse(item!.started_at!)).toBeGreaterThanOrEqual(500);
  });
});
