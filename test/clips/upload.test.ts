import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { uploadsDeleteExpired } from '../../src/families/clips/uploadRoutes.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE, clipWhenAnalysed, makeSampleVideo, sendUploadPart, uploadClip } from '../helpers/media.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let media: string;
let sample: string;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_CLIP_MAX_BYTES: String(5 * 1024 * 1024) } });
  media = tempDir('longrun-media-');
  sample = makeSampleVideo(media);
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(media, { recursive: true, force: true });
});

const clipFiles = (orgId: string) =>
  fs.existsSync(path.join(server.config.clips.dir, orgId)) ? fs.readdirSync(path.join(server.config.clips.dir, orgId)) : [];

describe('clip upload and analysis', () => {
  it('stores an upload, probes it, and proposes candidates that bracket the scene cut and the silence', async () => {
    const { org, key } = await server.newOrg('upload');
    const uploaded = await uploadClip(server.url, key, sample, 'Launch video');
    expect(uploaded.status, uploaded.text).toBe(201);
    expect(uploaded.body.data).toMatchObject({
      id: expect.stringMatching(/^clip_[0-9A-Z]{26}$/),
      name: 'Launch video',
      status: 'processing',
      duration: 30,
      fileSize: fs.statSync(sample).size,
      width: 320,
      height: 240,
    });
    const clip = await clipWhenAnalysed(server.url, key, uploaded.body.data.id);
    expect(clip.status).toBe('ready');
    const candidates = clip.candidates as { startMs: number; endMs: number; title: string; score: number }[];
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    for (const c of candidates) {
      expect(c.endMs - c.startMs).toBeGreaterThanOrEqual(5_000);
      expect(c.endMs - c.startMs).toBeLessThanOrEqual(90_000);
      expect(c.score).toBeGreaterThanOrEqual(0);
      expect(c.score).toBeLessThanOrEqual(100);
    }
    const near = (a: number, b: number) => Math.abs(a - b) <= 300;
    // The scene cut at 12 s ends one candidate and starts the next.
    expect(candidates.some((c) => near(c.endMs, SAMPLE.cutMs))).toBe(true);
    expect(candidates.some((c) => near(c.startMs, SAMPLE.cutMs))).toBe(true);
    // The silence from 20 s to 23 s lies between two candidates, in none.
    expect(candidates.some((c) => near(c.endMs, SAMPLE.silence.startMs))).toBe(true);
    expect(candidates.some((c) => near(c.startMs, SAMPLE.silence.endMs))).toBe(true);
    expect(candidates.every((c) => c.endMs <= SAMPLE.silence.startMs + 300 || c.startMs >= SAMPLE.silence.endMs - 300)).toBe(true);
    expect(candidates[0]!.title).toBe('Segment 1 · 00:00–00:12');
    expect(clipFiles(org.id)).toEqual([clip.id]);
  });

  it('refuses a file ffprobe cannot read, and keeps nothing of it', async () => {
    const { org, key } = await server.newOrg('corrupt');
    const bogus = path.join(media, 'not-a-video.mp4');
    fs.writeFileSync(bogus, Buffer.concat([fs.readFileSync(sample).subarray(0, 64), Buffer.alloc(4096, 7)]));
    const answer = await uploadClip(server.url, key, bogus);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ success: false, error: 'unreadable_media' });
    expect(answer.body.message).toMatch(/ffprobe cannot read the file.*Nothing was kept/);
    expect((await call(`${server.url}/clips`, { key })).body.data.total).toBe(0);
    expect(clipFiles(org.id)).toEqual([]);
  });

  it('cuts off an upload larger than the limit with 413 and keeps nothing', async () => {
    const { org, key } = await server.newOrg('too-big');
    const big = path.join(media, 'big.bin');
    fs.writeFileSync(big, Buffer.alloc(6 * 1024 * 1024, 1));
    const answer = await uploadClip(server.url, key, big);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('payload_too_large');
    expect(clipFiles(org.id)).toEqual([]);
  });

  it('adds candidates of your own, checks them, keeps clips apart, and deletes a clip with its files', async () => {
    const { org, key } = await server.newOrg('mine');
    const clipId = (await uploadClip(server.url, key, sample)).body.data.id as string;
    await clipWhenAnalysed(server.url, key, clipId);
    const added = await call(`${server.url}/clips/${clipId}/candidates`, { key, json: { startMs: 1000, endMs: 9000, title: 'Intro' } });
    expect(added.status).toBe(201);
    expect(added.body.data).toEqual({ id: expect.stringMatching(/^cand_/), startMs: 1000, endMs: 9000, title: 'Intro', score: null });
    expect((await call(`${server.url}/clips/${clipId}/candidates`, { key, json: { startMs: 9000, endMs: 1000, title: 'x' } })).status).toBe(422);
    expect((await call(`${server.url}/clips/${clipId}/candidates`, { key, json: { startMs: 0, endMs: 40_000, title: 'x' } })).status).toBe(422);

    const other = await server.newOrg('mine-other');
    expect((await call(`${server.url}/clips/${clipId}`, { key: other.key })).status).toBe(404);
    expect((await call(`${server.url}/clips`, { key: other.key })).body.data.total).toBe(0);

    expect((await call(`${server.url}/clips/${clipId}`, { key, method: 'DELETE' })).body.data).toEqual({ id: clipId, deleted: true });
    expect((await call(`${server.url}/clips/${clipId}`, { key })).status).toBe(404);
    expect(clipFiles(org.id)).toEqual([]);
  });

  it('takes a large file as a resumable upload: parts checked by size and SHA-256, resumable, joined into a clip', async () => {
    const { key } = await server.newOrg('resumable');
    const bytes = fs.readFileSync(sample);
    const partSize = 64 * 1024; // the smallest: many parts
    const started = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'sample.mp4', size: bytes.length, partSize, name: 'In parts' } });
    expect(started.status, started.text).toBe(201);
    const { uploadId, parts } = started.body.data;
    expect(parts).toBe(Math.ceil(bytes.length / partSize));
    const part = (n: number) => bytes.subarray((n - 1) * partSize, Math.min(bytes.length, n * partSize));
    const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const put = (n: number, body: Buffer, digest?: string) =>
      sendUploadPart(server.url, key, uploadId, n, body, digest).then(async (r) => ({ status: r.status, body: await r.json() }));

    const wrongHash = await put(1, part(1), sha(Buffer.from('something else')));
    expect(wrongHash.status).toBe(422);
    expect(wrongHash.body.message).toMatch(/does not match its x-content-sha256.*not kept/);
    const short = await put(2, part(2).subarray(10));
    expect(short.status).toBe(422);
    expect(short.body.message).toMatch(/should have 65536/);
    // Longer than its part: counted to the end, refused, nothing of it kept.
    const long = await put(2, Buffer.concat([part(2), Buffer.alloc(1024 * 1024)]));
    expect(long.status).toBe(422);
    expect(long.body.message).toMatch(/has 1114112 bytes; it should have 65536/);
    for (let n = parts; n >= 2; n--) expect((await put(n, part(n))).status).toBe(200);
    const early = await call(`${server.url}/clips/uploads/${uploadId}/complete`, { key, method: 'POST' });
    expect(early.status).toBe(409);
    expect(early.body.message).toBe('Parts 1 have not arrived.');
    // Resuming: the upload says what it has.
    const state = await call(`${server.url}/clips/uploads/${uploadId}`, { key });
    expect(state.body.data.received).toEqual(Array.from({ length: parts - 1 }, (_, i) => i + 2));
    expect((await put(1, part(1))).status).toBe(200);

    // Joining many parts leaks no listeners (a pipeline per part into one stream did).
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const done = await call(`${server.url}/clips/uploads/${uploadId}/complete`, { key, method: 'POST' });
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(parts).toBeGreaterThan(5);
    expect(done.status, done.text).toBe(201);
    expect(done.body.data).toMatchObject({ name: 'In parts', fileSize: bytes.length, duration: 30 });
    const clip = await clipWhenAnalysed(server.url, key, done.body.data.id);
    expect(clip.status).toBe('ready');
    expect(clip.candidates.length).toBeGreaterThanOrEqual(2);
    expect((await call(`${server.url}/clips/uploads/${uploadId}`, { key })).status).toBe(404);
  });

  /** A new organisation's resumable upload with its first part sent: the part is on disk. */
  async function uploadWithOnePart(orgName: string) {
    const { key } = await server.newOrg(orgName);
    const started = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'a.mp4', size: 200_000, partSize: 128 * 1024 } });
    const { uploadId } = started.body.data;
    const body = Buffer.alloc(128 * 1024, 3);
    const put = await sendUploadPart(server.url, key, uploadId, 1, body);
    expect(put.status).toBe(200);
    const partsDir = path.join(server.config.clips.dir, '.uploads', uploadId as string);
    expect(fs.readdirSync(partsDir)).toEqual(['1.part']);
    return { key, uploadId: uploadId as string, partsDir };
  }

  it('expires an abandoned upload and deletes its parts', async () => {
    const { key, uploadId, partsDir } = await uploadWithOnePart('abandoned');
    const storage = server.deps.storage;
    expect(await uploadsDeleteExpired(server.store.db, storage, new Date().toISOString())).toBe(0);
    const later = new Date(Date.now() + 25 * 3_600_000).toISOString();
    expect(await uploadsDeleteExpired(server.store.db, storage, later)).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(partsDir)).toBe(false);
    expect((await call(`${server.url}/clips/uploads/${uploadId}`, { key })).status).toBe(404);
  });

  it('abandons an upload at once with DELETE: its parts go, and only its own organisation may', async () => {
    const { key, uploadId, partsDir } = await uploadWithOnePart('abandons');
    expect((await call(`${server.url}/clips/uploads/${uploadId}`, { key: server.key, method: 'DELETE' })).status).toBe(404); // another organisation
    expect(fs.existsSync(partsDir)).toBe(true);
    const abandoned = await call(`${server.url}/clips/uploads/${uploadId}`, { key, method: 'DELETE' });
    expect(abandoned.status, abandoned.text).toBe(200);
    expect(abandoned.body.data).toEqual({ id: uploadId, deleted: true });
    expect(fs.existsSync(partsDir)).toBe(false);
    expect((await call(`${server.url}/clips/uploads/${uploadId}`, { key })).status).toBe(404);
    expect((await call(`${server.url}/clips/uploads/${uploadId}/complete`, { key, method: 'POST' })).status).toBe(404);
  });
});
