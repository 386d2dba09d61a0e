/**
 * Bulk cancel (issue 32, point 4): `POST /jobs/cancel` by IDs or by kind reports per job what it
 * did; another organisation's jobs read `not_found` and stay as they were; a kind the key may
 * not write reads `forbidden`. Workers are off, so every job stays queued until canceled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: 'true' }, startWorkers: false });
});
afterAll(async () => {
  await server?.close();
});

async function sleepJob(key: string): Promise<string> {
  const answer = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 } });
  expect(answer.status, answer.text).toBe(202);
  return answer.body.data.jobId as string;
}

describe('POST /jobs/cancel', () => {
  it('cancels by ID and says per job what it did', async () => {
    const { key } = await server.newOrg('bulk', { credits: 100 });
    const { key: otherKey } = await server.newOrg('bystander', { credits: 100 });
    const [a, b] = [await sleepJob(key), await sleepJob(key)];
    const theirs = await sleepJob(otherKey);
    expect((await call(`${server.url}/jobs/${b}/cancel`, { key, method: 'POST' })).status).toBe(200);

    const answer = await call(`${server.url}/jobs/cancel`, { key, json: { ids: [a, b, theirs, 'job_01ARZ3NDEKTSV4RRFFQ69G5FAV', a] } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.data).toEqual({
      results: [
        { id: a, outcome: 'canceled', status: 'canceled' },
        { id: b, outcome: 'already_finished', status: 'canceled' },
        { id: theirs, outcome: 'not_found' },
        { id: 'job_01ARZ3NDEKTSV4RRFFQ69G5FAV', outcome: 'not_found' },
      ],
      more: false,
    });
    expect((await call(`${server.url}/jobs/${theirs}`, { key: otherKey })).body.data.status).toBe('queued');
  });

  it('cancels the open jobs of a kind, at most `limit` at a time', async () => {
    const { key } = await server.newOrg('by-kind', { credits: 100 });
    const { key: otherKey } = await server.newOrg('by-kind-bystander', { credits: 100 });
    const ids = [await sleepJob(key), await sleepJob(key), await sleepJob(key)];
    const theirs = await sleepJob(otherKey);

    const first = await call(`${server.url}/jobs/cancel`, { key, json: { kind: 'sleep', limit: 2 } });
    expect(first.body.data.results.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
    expect(first.body.data.more).toBe(true);
    const rest = await call(`${server.url}/jobs/cancel`, { key, json: { kind: 'sleep', status: 'queued' } });
    expect(rest.body.data).toEqual({ results: [{ id: ids[2], outcome: 'canceled', status: 'canceled' }], more: false });
    expect((await call(`${server.url}/jobs/cancel`, { key, json: { kind: 'no-such-kind' } })).body.data).toEqual({ results: [], more: false });
    expect((await call(`${server.url}/jobs/${theirs}`, { key: otherKey })).body.data.status).toBe('queued');
  });

  it('reports a kind the key may not write as forbidden, and refuses a body that names neither or both', async () => {
    const { org, key } = await server.newOrg('scoped', { credits: 100 });
    const run = await call(`${server.url}/sourcing`, { key, json: { title: 'Backend Engineer', jobDescription: 'Node.js', location: 'Berlin', limit: 1 } });
    const clipsOnly = (await apiKeyCreate(server.store.db, { orgId: org.id, scopes: ['clips:write'] })).key;
    const answer = await call(`${server.url}/jobs/cancel`, { key: clipsOnly, json: { ids: [run.body.requestId] } });
    expect(answer.body.data.results).toEqual([{ id: run.body.requestId, outcome: 'forbidden' }]);
    const byKind = await call(`${server.url}/jobs/cancel`, { key: clipsOnly, json: { kind: 'sourcing' } });
    expect(byKind.status).toBe(403);
    expect(byKind.body.error).toBe('forbidden');

    for (const body of [{}, { ids: [run.body.requestId], kind: 'sourcing' }, { ids: [run.body.requestId], status: 'queued' }]) {
      const refused = await call(`${server.url}/jobs/cancel`, { key, json: body });
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.body.error).toBe('validation_error');
    }
    expect((await call(`${server.url}/jobs/${run.body.requestId}`, { key })).body.data.status).toBe('queued');
  });
});
