/**
 * What has been failing (issue 32, point 6): `GET /jobs/failures?since=` counts an
 * organisation's failed items and jobs per kind and error code, and `GET /jobs?since=` lists
 * the jobs that changed since an instant; another organisation's failures never show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: 'true' } });
});
afterAll(async () => {
  await server?.close();
});

describe('failures at a glance', () => {
  it('counts failed items per kind and code since an instant, for the organisation only', async () => {
    const { key } = await server.newOrg('failing', { credits: 100 });
    const { key: otherKey } = await server.newOrg('watching', { credits: 100 });
    const before = new Date(Date.now() - 1000).toISOString();
    const failing = await call(`${server.url}/demo/sleep`, {
      key,
      json: { items: 3, ms: 0, fail: ['item-1', 'item-3'] },
      headers: { prefer: 'wait=25' },
    });
    expect(failing.status, failing.text).toBe(200);
    const fine = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 }, headers: { prefer: 'wait=25' } });
    expect(fine.status).toBe(200);

    const counted = await call(`${server.url}/jobs/failures?since=${encodeURIComponent(before)}`, { key });
    expect(counted.status, counted.text).toBe(200);
    expect(counted.body.data).toEqual({ since: before, failures: [{ kind: 'sleep', errorCode: 'DEMO_FAILURE', items: 2, jobs: 0 }] });
    // `since` is required; a later instant counts nothing.
    expect((await call(`${server.url}/jobs/failures`, { key })).status).toBe(422);
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await call(`${server.url}/jobs/failures?since=${later}`, { key })).body.data.failures).toEqual([]);
    expect((await call(`${server.url}/jobs/failures?kind=sourcing&since=${encodeURIComponent(before)}`, { key })).body.data.failures).toEqual([]);
    expect((await call(`${server.url}/jobs/failures?since=${encodeURIComponent(before)}`, { key: otherKey })).body.data.failures).toEqual([]);

    const changed = await call(`${server.url}/jobs?since=${encodeURIComponent(before)}&status=completed`, { key });
    expect(changed.body.data.total).toBe(2);
    expect((await call(`${server.url}/jobs?since=${later}`, { key })).body.data.total).toBe(0);
    expect((await call(`${server.url}/jobs?since=yesterday`, { key })).status).toBe(422);
  });
});
