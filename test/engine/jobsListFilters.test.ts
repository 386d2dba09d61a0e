/**
 * `GET /jobs?createdFrom=&createdTo=` (issue 33, the dashboard's date range): jobs created at or
 * after `createdFrom` and before `createdTo`, with the total counting the same rows; an instant
 * with an offset means the same instant; a range that ends before it starts is a 422.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
const ids: string[] = [];
const created = ['2026-11-01T08:00:00.000Z', '2026-11-02T08:00:00.000Z', '2026-11-03T08:00:00.000Z'];

beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, startWorkers: false });
  for (const at of created) {
    const answer = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 1, ms: 0 } });
    expect(answer.status, answer.text).toBe(202);
    ids.push(answer.body.data.jobId);
    await server.store.db.updateTable('jobs').set({ created_at: at }).where('id', '=', answer.body.data.jobId).execute();
  }
});
afterAll(() => server?.close());

const list = (query: string) => call(`${server.url}/jobs?${query}`, { key: server.key });

describe('GET /jobs by creation time', () => {
  it('keeps the jobs created in the range, from inclusive, to exclusive', async () => {
    const answer = await list(`createdFrom=${created[1]}&createdTo=${created[2]}`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.data.jobs.map((j: { id: string }) => j.id)).toEqual([ids[1]]);
    expect(answer.body.data.total).toBe(1);

    const from = await list(`createdFrom=${created[1]}`);
    expect(from.body.data.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    const to = await list(`createdTo=${created[1]}`);
    expect(to.body.data.jobs.map((j: { id: string }) => j.id)).toEqual([ids[0]]);
  });

  it('reads an instant with an offset as the same instant in UTC', async () => {
    // 09:00+01:00 is 08:00Z: the second job is included.
    const answer = await list(`createdFrom=${encodeURIComponent('2026-11-02T09:00:00+01:00')}&status=queued`);
    expect(answer.body.data.total).toBe(2);
  });

  it('refuses a range that ends before it starts, and a time that is not one', async () => {
    const backwards = await list(`createdFrom=${created[2]}&createdTo=${created[1]}`);
    expect(backwards.status).toBe(422);
    expect(backwards.body).toMatchObject({ success: false, error: 'validation_error', message: 'createdTo must be after createdFrom.' });
    expect((await list('createdFrom=yesterday')).status).toBe(422);
    expect((await list('createdTo=2026-02-30T00:00:00Z')).status).toBe(422);
  });
});
