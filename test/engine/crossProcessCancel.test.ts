/**
 * A cancel made through the API reaches a worker in another process: that worker holds the job
 * (its item mid-way), learns of the cancel at its next heartbeat (the lease renewal that finds
 * the job no longer running) and aborts the item then, long before the item would have ended
 * and before its lease would have run out. The API process runs no worker of its own here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingKind, readLog } from '../fixtures/loggingKind.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const ITEM_MS = 20_000;

let server: TestServer;
let logFile: string;
let worker: ChildProcess;
let workerExited: Promise<unknown>;
const kind = () => ({ ...loggingKind(logFile), scope: 'any-product-scope' as const });
beforeAll(async () => {
  logFile = path.join(os.tmpdir(), `longrun-cross-cancel-${process.pid}-${Date.now()}.log`);
  server = await startTestServer({ env: { LONGRUN_WORKERS: '0' } });
  server.engine.register(kind() as never);
  // A lease of 10 s (a beat every 3.3 s, well within the wait for the abort): with 2 s, one beat
  // late by 1.3 s on a loaded machine let its own claimer take the job back and start k1 again.
  const args = [server.config.databaseUrl, logFile, '10', '10000'];
  worker = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/engineWorker.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workerExited = new Promise((resolve) => worker.on('exit', resolve));
  await new Promise<void>((resolve) => worker.stdout!.once('data', () => resolve()));
});
afterAll(async () => {
  worker?.kill('SIGTERM');
  await workerExited;
  await server?.close();
  fs.rmSync(logFile, { force: true });
});

const now = () => performance.timeOrigin + performance.now();

describe('cancel across processes', () => {
  it('a worker in another process aborts the canceled job at its next heartbeat', async () => {
    const job = await server.engine.submit({ orgId: server.org.id, kind: server.engine.kind('logging')!, input: { items: 2, ms: ITEM_MS } as never });
    await until('the other process has started the first item', () => readLog(logFile).some((l) => l.phase === 'start' && l.jobId === job.id));
    const running = await call(`${server.url}/jobs/${job.id}`, { key: server.key });
    expect(running.body.data.status).toBe('running');

    const canceledAt = now();
    const canceled = await call(`${server.url}/jobs/${job.id}/cancel`, { key: server.key, method: 'POST' });
    expect(canceled.status, canceled.text).toBe(200);
    expect(canceled.body.data.status).toBe('canceled');

    await until('the other process reports the abort', () => readLog(logFile).some((l) => l.phase === 'abort' && l.jobId === job.id), {
      timeoutMs: ITEM_MS / 2,
    });
    const lines = readLog(logFile).filter((l) => l.jobId === job.id);
    const abort = lines.find((l) => l.phase === 'abort')!;
    expect(abort.pid).toBe(worker.pid);
    // Stopped by the other process's heartbeat (the lease keeper's beat that found the job no
    // longer running), not by its item's budget or a shutdown, and before the item's end (the
    // wait above gives up at half of it).
    expect(abort.reason).toBe('lease lost or job ended');
    expect(abort.at).toBeGreaterThan(canceledAt);
    // The item never finished and the second was never started.
    expect(lines.map((l) => `${l.phase} ${l.key}`)).toEqual(['start k1', 'abort k1']);

    const ended = (await call(`${server.url}/jobs/${job.id}`, { key: server.key })).body.data;
    expect(ended.status).toBe('canceled');
    expect(ended.counts).toEqual({ pending: 0, succeeded: 0, failed: 0, canceled: 2 });
  });
});
