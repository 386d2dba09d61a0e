/**
 * The credit ledger read for people (issue 33, the dashboard's credits page): the balance over
 * time (`GET /credits/history`), which ends at the balance of `GET /credits`; the ledger grouped
 * by job (`GET /credits/ledger/jobs`); and one job's entries (`GET /credits/ledger?ref=`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from '../helpers/testEngine.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let allGood: string;
let oneFailed: string;
const grantedAt = new Date(Date.now() - 5 * 3_600_000).toISOString();

async function finished(body: Record<string, unknown>): Promise<string> {
  const answer = await call(`${server.url}/demo/sleep`, { key: server.key, json: body });
  expect(answer.status, answer.text).toBe(202);
  await waitForJob(server.engine, server.store, answer.body.data.jobId);
  return answer.body.data.jobId;
}

beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, credits: 100 });
  // The grant five hours ago, so the history has a balance before and after it.
  await server.store.db.updateTable('credit_ledger').set({ created_at: grantedAt }).where('org_id', '=', server.org.id).where('kind', '=', 'grant').execute();
  allGood = await finished({ items: 3, ms: 0 });
  oneFailed = await finished({ items: 2, ms: 0, fail: ['item-2'] });
});
afterAll(() => server?.close());

const get = (path: string, key = server.key) => call(`${server.url}${path}`, { key });

describe('the credit ledger read for people', () => {
  it('groups the ledger by job, newest first, a grant on its own', async () => {
    const answer = await get('/credits/ledger/jobs');
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.data.total).toBe(3);
    const [failed, good, grant] = answer.body.data.groups;
    expect(failed).toMatchObject({ ref: oneFailed, granted: 0, reserved: 2, charged: 1, released: 1, items: 1 });
    expect(good).toMatchObject({ ref: allGood, reserved: 3, charged: 3, released: 0, items: 3 });
    expect(grant).toMatchObject({ ref: null, granted: 100, reserved: 0, charged: 0, items: 0, firstAt: grantedAt, lastAt: grantedAt });
    expect(Date.parse(good.firstAt)).toBeLessThanOrEqual(Date.parse(good.lastAt));

    const page = await get('/credits/ledger/jobs?limit=1&offset=1');
    expect(page.body.data).toMatchObject({ total: 3, groups: [{ ref: allGood }] });
  });

  it("lists one job's entries with ?ref=", async () => {
    const { body } = await get(`/credits/ledger?ref=${allGood}`);
    expect(body.data.total).toBe(4);
    expect(body.data.entries.map((e: { kind: string }) => e.kind).sort()).toEqual(['charge', 'charge', 'charge', 'reserve']);
    expect(new Set(body.data.entries.map((e: { itemRef: string | null }) => e.itemRef))).toEqual(new Set([null, 'item-1', 'item-2', 'item-3']));
    expect((await get('/credits/ledger?ref=job_none')).body.data).toEqual({ entries: [], total: 0 });
  });

  it('draws the balance over a day in hourly points, ending at the balance now', async () => {
    const balance = (await get('/credits')).body.data;
    expect(balance).toEqual({ available: 96, reserved: 0 });
    const { body } = await get('/credits/history?window=day');
    const data = body.data;
    expect(data).toMatchObject({ window: 'day', bucketSeconds: 3600 });
    expect(data.points).toHaveLength(24);
    expect(data.points.at(-1)).toMatchObject({ available: 96, reserved: 0, charged: 4 });
    const grantBucket = Math.floor((Date.parse(grantedAt) - Date.parse(data.from)) / 3_600_000);
    expect(data.points[grantBucket]).toMatchObject({ granted: 100, available: 100 });
    expect(data.points[grantBucket - 1]).toMatchObject({ granted: 0, available: 0 });
    expect(data.points.reduce((n: number, p: { granted: number }) => n + p.granted, 0)).toBe(100);
  });

  it('cuts a week and a month too, and refuses another window or a key without a product scope', async () => {
    expect((await get('/credits/history')).body.data.points).toHaveLength(28);
    expect((await get('/credits/history?window=month')).body.data.points).toHaveLength(30);
    expect((await get('/credits/history?window=year')).status).toBe(422);
    const { key } = await server.newOrg('operator-only', { scopes: ['workers:read'] });
    for (const path of ['/credits/history', '/credits/ledger/jobs', '/credits/ledger?ref=x']) expect((await get(path, key)).status, path).toBe(403);
  });
});
