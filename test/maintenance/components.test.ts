/**
 * Each maintenance component does its job against a real server's database, on the dates its
 * doc comment promises: nothing is deleted before its time, what is due is, and what must stay
 * (an unfinished job, a pending delivery) stays whatever its age. And every process composes
 * the same named tasks.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/app/families.ts';
import { loadConfig } from '../../src/config.ts';
import { uploadExpiry } from '../../src/families/clips/uploadExpiry.ts';
import { deliveryRetention } from '../../src/families/webhooks/deliveryRetention.ts';
import { newId } from '../../src/ids.ts';
import { idempotencyPruning } from '../../src/maintenance/idempotencyPruning.ts';
import { jobRetention } from '../../src/maintenance/jobRetention.ts';
import { call, startTestServer, testStore, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const at = (iso: string, deltaMs: number) => new Date(Date.parse(iso) + deltaMs);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' } });
});
afterAll(async () => {
  await server?.close();
});

async function finishedSleep(headers: Record<string, string> = {}): Promise<{ id: string; completedAt: string }> {
  const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 1, ms: 0 }, headers });
  expect(submitted.status, submitted.text).toBe(202);
  const id = submitted.body.data.jobId as string;
  let completedAt = '';
  await until(`job ${id} has finished`, async () => {
    const job = await call(`${server.url}/jobs/${id}`, { key: server.key });
    completedAt = job.body.data.completedAt ?? '';
    return job.body.data.status === 'completed';
  });
  return { id, completedAt };
}

describe('maintenance components', () => {
  it('every process composes the same named tasks, generic ones first', async () => {
    const { store, dataDir, databaseUrl, drop } = await testStore();
    try {
      const config = loadConfig({ dataDir, databaseUrl, port: 0, logLevel: 'silent' }, {});
      const names = compose(config, store, pino({ level: 'silent' })).maintenance.map((t) => t.name);
      expect(names).toEqual(['jobs.retention', 'idempotency.pruning', 'processes.pruning', 'clips.upload-expiry', 'webhooks.delivery-retention']);
    } finally {
      await store.close();
      await drop();
    }
  });

  it('jobs.retention deletes a job finished more than the retention ago, never an unfinished one', async () => {
    const days = server.config.retentionDays;
    const finished = await finishedSleep();
    const delayed = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 1, ms: 0, runAt: '2099-01-01T00:00:00Z' } });
    expect(delayed.status).toBe(202);
    const task = jobRetention(server.store.db, days);
    expect(await task.run(at(finished.completedAt, days * DAY_MS - 1000))).toBe(0);
    expect((await call(`${server.url}/jobs/${finished.id}`, { key: server.key })).status).toBe(200);
    expect(await task.run(at(finished.completedAt, days * DAY_MS + 1000))).toBeGreaterThanOrEqual(1);
    expect((await call(`${server.url}/jobs/${finished.id}`, { key: server.key })).status).toBe(404);
    // Queued for 2099: older than any retention by then, and kept.
    expect(await task.run(new Date('2200-01-01T00:00:00Z'))).toBe(0);
    expect((await call(`${server.url}/jobs/${delayed.body.data.jobId}`, { key: server.key })).body.data.status).toBe('queued');
  });

  it('idempotency.pruning deletes a stored answer at its expiry, not before', async () => {
    const key = `prune-${crypto.randomUUID()}`;
    await finishedSleep({ 'idempotency-key': key });
    const row = await server.store.db.selectFrom('idempotency_keys').select('expires_at').where('key', '=', key).executeTakeFirstOrThrow();
    const task = idempotencyPruning(server.store.db);
    await task.run(at(row.expires_at, -1000));
    expect(await server.store.db.selectFrom('idempotency_keys').select('key').where('key', '=', key).executeTakeFirst()).toBeDefined();
    await task.run(at(row.expires_at, 0));
    expect(await server.store.db.selectFrom('idempotency_keys').select('key').where('key', '=', key).executeTakeFirst()).toBeUndefined();
  });

  it('clips.upload-expiry deletes an upload left unfinished past its TTL, with its parts', async () => {
    const started = await call(`${server.url}/clips/uploads`, { key: server.key, json: { fileName: 'a.mp4', size: 200_000, partSize: 128 * 1024 } });
    expect(started.status, started.text).toBe(201);
    const { uploadId } = started.body.data;
    const body = Buffer.alloc(128 * 1024, 3);
    const put = await fetch(`${server.url}/clips/uploads/${uploadId}/parts/1`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${server.key}`,
        'content-type': 'application/octet-stream',
        'x-content-sha256': crypto.createHash('sha256').update(body).digest('hex'),
      },
      body,
    });
    expect(put.status).toBe(200);
    const parts = path.join(server.config.clips.dir, '.uploads', uploadId);
    const task = uploadExpiry(server.store.db, server.deps.storage);
    expect(await task.run(new Date(Date.now() + server.config.clips.uploadTtlHours * HOUR_MS - 60_000))).toBe(0);
    expect(fs.existsSync(parts)).toBe(true);
    expect(await task.run(new Date(Date.now() + server.config.clips.uploadTtlHours * HOUR_MS + 60_000))).toBe(1);
    expect(fs.existsSync(parts)).toBe(false);
    expect((await call(`${server.url}/clips/uploads/${uploadId}`, { key: server.key })).status).toBe(404);
  });

  it('webhooks.delivery-retention deletes deliveries that ended more than the retention ago, never a pending one', async () => {
    const { db } = server.store;
    const now = new Date('2030-06-01T00:00:00Z');
    const old = new Date(now.getTime() - (server.config.retentionDays + 1) * DAY_MS).toISOString();
    const recent = new Date(now.getTime() - DAY_MS).toISOString();
    const endpoint = newId('wh');
    await db
      .insertInto('webhook_endpoints')
      .values({
        id: endpoint,
        org_id: server.org.id,
        name: null,
        url: 'https://example.com/hook',
        events: '["*"]',
        headers: '[]',
        secret: 'whsec_x',
        previous_secret: null,
        previous_secret_expires_at: null,
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
        consecutive_failures: 0,
        created_at: old,
        updated_at: old,
      })
      .execute();
    const delivery = (status: 'pending' | 'succeeded' | 'failed', updatedAt: string) => ({
      id: newId('msg'),
      endpoint_id: endpoint,
      org_id: server.org.id,
      event_type: 'webhook.test',
      payload: '{}',
      job_id: null,
      status,
      attempts: 1,
      last_status_code: null,
      last_error: null,
      response_snippet: null,
      next_attempt_at: null,
      created_at: updatedAt,
      updated_at: updatedAt,
      delivered_at: null,
    });
    const rows = [delivery('succeeded', old), delivery('failed', old), delivery('pending', old), delivery('succeeded', recent)];
    await db.insertInto('webhook_deliveries').values(rows).execute();
    expect(await deliveryRetention(db, server.config.retentionDays).run(now)).toBe(2);
    const left = await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint).orderBy('id').execute();
    expect(left.map((r) => r.id)).toEqual([rows[2]!.id, rows[3]!.id].sort());
  });
});
