/**
 * An API process that runs no workers still answers `?wait=` and streams events as soon as a
 * worker in another process changes the job: the change reaches it through LISTEN/NOTIFY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess, startWorkerProcess, type ServeProcess } from '../helpers/cli.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;
const postgres = process.env.LONGRUN_TEST_DATABASE_URL;

describe.skipIf(!postgres)('changes made by a worker in another process', () => {
  let database: TestDatabase;
  const processes: ServeProcess[] = [];
  let api: ServeProcess;
  beforeAll(async () => {
    database = await freshTestDatabase();
    const env = { LONGRUN_DEMO_KINDS: '1' };
    const args = ['--database-url', database.url, '--data-dir', database.dataDir];
    api = await startServeProcess([...args, '--no-workers'], env);
    processes.push(api);
    processes.push(await startWorkerProcess(args, env));
  });
  afterAll(async () => {
    for (const p of processes) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    await database?.drop();
  });

  // Without the relay, the ?wait=30 below would sit out its 30 s (the change happened
  // elsewhere): past this test's 20 s timeout.
  it('wake ?wait= and the event stream of an API process with no workers', { timeout: 20_000 }, async () => {
    const key = KEY.exec(api.output())![0];

    // Queued for a second, so the long-poll starts before the worker takes it.
    const runAt = () => new Date(Date.now() + 1000).toISOString();
    const first = await call(`${api.url}/demo/sleep`, { key, json: { items: 2, ms: 100, runAt: runAt() } });
    const waited = await call(`${api.url}/jobs/${first.body.data.jobId}?wait=30`, { key });
    expect(['running', 'completed']).toContain(waited.body.data.status);

    const second = await call(`${api.url}/demo/sleep`, { key, json: { items: 2, ms: 100, runAt: runAt() } });
    const stream = await fetch(`${api.url}/jobs/${second.body.data.jobId}/events`, { headers: { authorization: `Bearer ${key}` } });
    const text = await stream.text(); // ends after the terminal event
    // Each event came when it happened: none waited for the stream's keep-alive, which writes
    // its comment and then looks for events (every 15 s) and is the only look without the relay.
    expect(text).toMatch(/event: job.started[\s\S]*event: job.completed/);
    expect(text).not.toMatch(/: keep-alive[\s\S]*event: job.started/);
  });
});
