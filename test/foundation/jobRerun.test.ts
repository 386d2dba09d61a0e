/**
 * Rerunning what did not succeed (issue 32, point 1): `POST /jobs/{id}/rerun` runs a finished
 * job's failed and canceled items again as a new job, charging only for those; an enrichment
 * rerun's results show every profile, earlier successes included and not charged again;
 * `Idempotency-Key` makes a retried request one rerun; `POST /jobs/rerun` does it in bulk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeBaseWith } from '../helpers/knowledge.ts';
import { backendPool, backendRole, importProfiles, untilDone } from '../helpers/sourcing.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: 'true' } });
});
afterAll(async () => {
  await server?.close();
});

/** A finished demo job whose `fail` items failed. */
async function finishedSleep(key: string, fail: string[], items = 3): Promise<string> {
  const answer = await call(`${server.url}/demo/sleep`, { key, json: { items, ms: 0, fail }, headers: { prefer: 'wait=25' } });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.data.id as string;
}

async function balance(key: string): Promise<number> {
  return (await call(`${server.url}/credits`, { key })).body.data.available as number;
}

describe('POST /jobs/{id}/rerun', () => {
  it('runs the failed items again as a new job and leaves the original as it was', async () => {
    const { key } = await server.newOrg('rerun', { credits: 100 });
    const original = await finishedSleep(key, ['item-1', 'item-3']);
    const before = await call(`${server.url}/jobs/${original}`, { key });

    const rerun = await call(`${server.url}/jobs/${original}/rerun`, { key, method: 'POST' });
    expect(rerun.status, rerun.text).toBe(202);
    expect(rerun.body.data).toMatchObject({ rerunOf: original, status: 'queued', items: 2 });
    expect(rerun.headers.get('location')).toBe(`${server.url}/jobs/${rerun.body.data.jobId}`);
    const done = await call(`${rerun.headers.get('location')}?wait=25`, { key });
    const items = await call(`${server.url}/jobs/${rerun.body.data.jobId}/items`, { key });
    expect(items.body.data.items.map((i: { key: string }) => i.key)).toEqual(['item-1', 'item-3']);
    expect(done.body.data.kind).toBe('sleep');
    expect(await call(`${server.url}/jobs/${original}`, { key })).toMatchObject({ status: 200, text: before.text });

    // Some keys only; a key that did not fail is refused.
    const some = await call(`${server.url}/jobs/${original}/rerun`, { key, json: { keys: ['item-3'] } });
    expect(some.body.data.items).toBe(1);
    const wrong = await call(`${server.url}/jobs/${original}/rerun`, { key, json: { keys: ['item-2'] } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toBe('validation_error');
  });

  it('refuses a job with nothing to rerun, an unfinished one, and another organisation’s', async () => {
    const { key } = await server.newOrg('rerun-refusals', { credits: 100 });
    const { key: otherKey } = await server.newOrg('rerun-other', { credits: 100 });
    const fine = await finishedSleep(key, []);
    const nothing = await call(`${server.url}/jobs/${fine}/rerun`, { key, method: 'POST' });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error).toBe('conflict');

    const slow = await call(`${server.url}/demo/sleep`, { key, json: { items: 2, ms: 20_000 } });
    const running = await call(`${server.url}/jobs/${slow.body.data.jobId}/rerun`, { key, method: 'POST' });
    expect(running.status).toBe(409);
    // Canceled items are rerun too.
    await call(`${server.url}/jobs/${slow.body.data.jobId}/cancel`, { key, method: 'POST' });
    const canceled = await call(`${server.url}/jobs/${slow.body.data.jobId}/rerun`, { key, method: 'POST' });
    expect(canceled.body.data.items).toBe(2);
    await call(`${server.url}/jobs/${canceled.body.data.jobId}/cancel`, { key, method: 'POST' });

    const theirs = await finishedSleep(otherKey, ['item-1']);
    const foreign = await call(`${server.url}/jobs/${theirs}/rerun`, { key, method: 'POST' });
    const absent = await call(`${server.url}/jobs/job_01ARZ3NDEKTSV4RRFFQ69G5FAV/rerun`, { key, method: 'POST' });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ ...absent.body, message: absent.body.message.replace('job_01ARZ3NDEKTSV4RRFFQ69G5FAV', theirs) });
  });

  it('honours Idempotency-Key: the same request again is the same rerun', async () => {
    const { key } = await server.newOrg('rerun-idempotent', { credits: 100 });
    const original = await finishedSleep(key, ['item-2']);
    const init = { key, method: 'POST', headers: { 'idempotency-key': 'rerun-1' } };
    const first = await call(`${server.url}/jobs/${original}/rerun`, init);
    const again = await call(`${server.url}/jobs/${original}/rerun`, init);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect((await call(`${server.url}/jobs?kind=sleep`, { key })).body.data.total).toBe(2);
  });

  it('shows an enrichment rerun with every profile, charging only the profiles it ran', async () => {
    const { key } = await server.newOrg('rerun-enrich', { credits: 100 });
    const [found] = await importProfiles(server.url, key, [backendPool[0]]);
    const sourcing = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, limit: 10 }, headers: { prefer: 'wait=25' } });
    expect(sourcing.body.status, sourcing.text).toBe('completed');
    // Imported after the run: no run has found it yet, so enriching it fails (PROFILE_NOT_FOUND).
    const [later] = await importProfiles(server.url, key, [backendPool[1]]);
    const enrich = await call(`${server.url}/sourcing/enrich`, { key, json: { profileIds: [found, later] }, headers: { prefer: 'wait=25' } });
    expect(enrich.body).toMatchObject({ status: 'completed', enrichedCount: 1, failureCount: 1, creditsConsumed: 1 });

    await call(`${server.url}/sourcing`, { key, json: { ...backendRole, limit: 10 }, headers: { prefer: 'wait=25' } });
    const credits = await balance(key);
    const rerun = await call(`${server.url}/jobs/${enrich.body.requestId}/rerun`, { key, method: 'POST' });
    expect(rerun.status, rerun.text).toBe(202);
    expect(rerun.body.data.jobId).toMatch(/^enr_/);
    const results = await untilDone(`${server.url}/sourcing/enrich/${rerun.body.data.jobId}/results`, key);
    expect(results.body).toMatchObject({ requestId: rerun.body.data.jobId, status: 'completed', enrichedCount: 2, failureCount: 0, creditsConsumed: 1 });
    expect(results.body.data.map((d: { profileId: string; success: boolean }) => [d.profileId, d.success])).toEqual([
      [found, true],
      [later, true],
    ]);
    expect(await balance(key)).toBe(credits - 1);
    // The original still reads as it ended.
    expect((await call(`${server.url}/sourcing/enrich/${enrich.body.requestId}/results`, { key })).text).toBe(enrich.text);
  });
});

describe('POST /jobs/rerun', () => {
  it('reruns by ID and by kind, saying per job what it did', async () => {
    const { key } = await server.newOrg('bulk-rerun', { credits: 100 });
    const { key: otherKey } = await server.newOrg('bulk-rerun-other', { credits: 100 });
    const failed = await finishedSleep(key, ['item-1']);
    const fine = await finishedSleep(key, []);
    const theirs = await finishedSleep(otherKey, ['item-1']);

    const byId = await call(`${server.url}/jobs/rerun`, { key, json: { ids: [failed, fine, theirs] } });
    expect(byId.status, byId.text).toBe(200);
    const [first, ...rest] = byId.body.data.results;
    expect(first).toMatchObject({ id: failed, outcome: 'rerun' });
    expect(rest).toEqual([
      { id: fine, outcome: 'nothing_to_rerun', status: 'completed' },
      { id: theirs, outcome: 'not_found' },
    ]);

    // By kind: jobs with an item that did not succeed and no rerun yet.
    const another = await finishedSleep(key, ['item-2']);
    await call(`${server.url}/jobs/${first.rerunId}?wait=25`, { key });
    const byKind = await call(`${server.url}/jobs/rerun`, { key, json: { kind: 'sleep' } });
    const ids = byKind.body.data.results.map((r: { id: string }) => r.id);
    expect(ids).toContain(another);
    expect(ids).not.toContain(failed);
    expect(ids).not.toContain(fine);
    expect((await call(`${server.url}/jobs/${theirs}/items`, { key: otherKey })).body.data.total).toBe(3);

    // A kind that cannot be rerun (a document's ingestion) says so, job by job.
    await knowledgeBaseWith(server, key, '# Notes\n\nOne passage about onboarding.', 'notes://rerun');
    const [ingest] = (await call(`${server.url}/jobs?kind=kb.ingest`, { key })).body.data.jobs;
    expect((await call(`${server.url}/jobs/${ingest.id}?wait=25`, { key })).body.data.status).toBe('completed');
    const refused = await call(`${server.url}/jobs/rerun`, { key, json: { ids: [ingest.id] } });
    expect(refused.body.data.results).toEqual([{ id: ingest.id, outcome: 'not_rerunnable' }]);
  });
});
