/**
 * The typed client over clips: an upload from a Buffer, the same file again as a resumable
 * upload in parts, candidates, captions, and a short render followed to its signed output —
 * with the real ffmpeg, waiting on the jobs (`waitFor`), never on time.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, LongrunError, type LongrunClient } from '../../src/client/index.ts';
import { makeSampleVideo } from '../helpers/media.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let client: LongrunClient;
let media: string;
let video: Buffer;
beforeAll(async () => {
  server = await startTestServer();
  client = createClient({ url: server.url, apiKey: server.key });
  media = tempDir('longrun-client-media-');
  video = fs.readFileSync(makeSampleVideo(media));
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(media, { recursive: true, force: true });
});

/** Waits for the clip's analysis job(s) to end. */
async function analysed(): Promise<void> {
  const { jobs } = await client.jobs.list({ kind: 'clip.analysis' });
  for (const job of jobs) await client.waitFor(job.id);
}

describe('clips', () => {
  it('uploads a Buffer, adds a candidate and captions, renders it, and deletes the clip', async () => {
    const uploaded = await client.clips.upload(video, { fileName: 'sample.mp4', name: 'Launch video' });
    expect(uploaded).toMatchObject({ id: expect.stringMatching(/^clip_/), name: 'Launch video', status: 'processing', duration: 30, fileSize: video.length });
    await analysed();
    const clip = await client.clips.get(uploaded.id);
    expect(clip.status).toBe('ready');
    expect(clip.candidates.length).toBeGreaterThanOrEqual(2);
    expect((await client.clips.list()).clips.map((c) => c.id)).toContain(clip.id);

    const short = await client.clips.addCandidate(clip.id, { startMs: 1_000, endMs: 3_000, title: 'Two seconds' });
    expect(short).toEqual({ id: expect.stringMatching(/^cand_/), startMs: 1_000, endMs: 3_000, title: 'Two seconds', score: null });
    const captions = await client.clips.captions(clip.id, '1\n00:00:01,000 --> 00:00:02,500\nHello\n');
    expect(captions).toEqual({ clipId: clip.id, format: 'srt', cues: 1 });

    const render = await client.clips.render(clip.id, { candidateId: short.id, template: 'square', captions: true });
    expect(render).toMatchObject({ jobId: expect.stringMatching(/^job_/), status: 'queued' });
    const job = await client.waitFor(render.jobId);
    expect(job).toMatchObject({ kind: 'clip.render', status: 'completed' });
    const source = await client.clips.sourceUrl(clip.id);
    expect((await fetch(source.url, { headers: { range: 'bytes=0-9' } })).status).toBe(206);
    const [rendered] = await client.clips.renders(clip.id);
    expect(rendered).toMatchObject({
      id: render.jobId,
      clipId: clip.id,
      status: 'completed',
      outputUrl: expect.stringContaining(`/renders/${render.jobId}.mp4`),
    });
    // The signed URL needs no key.
    const output = await fetch(rendered!.outputUrl!);
    expect(output.status).toBe(200);
    expect(output.headers.get('content-type')).toBe('video/mp4');
    await output.arrayBuffer();

    expect(await client.clips.delete(clip.id)).toEqual({ id: clip.id, deleted: true });
  });

  it('uploads the same file resumably, in parts in any order; completing before the last part is a 409', async () => {
    const partSize = 128 * 1024;
    const upload = await client.clips.uploads.start({ fileName: 'sample.mp4', size: video.length, partSize, name: 'In parts' });
    expect(upload).toMatchObject({ uploadId: expect.stringMatching(/^upl_/), partSize, parts: Math.ceil(video.length / partSize), received: [] });

    // Part 2 first, then the rest: the order does not matter.
    const order = [2, ...Array.from({ length: upload.parts }, (_, i) => i + 1).filter((n) => n !== 2)];
    for (const n of order.slice(0, -1)) await client.clips.uploads.putPart(upload.uploadId, n, video.subarray((n - 1) * partSize, n * partSize));
    const status = await client.clips.uploads.status(upload.uploadId);
    expect(status.received).toHaveLength(upload.parts - 1);
    const last = order.at(-1)!;
    const early = await client.clips.uploads.complete(upload.uploadId).catch((e: unknown) => e);
    expect(early).toMatchObject({ status: 409, code: 'conflict' });

    const lastBytes = video.subarray((last - 1) * partSize, last * partSize);
    await client.clips.uploads.putPart(upload.uploadId, last, new Blob([new Uint8Array(lastBytes)]));
    const clip = await client.clips.uploads.complete(upload.uploadId);
    expect(clip).toMatchObject({ name: 'In parts', fileSize: video.length });
    await analysed();
    expect((await client.clips.get(clip.id)).status).toBe('ready');
  });

  it('abandons a resumable upload; it is gone afterwards', async () => {
    const upload = await client.clips.uploads.start({ fileName: 'later.mp4', size: video.length, partSize: 128 * 1024 });
    await client.clips.uploads.putPart(upload.uploadId, 1, video.subarray(0, 128 * 1024));
    expect(await client.clips.uploads.abort(upload.uploadId)).toEqual({ id: upload.uploadId, deleted: true });
    expect(await client.clips.uploads.status(upload.uploadId).catch((e: unknown) => e)).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('refuses an import from a private address with the content envelope', async () => {
    const error = await client.clips.import({ url: 'http://127.0.0.1:9/video.mp4' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LongrunError);
    expect(error).toMatchObject({ status: 422, code: 'validation_error', family: 'content' });
    expect((error as LongrunError).message).toContain('body.url is refused');
  });
});
