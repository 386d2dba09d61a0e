/**
 * Two machines on one PostgreSQL database and one bucket (issue 30): an API process
 * (`serve --no-workers`) and a worker process with data directories of their own, as on two
 * hosts. A clip uploaded to the API is analysed and rendered by the worker, which reads it from
 * the bucket; the render is downloaded from the API, which never had it on its disk, and a
 * knowledge-base document uploaded to the API is ingested by the worker. Real child
 * processes; s3rver started here. PostgreSQL only (vitest.config.ts): on SQLite, processes of
 * one machine share the file, and there is nothing to show.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { orgFindByIdOrName } from '../../src/store/orgs.ts';
import { startServeProcess, startWorkerProcess, type ServeProcess } from '../helpers/cli.ts';
import { MARKDOWN } from '../helpers/documents.ts';
import { documentWhenIngested } from '../helpers/knowledge.ts';
import { clipWhenAnalysed, makeSampleVideo, uploadClip } from '../helpers/media.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call, tempDir } from '../helpers/testServer.ts';

let s3: LocalS3;
let database: TestDatabase;
let store: Store;
let api: ServeProcess;
let worker: ServeProcess;
let apiDir: string;
let workerDir: string;
let media: string;

beforeAll(async () => {
  s3 = await startLocalS3();
  database = await freshTestDatabase();
  apiDir = tempDir('longrun-api-');
  workerDir = tempDir('longrun-worker-');
  media = tempDir('longrun-media-');
  const env = s3.env('cluster');
  api = await startServeProcess(['--no-workers', '--data-dir', apiDir, '--database-url', database.url], env);
  worker = await startWorkerProcess(['--data-dir', workerDir, '--database-url', database.url], { ...env, LONGRUN_WORKERS: '2' });
  store = openStore(database.url, 2);
}, 60_000);
afterAll(async () => {
  for (const started of [api, worker]) {
    if (!started || started.child.exitCode !== null || started.child.signalCode !== null) continue;
    started.child.kill('SIGKILL');
    await started.exited;
  }
  await store?.close();
  await database?.drop();
  await s3?.close();
  for (const dir of [apiDir, workerDir, media]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every file under a data directory, as relative paths. */
const filesIn = (dataDir: string) =>
  fs.existsSync(dataDir) ? (fs.readdirSync(dataDir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dataDir, f)).isFile()).sort() : [];

describe('an API process and a worker process on two data directories, one bucket', { timeout: 180_000 }, () => {
  it('uploads on the API, analyses and renders on the worker, downloads the render from the API; a document is ingested likewise', async () => {
    const org = await orgFindByIdOrName(store.db, 'default');
    const { key } = await apiKeyCreate(store.db, { orgId: org!.id });
    const sample = makeSampleVideo(media);
    const uploaded = await uploadClip(api.url, key, sample);
    expect(uploaded.status, uploaded.text).toBe(201);
    const clip = await clipWhenAnalysed(api.url, key, uploaded.body.data.id);
    expect(clip.status).toBe('ready');

    const candidate = await call(`${api.url}/clips/${clip.id}/candidates`, { key, json: { startMs: 2000, endMs: 4000, title: 'two seconds' } });
    const accepted = await call(`${api.url}/clips/${clip.id}/render`, { key, json: { candidateId: candidate.body.data.id } });
    expect(accepted.status, accepted.text).toBe(202);
    const jobId = accepted.body.data.jobId as string;
    let jobs = await call(`${api.url}/clips/${clip.id}/jobs?wait=30`, { key });
    while (jobs.body.data[0].status === 'queued' || jobs.body.data[0].status === 'running')
      jobs = await call(`${api.url}/clips/${clip.id}/jobs?wait=30`, { key });
    expect(jobs.body.data[0]).toMatchObject({ id: jobId, status: 'completed' });

    // Only the worker could run it: the API process has no worker slots.
    const processes = await store.db.selectFrom('processes').select(['pid', 'role', 'worker_slots']).execute();
    expect(processes.find((p) => p.pid === api.child.pid)).toMatchObject({ role: 'api', worker_slots: 0 });
    expect(processes.find((p) => p.pid === worker.child.pid)).toMatchObject({ role: 'worker', worker_slots: 2 });

    const outputUrl = jobs.body.data[0].outputUrl as string;
    expect(outputUrl.startsWith(api.url)).toBe(true);
    const whole = await fetch(outputUrl);
    expect(whole.status).toBe(200);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const tail = await fetch(outputUrl, { headers: { range: `bytes=${bytes.length - 10}-` } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));

    // Neither machine kept a clip file on its own disk: both read and wrote the bucket.
    // A knowledge-base document uploaded to the API is read from the bucket by the worker.
    const kb = (await call(`${api.url}/kbs`, { key, json: { name: 'Notes' } })).body.data;
    const added = await fetch(`${api.url}/kbs/${kb.id}/docs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/markdown' },
      body: MARKDOWN,
    });
    expect(added.status).toBe(202);
    const doc = await documentWhenIngested(api.url, key, kb.id, (await added.json()).data.id);
    expect(doc.status, JSON.stringify(doc)).toBe('indexed');

    // Neither machine kept a file on its own disk (scratch files included): both used the bucket.
    expect(filesIn(apiDir)).toEqual([]);
    expect(filesIn(workerDir)).toEqual([]);
    const ready = await call(`${api.url}/readyz`);
    expect(ready.status, ready.text + api.output()).toBe(200);
    expect(ready.body.data.storage).toEqual({ driver: 's3', target: 's3://longrun/cluster/' });
  });
});
