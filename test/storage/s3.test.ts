/**
 * A longrun server on S3 storage, against a local S3-speaking server (s3rver, started here)
 * (the driver's own contract is in drivers.test.ts) — an upload, a resumable upload as an S3 multipart upload, analysis and a render read
 * from presigned URLs, Range reads through longrun's signed routes and through presigned URLs,
 * deletes — and a bucket that cannot be reached (`/readyz` 503, `longrun storage check` fails).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import { jobCancel } from '../../src/engine/sql/jobCancel.ts';
import { probeMedia } from '../../src/families/clips/probe.ts';
import { nowIso } from '../../src/ids.ts';
import type { S3Storage } from '../../src/storage/s3Storage.ts';
import { runCli } from '../helpers/cli.ts';
import { MARKDOWN } from '../helpers/documents.ts';
import { documentWhenIngested, knowledgeBaseWith } from '../helpers/knowledge.ts';
import { clipWhenAnalysed, makeSampleVideo, SAMPLE, sendUploadPart, tools, uploadClip } from '../helpers/media.ts';
import { startLocalS3, startOutageProxy, type LocalS3, type OutageProxy } from '../helpers/s3.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

let s3: LocalS3;
let media: string;
beforeAll(async () => {
  s3 = await startLocalS3();
  media = tempDir('longrun-media-');
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(media, { recursive: true, force: true });
});

/** The sample video with an MP4 `free` box of 6 MiB appended: big enough for two S3 parts, still readable. */
function paddedVideo(): string {
  const file = path.join(media, 'padded.mp4');
  if (fs.existsSync(file)) return file;
  const padding = 6 * 1024 * 1024;
  const box = Buffer.alloc(8 + padding);
  box.writeUInt32BE(8 + padding, 0);
  box.write('free', 4, 'latin1');
  fs.writeFileSync(file, Buffer.concat([fs.readFileSync(makeSampleVideo(media)), box]));
  return file;
}

async function renderedJob(server: TestServer, key: string, clipId: string, candidateId: string) {
  const accepted = await call(`${server.url}/clips/${clipId}/render`, { key, json: { candidateId, template: 'default' } });
  expect(accepted.status, accepted.text).toBe(202);
  const id = accepted.body.data.jobId as string;
  let job = await call(`${server.url}/jobs/${id}?wait=30`, { key });
  while (job.status === 202) job = await call(`${server.url}/jobs/${id}?wait=30`, { key });
  return job.body.data;
}

describe('a longrun server on S3 storage', { timeout: 180_000 }, () => {
  let server: TestServer;
  let presigned: TestServer;
  beforeAll(async () => {
    // Imports may fetch from the tests' loopback media server; uploads are cut off past 8 MiB.
    server = await startTestServer({
      credits: 100,
      env: { ...s3.env('server'), LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1', LONGRUN_CLIP_MAX_BYTES: String(8 * 1024 * 1024) },
    });
    presigned = await startTestServer({ credits: 100, env: { ...s3.env('presigned'), LONGRUN_STORAGE_PUBLIC_URLS: 'presigned' } });
  });
  afterAll(async () => {
    await server?.close();
    await presigned?.close();
  });

  it('reports the bucket in /readyz', async () => {
    const ready = await call(`${server.url}/readyz`);
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body.data.storage).toEqual({ driver: 's3', target: 's3://longrun/server/' });
  });

  it('keeps an upload in the bucket, renders it from there, serves it by Range, and deletes its objects with the clip', async () => {
    const { key, org } = await server.newOrg('s3-upload', { credits: 10 });
    const uploaded = await uploadClip(server.url, key, makeSampleVideo(media));
    expect(uploaded.status, uploaded.text).toBe(201);
    const clip = await clipWhenAnalysed(server.url, key, uploaded.body.data.id);
    expect(clip.status).toBe('ready');
    const storage = server.deps.storage;
    expect(await storage.list(`${org.id}/`)).toEqual([`${org.id}/${clip.id}/source.mp4`]);
    expect(fs.existsSync(path.join(server.config.clips.dir, org.id))).toBe(false); // nothing on local disk

    const candidate = await call(`${server.url}/clips/${clip.id}/candidates`, { key, json: { startMs: 1000, endMs: 3000, title: 'short' } });
    const job = await renderedJob(server, key, clip.id, candidate.body.data.id);
    expect(job.status, JSON.stringify(job)).toBe('completed');
    expect(await storage.list(`${org.id}/${clip.id}/renders/`)).toEqual([`${org.id}/${clip.id}/renders/${job.id}.mp4`]);
    expect(fs.readdirSync(storage.scratchDir).filter((f) => f.includes(job.id))).toEqual([]);

    const list = await call(`${server.url}/clips/${clip.id}/jobs`, { key });
    const outputUrl = list.body.data[0].outputUrl as string;
    expect(outputUrl.startsWith(server.url)).toBe(true); // longrun's signed route, streaming from the bucket
    const size = (await storage.size(`${org.id}/${clip.id}/renders/${job.id}.mp4`))!;
    const ranged = await fetch(outputUrl, { headers: { range: 'bytes=4-11' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 4-11/${size}`);
    expect(Buffer.from(await ranged.arrayBuffer()).toString('latin1')).toBe('ftypisom');
    const source = await call(`${server.url}/clips/${clip.id}/source-url`, { key });
    const head = await fetch(source.body.data.url, { headers: { range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    expect(Buffer.from(await head.arrayBuffer())).toEqual(fs.readFileSync(makeSampleVideo(media)).subarray(0, 100));

    expect((await call(`${server.url}/clips/${clip.id}`, { key, method: 'DELETE' })).status).toBe(200);
    expect(await storage.list(`${org.id}/`)).toEqual([]);
  });

  it('measures a recording with no duration in its header by reading its packets from the bucket', async () => {
    const { key } = await server.newOrg('s3-recording', { credits: 10 });
    // Written to a pipe, as a browser's recorder writes: ffprobe finds no duration in its header.
    const recording = path.join(media, 'recording.mkv');
    fs.writeFileSync(
      recording,
      execFileSync(tools.ffmpeg.path, ['-v', 'error', '-i', makeSampleVideo(media), '-c', 'copy', '-f', 'matroska', 'pipe:1'], { maxBuffer: 64 * 1024 * 1024 }),
    );
    expect((await probeMedia(tools.ffprobe.path, recording)).durationMs).toBeGreaterThan(SAMPLE.durationMs - 200);
    const uploaded = await uploadClip(server.url, key, recording);
    expect(uploaded.status, uploaded.text).toBe(201);
    expect(Math.abs(uploaded.body.data.duration * 1000 - SAMPLE.durationMs)).toBeLessThan(200);
    expect((await clipWhenAnalysed(server.url, key, uploaded.body.data.id)).status).toBe('ready');
  });

  it('puts uploads and URL imports in the bucket through a scratch file it deletes; a refused one leaves nothing anywhere', async () => {
    const { key, org } = await server.newOrg('s3-ways-in', { credits: 10 });
    const storage = server.deps.storage;
    const scratch = () => (fs.existsSync(storage.scratchDir) ? fs.readdirSync(storage.scratchDir) : []);
    const sample = makeSampleVideo(media);
    const files = http.createServer((req, res) => {
      if (req.url === '/media/talk.MOV') return fs.createReadStream(sample).pipe(res.writeHead(200, { 'content-type': 'video/mp4' }));
      res.writeHead(200).end(Buffer.alloc(50_000, 9)); // not a video
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(files.address() as net.AddressInfo).port}`;
    try {
      const imported = await call(`${server.url}/clips/import`, { key, json: { url: `${origin}/media/talk.MOV` } });
      expect(imported.status, imported.text).toBe(202);
      const clip = await clipWhenAnalysed(server.url, key, imported.body.data.id);
      expect(clip.status).toBe('ready');
      expect(await storage.list(`${org.id}/`)).toEqual([`${org.id}/${clip.id}/source.mov`]);
      const garbage = await call(`${server.url}/clips/import`, { key, json: { url: `${origin}/garbage.mp4` } });
      expect((await clipWhenAnalysed(server.url, key, garbage.body.data.id)).status).toBe('failed');
    } finally {
      files.closeAllConnections();
      await new Promise((resolve) => files.close(resolve));
    }
    const bogus = path.join(media, 'not-a-video.mp4');
    fs.writeFileSync(bogus, Buffer.concat([fs.readFileSync(sample).subarray(0, 64), Buffer.alloc(4096, 7)]));
    expect((await uploadClip(server.url, key, bogus)).status).toBe(422);
    const big = path.join(media, 'big.bin');
    fs.writeFileSync(big, Buffer.alloc(9 * 1024 * 1024, 1));
    expect((await uploadClip(server.url, key, big)).status).toBe(413);
    const uploaded = await uploadClip(server.url, key, sample);
    expect(uploaded.status).toBe(201);
    const clips = (await call(`${server.url}/clips`, { key })).body.data;
    expect(clips.total).toBe(3); // the import, the failed import, the upload
    expect((await storage.list(`${org.id}/`)).length).toBe(2); // the failed import kept no object
    expect(await storage.list(`${org.id}/${uploaded.body.data.id}/`)).toEqual([`${org.id}/${uploaded.body.data.id}/source.mp4`]);
    await until('the analyses have read their sources', async () => (await clipWhenAnalysed(server.url, key, uploaded.body.data.id)).status === 'ready');
    expect(scratch()).toEqual([]);
  });

  it('leaves no object behind a canceled render, and none on local disk', async () => {
    const { key, org } = await server.newOrg('s3-cancel', { credits: 10 });
    const clip = await clipWhenAnalysed(server.url, key, (await uploadClip(server.url, key, makeSampleVideo(media))).body.data.id);
    const whole = await call(`${server.url}/clips/${clip.id}/candidates`, { key, json: { startMs: 0, endMs: 30_000, title: 'All of it' } });
    const accepted = await call(`${server.url}/clips/${clip.id}/render`, { key, json: { candidateId: whole.body.data.id, template: 'vertical' } });
    const id = accepted.body.data.jobId as string;
    const ffmpegRuns = () => {
      try {
        return execFileSync('pgrep', ['-f', id]).toString().trim() !== '';
      } catch {
        return false;
      }
    };
    // ffmpeg is another process, seen from outside: asked again until it is up (slow on a busy machine).
    await until('ffmpeg runs the render', ffmpegRuns, { timeoutMs: 20_000, everyMs: 50 });
    expect((await call(`${server.url}/jobs/${id}/cancel`, { key, method: 'POST' })).body.data.status).toBe('canceled');
    await until('ffmpeg has exited', () => !ffmpegRuns(), { everyMs: 50 });
    await until('the partial render is removed', () => !fs.readdirSync(server.deps.storage.scratchDir).some((f) => f.includes(id)));
    expect(await server.deps.storage.list(`${org.id}/`)).toEqual([`${org.id}/${clip.id}/source.mp4`]);
  });

  it('leaves no object behind a render ffmpeg fails, and deletes a render with its job at LONGRUN_RETENTION_DAYS', async () => {
    const { key, org } = await server.newOrg('s3-fail', { credits: 10 });
    const storage = server.deps.storage;
    const clip = await clipWhenAnalysed(server.url, key, (await uploadClip(server.url, key, makeSampleVideo(media))).body.data.id);
    const candidate = await call(`${server.url}/clips/${clip.id}/candidates`, { key, json: { startMs: 0, endMs: 1500, title: 'first' } });
    const kept = await renderedJob(server, key, clip.id, candidate.body.data.id);
    expect(kept.counts).toMatchObject({ succeeded: 1 });
    const source = `${org.id}/${clip.id}/source.mp4`;
    const bytes = await storage.get(source);
    const sourceBytes = Buffer.concat(await bytes.body.toArray());

    await storage.put(source, Buffer.from('not a video')); // ffmpeg reads it and fails
    const failed = await renderedJob(server, key, clip.id, candidate.body.data.id);
    expect(failed.counts).toMatchObject({ succeeded: 0, failed: 1 });
    expect((await call(`${server.url}/jobs/${failed.id}/items`, { key })).body.data.items[0].error).toMatchObject({ code: 'RENDER_FAILED' });
    expect(await storage.list(`${org.id}/${clip.id}/`)).toEqual([`${org.id}/${clip.id}/renders/${kept.id}.mp4`, source]); // no render of the failed job
    expect(fs.readdirSync(storage.scratchDir).filter((f) => f.includes(failed.id))).toEqual([]);

    await storage.put(source, sourceBytes);
    const retention = server.maintenance.find((task) => task.name === 'jobs.retention')!;
    await retention.run(new Date(Date.parse(failed.completedAt) + server.config.retentionDays * 86_400_000 + 60_000));
    expect((await call(`${server.url}/jobs/${kept.id}`, { key })).status).toBe(404);
    expect(await storage.list(`${org.id}/${clip.id}/`)).toEqual([source]);
  });

  it('deletes the object of a render another process canceled once it was uploaded', async () => {
    const { key, org } = await server.newOrg('s3-late-cancel', { credits: 10 });
    const storage = server.deps.storage;
    const clip = await clipWhenAnalysed(server.url, key, (await uploadClip(server.url, key, makeSampleVideo(media))).body.data.id);
    const candidate = await call(`${server.url}/clips/${clip.id}/candidates`, { key, json: { startMs: 0, endMs: 1500, title: 'first' } });
    const put = storage.put.bind(storage);
    // The cancel as another process makes it: committed in the database, this process's signal untouched.
    const spy = vi.spyOn(storage, 'put').mockImplementation(async (k, body, opts) => {
      const done = await put(k, body, opts);
      const job = /\/renders\/(job_\w+)\.mp4$/.exec(k)?.[1];
      if (job) await jobCancel(server.store.db, org.id, job, nowIso(), []);
      return done;
    });
    try {
      const job = await renderedJob(server, key, clip.id, candidate.body.data.id);
      expect(job.status).toBe('canceled');
      expect(spy.mock.calls.some(([k]) => k.endsWith(`/renders/${job.id}.mp4`))).toBe(true);
      await until('the canceled render is deleted', async () => (await storage.list(`${org.id}/${clip.id}/renders/`)).length === 0);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps a clip, a knowledge base or a document whose objects the storage fails to delete, so the DELETE can be sent again', async () => {
    const { key, org } = await server.newOrg('s3-delete-again', { credits: 10 });
    const storage = server.deps.storage;
    const failOnce = (method: 'delete' | 'deletePrefix') => vi.spyOn(storage, method).mockRejectedValueOnce(new Error('the bucket is down'));

    const clip = await clipWhenAnalysed(server.url, key, (await uploadClip(server.url, key, makeSampleVideo(media))).body.data.id);
    let spy = failOnce('deletePrefix');
    expect((await call(`${server.url}/clips/${clip.id}`, { key, method: 'DELETE' })).status).toBe(500);
    spy.mockRestore();
    expect((await call(`${server.url}/clips/${clip.id}`, { key })).status).toBe(200);
    expect((await call(`${server.url}/clips/${clip.id}`, { key, method: 'DELETE' })).status).toBe(200);
    expect(await storage.list(`${org.id}/`)).toEqual([]);

    // Ingestion that cannot delete its upload still indexes it; deleting the document deletes the object.
    const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } })).body.data;
    spy = failOnce('delete');
    const added = await fetch(`${server.url}/kbs/${kb.id}/docs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/markdown' },
      body: MARKDOWN,
    });
    const docId = (await added.json()).data.id as string;
    expect((await documentWhenIngested(server.url, key, kb.id, docId)).status).toBe('indexed');
    spy.mockRestore();
    expect(await storage.list(`kb/${org.id}/${kb.id}/`)).toEqual([`kb/${org.id}/${kb.id}/${docId}`]);
    spy = failOnce('delete');
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${docId}`, { key, method: 'DELETE' })).status).toBe(500);
    spy.mockRestore();
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${docId}`, { key })).status).toBe(200);
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${docId}`, { key, method: 'DELETE' })).status).toBe(200);
    expect(await storage.list(`kb/${org.id}/`)).toEqual([]);

    // A whole knowledge base: whatever is left under its prefix goes with it.
    await storage.put(`kb/${org.id}/${kb.id}/doc_left_behind`, Buffer.from('left behind'));
    spy = failOnce('deletePrefix');
    expect((await call(`${server.url}/kbs/${kb.id}`, { key, method: 'DELETE' })).status).toBe(500);
    spy.mockRestore();
    expect((await call(`${server.url}/kbs/${kb.id}`, { key })).status).toBe(200);
    expect((await call(`${server.url}/kbs/${kb.id}`, { key, method: 'DELETE' })).status).toBe(200);
    expect(await storage.list(`kb/${org.id}/`)).toEqual([]);
  });

  it('takes a resumable upload as an S3 multipart upload (nothing joined on local disk)', async () => {
    const { key, org } = await server.newOrg('s3-parts');
    const bytes = fs.readFileSync(paddedVideo());
    const tooSmall = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'big.mp4', size: bytes.length, partSize: 1024 * 1024 } });
    expect(tooSmall.status).toBe(422);
    expect(tooSmall.body.message).toMatch(/at least 5242880 bytes with s3 storage/);
    const partSize = 5 * 1024 * 1024;
    const started = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'big.mp4', size: bytes.length, partSize } });
    expect(started.status, started.text).toBe(201);
    const { uploadId, parts } = started.body.data;
    expect(parts).toBe(2);
    const put = (n: number, body: Buffer, digest?: string) => sendUploadPart(server.url, key, uploadId, n, body, digest);
    const part = (n: number) => bytes.subarray((n - 1) * partSize, Math.min(bytes.length, n * partSize));
    expect((await put(2, part(2))).status).toBe(200);
    expect((await put(1, part(1), '0'.repeat(64))).status).toBe(422); // refused: not sent to the bucket
    expect((await put(1, part(1))).status).toBe(200);
    expect(fs.existsSync(path.join(server.config.clips.dir, '.uploads'))).toBe(false);
    const done = await call(`${server.url}/clips/uploads/${uploadId}/complete`, { key, method: 'POST' });
    expect(done.status, done.text).toBe(201);
    expect(done.body.data).toMatchObject({ fileSize: bytes.length, duration: 30 });
    const stored = await server.deps.storage.get(`${org.id}/${done.body.data.id}/source.mp4`);
    expect(stored.size).toBe(bytes.length);
    stored.body.resume();
    expect((await clipWhenAnalysed(server.url, key, done.body.data.id)).status).toBe('ready');
  });

  it('aborts the S3 multipart upload of a resumable upload left past LONGRUN_UPLOAD_TTL_HOURS, or abandoned', async () => {
    const { key } = await server.newOrg('s3-expiry');
    const storage = server.deps.storage as S3Storage;
    const partSize = 5 * 1024 * 1024;
    const started = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'late.mp4', size: partSize + 10, partSize } });
    expect(started.status, started.text).toBe(201);
    const { uploadId } = started.body.data;
    const row = await server.store.db.selectFrom('clip_uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
    const body = Buffer.alloc(partSize, 7);
    const sent = await sendUploadPart(server.url, key, uploadId, 1, body);
    expect(sent.status).toBe(200);
    // s3rver has no AbortMultipartUpload (it answers 405): the request is checked here and answered as S3 would.
    const send = storage.client.send.bind(storage.client);
    const aborts: AbortMultipartUploadCommand[] = [];
    let down = true; // at first the bucket fails every abort
    const spy = vi.spyOn(storage.client, 'send').mockImplementation(((command: unknown) => {
      if (!(command instanceof AbortMultipartUploadCommand)) return send(command as never);
      if (down) return Promise.reject(Object.assign(new Error('bucket down'), { $metadata: { httpStatusCode: 503 } }));
      aborts.push(command);
      return Promise.resolve({});
    }) as never);
    const exists = async () => (await server.store.db.selectFrom('clip_uploads').select('id').where('id', '=', uploadId).executeTakeFirst()) !== undefined;
    try {
      const expiry = server.maintenance.find((task) => task.name === 'clips.upload-expiry')!;
      expect(await expiry.run(new Date(Date.parse(row.expires_at) - 60_000))).toBe(0);
      const late = new Date(Date.parse(row.expires_at) + 60_000);
      await expect(expiry.run(late)).rejects.toThrow(/could not be aborted: bucket down/);
      expect(await exists()).toBe(true); // kept, with its handle, for the next round
      down = false;
      expect(await expiry.run(late)).toBeGreaterThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
    expect(aborts.map((c) => c.input)).toContainEqual({ Bucket: 'longrun', Key: `server/${row.storage_key}`, UploadId: row.storage_upload_id });
    expect(await exists()).toBe(false);

    // Abandoned before it expires: DELETE aborts it the same way.
    const again = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'never.mp4', size: partSize + 10, partSize } });
    const handle = (
      await server.store.db.selectFrom('clip_uploads').select('storage_upload_id').where('id', '=', again.body.data.uploadId).executeTakeFirstOrThrow()
    ).storage_upload_id;
    down = false;
    const answered = vi.spyOn(storage.client, 'send').mockImplementation(((command: unknown) => {
      if (!(command instanceof AbortMultipartUploadCommand)) return send(command as never);
      aborts.push(command);
      return Promise.resolve({});
    }) as never);
    try {
      expect((await call(`${server.url}/clips/uploads/${again.body.data.uploadId}`, { key, method: 'DELETE' })).status).toBe(200);
    } finally {
      answered.mockRestore();
    }
    expect(aborts.at(-1)!.input).toMatchObject({ UploadId: handle });
    expect((await call(`${server.url}/clips/uploads/${again.body.data.uploadId}`, { key })).status).toBe(404);
  });

  it('keeps an uploaded knowledge-base document in the bucket until it is ingested', async () => {
    const { key, org } = await server.newOrg('s3-kb');
    const put = vi.spyOn(server.deps.storage, 'put');
    try {
      const kbId = await knowledgeBaseWith(server, key, MARKDOWN, 'notes/onboarding.md');
      expect(put.mock.calls.map(([k]) => k)).toEqual([expect.stringMatching(new RegExp(`^kb/${org.id}/${kbId}/doc_`))]);
    } finally {
      put.mockRestore();
    }
    expect(await server.deps.storage.list(`kb/${org.id}/`)).toEqual([]); // read, indexed, deleted
  });

  it('answers presigned S3 URLs with LONGRUN_STORAGE_PUBLIC_URLS=presigned', async () => {
    const { key } = await presigned.newOrg('s3-presigned', { credits: 10 });
    const clip = await clipWhenAnalysed(presigned.url, key, (await uploadClip(presigned.url, key, makeSampleVideo(media))).body.data.id);
    const candidate = await call(`${presigned.url}/clips/${clip.id}/candidates`, { key, json: { startMs: 0, endMs: 1500, title: 'first' } });
    const job = await renderedJob(presigned, key, clip.id, candidate.body.data.id);
    expect(job.status).toBe('completed');
    const list = await call(`${presigned.url}/clips/${clip.id}/jobs`, { key });
    const outputUrl = list.body.data[0].outputUrl as string;
    expect(outputUrl.startsWith(`${s3.endpoint}/longrun/presigned/`)).toBe(true);
    expect(outputUrl).toMatch(new RegExp(`X-Amz-Expires=${presigned.config.clips.urlTtlSeconds}`));
    const ranged = await fetch(outputUrl, { headers: { range: 'bytes=4-11' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).toString('latin1')).toBe('ftypisom');
    const source = await call(`${presigned.url}/clips/${clip.id}/source-url`, { key });
    expect(source.body.data.url.startsWith(`${s3.endpoint}/longrun/presigned/`)).toBe(true);
    expect((await fetch(source.body.data.url)).status).toBe(200);
  });
});

describe('a bucket that cannot be reached', { timeout: 60_000 }, () => {
  it('fails /readyz with 503 and `longrun storage check`', async () => {
    const env = { ...s3.env('x'), LONGRUN_STORAGE_URL: 's3://no-such-bucket/x' };
    // A bucket the server does not have, and a server that is not there (a port just freed).
    const closed = net.createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const gone = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
    closed.close();
    for (const [variant, message] of [
      [env, 'The storage s3://no-such-bucket/x/ cannot be reached.'],
      [{ ...s3.env('x'), AWS_ENDPOINT_URL_S3: gone }, 'The storage s3://longrun/x/ cannot be reached.'],
    ] as const) {
      const server = await startTestServer({ env: variant });
      try {
        const ready = await call(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(ready.body.message).toBe(message);
      } finally {
        await server.close();
      }
    }
    const dataDir = tempDir();
    const failed = await runCli(['--data-dir', dataDir, 'storage', 'check'], env);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/s3:\/\/no-such-bucket\/x\/.*cannot be reached/);
    const passed = await runCli(['--data-dir', dataDir, 'storage', 'check'], s3.env('cli'));
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/s3:\/\/longrun\/cli\/: listed, wrote, read and deleted a probe object/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('a bucket that goes away for a while', { timeout: 120_000 }, () => {
  type Item = { status: string; attempts: number; error: { code: string; message: string } | null };

  /** A server whose bucket is behind `proxy`, with an analysed clip and a candidate of it from 1 s to `endMs`. */
  async function clipBehind(proxy: OutageProxy, name: string, endMs: number) {
    const server = await startTestServer({ env: { ...s3.env(name), AWS_ENDPOINT_URL_S3: proxy.endpoint } });
    const { key, org } = await server.newOrg(name, { credits: 10 });
    const uploaded = await uploadClip(server.url, key, makeSampleVideo(media));
    expect(uploaded.status, uploaded.text).toBe(201);
    const clip = await clipWhenAnalysed(server.url, key, uploaded.body.data.id);
    const candidate = await call(`${server.url}/clips/${clip.id}/candidates`, { key, json: { startMs: 1000, endMs, title: name } });
    const render = async () => {
      const accepted = await call(`${server.url}/clips/${clip.id}/render`, { key, json: { candidateId: candidate.body.data.id, template: 'default' } });
      expect(accepted.status, accepted.text).toBe(202);
      return accepted.body.data.jobId as string;
    };
    return { server, key, org, clip, render };
  }

  /** The render's item once its first attempt has ended (`timeoutMs`: ffmpeg's own reconnects may come first). */
  async function afterFirstAttempt(server: TestServer, key: string, jobId: string, timeoutMs = 10_000): Promise<Item> {
    let first: Item | undefined;
    await until(
      "the render's first attempt ended",
      async () => {
        first = (await call(`${server.url}/jobs/${jobId}/items`, { key })).body.data.items[0];
        return first?.attempts === 1 && first.status !== 'running';
      },
      { everyMs: 100, timeoutMs },
    );
    return first!;
  }

  /** The render once it has ended, and its item. */
  async function ended(server: TestServer, key: string, jobId: string) {
    let job = await call(`${server.url}/jobs/${jobId}?wait=30`, { key });
    while (job.status === 202) job = await call(`${server.url}/jobs/${jobId}?wait=30`, { key });
    return { job: job.body.data, item: (await call(`${server.url}/jobs/${jobId}/items`, { key })).body.data.items[0] as Item };
  }

  it('answers 503 to a request that needs it, and tries a render again until the bucket is back', async () => {
    const proxy = await startOutageProxy(s3.endpoint);
    const { server, key, org, clip, render } = await clipBehind(proxy, 'outage', 3000);
    try {
      proxy.down();
      const refused = await uploadClip(server.url, key, makeSampleVideo(media));
      expect(refused.status, refused.text).toBe(503);
      expect(refused.body).toMatchObject({ success: false, error: 'service_unavailable' });
      const jobId = await render();
      expect(await afterFirstAttempt(server, key, jobId)).toMatchObject({ status: 'pending', error: { code: 'STORAGE_UNAVAILABLE' } });

      proxy.up();
      const { job, item } = await ended(server, key, jobId);
      expect(job.status, JSON.stringify(job)).toBe('completed');
      expect(item).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect(await server.deps.storage.list(`${org.id}/${clip.id}/renders/`)).toEqual([`${org.id}/${clip.id}/renders/${jobId}.mp4`]);
    } finally {
      await server.close();
      await proxy.close();
    }
  });

  it('tries a render again when the bucket goes away while ffmpeg reads the source, rather than keep a shorter clip', async () => {
    const proxy = await startOutageProxy(s3.endpoint);
    const { server, key, org, clip, render } = await clipBehind(proxy, 'outage-read', 9000);
    try {
      // Slowed, so ffmpeg is still reading when the bucket goes: it has written some of the clip.
      proxy.slow(32 * 1024);
      const jobId = await render();
      await until('ffmpeg has written part of the clip', async () => (await call(`${server.url}/jobs/${jobId}`, { key })).body.data.progress.fraction > 0, {
        everyMs: 100,
        timeoutMs: 30_000,
      });
      proxy.down();
      const first = await afterFirstAttempt(server, key, jobId, 30_000);
      expect(first).toMatchObject({ status: 'pending', error: { code: 'STORAGE_UNAVAILABLE' } });
      expect(first.error!.message).toMatch(/^ffmpeg could not read the clip's source from the storage: /);

      proxy.slow(null);
      proxy.up();
      const { job, item } = await ended(server, key, jobId);
      expect(job.status, JSON.stringify(job)).toBe('completed');
      expect(item).toMatchObject({ status: 'succeeded', attempts: 2 });
      // The whole eight seconds, not what ffmpeg had read when the bucket went.
      const output = (await server.deps.storage.presignedUrl(`${org.id}/${clip.id}/renders/${jobId}.mp4`, 60))!;
      expect((await probeMedia(tools.ffprobe.path, output)).durationMs).toBeGreaterThanOrEqual(7900);
    } finally {
      await server.close();
      await proxy.close();
    }
  });

  it('keeps an analysis and an ingestion waiting, their uploads in the bucket, until it is back', async () => {
    const proxy = await startOutageProxy(s3.endpoint);
    const server = await startTestServer({ startWorkers: false, env: { ...s3.env('outage-jobs'), AWS_ENDPOINT_URL_S3: proxy.endpoint } });
    try {
      const { key } = await server.newOrg('s3-outage-jobs');
      const uploaded = await uploadClip(server.url, key, makeSampleVideo(media));
      expect(uploaded.status, uploaded.text).toBe(201);
      const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } })).body.data;
      const sent = await fetch(`${server.url}/kbs/${kb.id}/docs?title=Notes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/markdown' },
        body: MARKDOWN,
      });
      expect(sent.status).toBe(202);
      const docId = (await sent.json()).data.id as string;

      // The jobs are queued (no worker yet); the bucket goes down before either starts.
      proxy.down();
      server.engine.start();
      const jobId = async (kind: string) => (await call(`${server.url}/jobs?kind=${kind}`, { key })).body.data.jobs[0]?.id as string | undefined;
      const ids = [await jobId('clip.analysis'), await jobId('kb.ingest')];
      expect(ids.every(Boolean)).toBe(true);
      await until(
        'the analysis and the ingestion each failed a try and wait for the next',
        async () => {
          const items = await Promise.all(ids.map(async (id) => (await call(`${server.url}/jobs/${id}/items`, { key })).body.data.items[0]));
          return items.every((i) => i.attempts === 1 && i.status === 'pending' && i.error?.code === 'STORAGE_UNAVAILABLE');
        },
        { everyMs: 250 }, // two requests a look, under the key's rate limit
      );
      expect((await call(`${server.url}/clips/${uploaded.body.data.id}`, { key })).body.data.status).toBe('processing');
      expect((await call(`${server.url}/kbs/${kb.id}/docs/${docId}`, { key })).body.data.status).toBe('processing');

      proxy.up();
      expect((await clipWhenAnalysed(server.url, key, uploaded.body.data.id)).status).toBe('ready');
      expect((await documentWhenIngested(server.url, key, kb.id, docId)).status).toBe('indexed'); // its upload kept for the second try
    } finally {
      await server.close();
      await proxy.close();
    }
  });
});
