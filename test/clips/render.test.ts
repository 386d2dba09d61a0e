/**
 * Renders with the real ffmpeg: a vertical render with burnt-in captions checked with ffprobe
 * and against the same frame rendered without them, the seed's GET /clips/{clipId}/jobs, signed
 * output URLs with Range requests, and a cancel that leaves no ffmpeg and no file behind.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipWhenAnalysed, makeSampleVideo, tools, uploadClip } from '../helpers/media.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

let server: TestServer;
let media: string;
let key: string;
let clipId: string;
let segment: { id: string; startMs: number; endMs: number };
beforeAll(async () => {
  server = await startTestServer({ credits: 100 });
  media = tempDir('longrun-media-');
  key = server.key;
  clipId = (await uploadClip(server.url, key, makeSampleVideo(media))).body.data.id;
  const clip = await clipWhenAnalysed(server.url, key, clipId);
  // The second segment: from the scene cut at 12 s to the silence at 20 s.
  segment = clip.candidates.find((c: { startMs: number }) => Math.abs(c.startMs - 12_000) < 300);
  const srt = '1\n00:00:13,000 --> 00:00:15,000\nHello captions\n\n2\n00:00:25,000 --> 00:00:27,000\nLater\n';
  const captions = await call(`${server.url}/clips/${clipId}/captions`, { key, raw: srt, headers: { 'content-type': 'application/x-subrip' } });
  expect(captions.status, captions.text).toBe(201);
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(media, { recursive: true, force: true });
});

async function rendered(body: Record<string, unknown>) {
  const accepted = await call(`${server.url}/clips/${clipId}/render`, { key, json: body });
  expect(accepted.status, accepted.text).toBe(202);
  expect(accepted.body.data).toEqual({ jobId: expect.stringMatching(/^job_/), status: 'queued', estimatedDurationSec: expect.any(Number) });
  const id = accepted.body.data.jobId as string;
  let job = await call(`${server.url}/jobs/${id}?wait=30`, { key });
  while (job.status === 202) job = await call(`${server.url}/jobs/${id}?wait=30`, { key });
  return job.body.data;
}

const probe = (file: string) =>
  JSON.parse(execFileSync(tools.ffprobe.path, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString()) as {
    format: { duration: string };
    streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  };

const frameAt = (file: string, seconds: number) =>
  execFileSync(tools.ffmpeg.path, ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });

const ISO = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';
const SeedJob = Type.Object(
  {
    id: Type.String({ pattern: '^job_' }),
    clipId: Type.String({ pattern: '^clip_' }),
    status: Type.String(),
    outputUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    createdAt: Type.String({ pattern: ISO }),
    completedAt: Type.Optional(Type.String({ pattern: ISO })),
  },
  { additionalProperties: false },
);
const SeedJobList = Type.Object({ success: Type.Literal(true), data: Type.Array(SeedJob) }, { additionalProperties: false });

// Real ffmpeg renders of 1080×1920: about 10 s each alone, three times that and more on a 2-core
// machine under the rest of the suite, so the give-up time is generous.
describe('renders', { timeout: 120_000 }, () => {
  let outputUrl: string;
  let captioned: string;

  it('renders a vertical cut with captions: 1080×1920, the segment’s duration, H.264 + AAC, 1 credit', async () => {
    const before = (await call(`${server.url}/credits`, { key })).body.data.available;
    const hook = await call(`${server.url}/webhooks`, {
      key,
      json: { url: 'https://hooks.example.com/renders', events: ['clip.render.completed', 'clip.render.failed'] },
    });
    const job = await rendered({ candidateId: segment.id, template: 'vertical', captions: true });
    // Announced to the subscribed endpoint (its delivery is in the outbox, written with the job's end).
    const deliveries = await server.store.db
      .selectFrom('webhook_deliveries')
      .select(['event_type', 'payload'])
      .where('endpoint_id', '=', hook.body.data.id)
      .execute();
    expect(deliveries.map((d) => [d.event_type, JSON.parse(d.payload).data.jobId])).toEqual([['clip.render.completed', job.id]]);
    await call(`${server.url}/webhooks/${hook.body.data.id}`, { key, method: 'DELETE' }); // nowhere to deliver to here
    expect(job).toMatchObject({ status: 'completed', credits: { charged: 1 }, progress: { fraction: 1 } });
    expect((await call(`${server.url}/credits`, { key })).body.data.available).toBe(before - 1);

    const list = await call(`${server.url}/clips/${clipId}/jobs`, { key });
    expect([...TypeCompiler.Compile(SeedJobList).Errors(list.body)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
    expect(list.body.data[0]).toMatchObject({ id: job.id, clipId, status: 'completed', completedAt: job.completedAt });
    outputUrl = list.body.data[0].outputUrl;
    expect(outputUrl).toMatch(new RegExp(`^${server.url}/renders/${job.id}\\.mp4\\?expires=\\d+&signature=[0-9a-f]{64}$`));

    // Fetched with the signed URL alone, as a player would.
    const response = await fetch(outputUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    captioned = path.join(media, 'captioned.mp4');
    fs.writeFileSync(captioned, Buffer.from(await response.arrayBuffer()));
    const info = probe(captioned);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    expect([video.codec_name, video.width, video.height]).toEqual(['h264', 1080, 1920]);
    expect(info.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
    expect(Math.abs(Number(info.format.duration) - (segment.endMs - segment.startMs) / 1000)).toBeLessThanOrEqual(0.1);
  });

  it('burns the captions in at their time, shifted to the cut', async () => {
    const job = await rendered({ candidateId: segment.id, template: 'vertical', captions: false });
    const plain = path.join(media, 'plain.mp4');
    fs.writeFileSync(
      plain,
      Buffer.from(await (await fetch(`${server.url}/renders/${job.id}.mp4`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer()),
    );
    // The cue at 13–15 s of the clip is at 1–3 s of a cut that starts at 12 s.
    const differing = (a: Buffer, b: Buffer) => a.reduce((n, v, i) => n + (Math.abs(v - b[i]!) > 40 ? 1 : 0), 0);
    expect(differing(frameAt(captioned, 2), frameAt(plain, 2))).toBeGreaterThan(2000);
    expect(differing(frameAt(captioned, 6), frameAt(plain, 6))).toBeLessThan(2000); // no cue there
  });

  it('answers a Range request with 206 and exactly those bytes, and refuses unsigned, tampered or expired URLs', async () => {
    const whole = fs.readFileSync(captioned);
    const part = await fetch(outputUrl, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(100, 200));
    const tail = await fetch(outputUrl, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 10));
    expect((await fetch(outputUrl, { headers: { range: `bytes=${whole.length + 5}-` } })).status).toBe(416);

    const bare = outputUrl.split('?')[0]!;
    expect((await fetch(bare)).status).toBe(401);
    const tampered = outputUrl.replace(/signature=(.)/, (_m, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
    const expired = outputUrl.replace(/expires=\d+/, `expires=${Math.floor(Date.now() / 1000) - 10}`);
    expect((await fetch(expired)).status).toBe(403);
    const other = await server.newOrg('not-mine');
    expect((await fetch(bare, { headers: { authorization: `Bearer ${other.key}` } })).status).toBe(404);
  });

  it("serves the clip's source file to its key and through a signed URL, with Range, and to no one else", async () => {
    const whole = fs.readFileSync(makeSampleVideo(media));
    const own = await fetch(`${server.url}/clips/${clipId}/source`, { headers: { authorization: `Bearer ${key}` } });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await own.arrayBuffer())).toEqual(whole);

    const signed = await call(`${server.url}/clips/${clipId}/source-url`, { key });
    expect(signed.status, signed.text).toBe(200);
    const { url, expiresAt } = signed.body.data;
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const part = await fetch(url, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(0, 100));
    expect((await fetch(url.replace(/signature=(.)/, (_m: string, c: string) => `signature=${c === '0' ? '1' : '0'}`))).status).toBe(403);
    // A signed URL opens that clip's source only.
    expect((await fetch(url.replace(clipId, 'clip_01HXYZ00000000000000000000'))).status).toBe(403);

    expect((await fetch(`${server.url}/clips/${clipId}/source`)).status).toBe(401);
    const other = await server.newOrg('not-my-source');
    expect((await fetch(`${server.url}/clips/${clipId}/source`, { headers: { authorization: `Bearer ${other.key}` } })).status).toBe(404);
    expect((await call(`${server.url}/clips/${clipId}/source-url`, { key: other.key })).status).toBe(404);
  });

  it('cancels a render: the job ends canceled, ffmpeg is gone, no file is left, nothing is charged', async () => {
    const before = (await call(`${server.url}/credits`, { key })).body.data;
    const whole = await call(`${server.url}/clips/${clipId}/candidates`, { key, json: { startMs: 0, endMs: 30_000, title: 'All of it' } });
    const accepted = await call(`${server.url}/clips/${clipId}/render`, { key, json: { candidateId: whole.body.data.id, template: 'vertical' } });
    const id = accepted.body.data.jobId as string;
    // Not ?wait=: a long-poll that starts once the job already runs would wait for its end.
    await until('the render is running', async () => (await call(`${server.url}/jobs/${id}`, { key })).body.data.status !== 'queued', { timeoutMs: 20_000 });
    expect((await call(`${server.url}/jobs/${id}`, { key })).body.data.status).toBe('running');
    const running = () => {
      try {
        return execFileSync('pgrep', ['-f', id]).toString().trim();
      } catch {
        return '';
      }
    };
    // ffmpeg is another process, seen from outside: asked again until it is up (slow on a busy machine).
    await until('ffmpeg runs the render', () => running() !== '', { timeoutMs: 20_000, everyMs: 50 });
    const canceled = await call(`${server.url}/jobs/${id}/cancel`, { key, method: 'POST' });
    expect(canceled.status, canceled.text).toBe(200);
    expect(canceled.body.data.status).toBe('canceled');
    await until('ffmpeg has exited', () => running() === '', { everyMs: 50 });
    // ffmpeg writes in the storage's scratch directory; nothing of the render reaches the storage.
    await until('the partial render is removed', () => !fs.readdirSync(server.deps.storage.scratchDir).some((f) => f.includes(id)));
    expect(await server.deps.storage.size(`${server.org.id}/${clipId}/renders/${id}.mp4`)).toBeNull();
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual(before);
    const list = await call(`${server.url}/clips/${clipId}/jobs`, { key });
    expect(list.body.data[0]).toEqual({ id, clipId, status: 'canceled', createdAt: expect.any(String), completedAt: expect.any(String) });
  });

  it('leaves no file behind a render ffmpeg fails, in the storage or its scratch directory', async () => {
    const broken = await server.newOrg('broken-source', { credits: 10 });
    const clip = await clipWhenAnalysed(server.url, broken.key, (await uploadClip(server.url, broken.key, makeSampleVideo(media))).body.data.id);
    await server.deps.storage.delete(`${broken.org.id}/${clip.id}/source.mp4`); // ffmpeg cannot open it now
    const accepted = await call(`${server.url}/clips/${clip.id}/render`, { key: broken.key, json: { candidateId: clip.candidates[0].id } });
    expect(accepted.status, accepted.text).toBe(202);
    const id = accepted.body.data.jobId as string;
    let job = await call(`${server.url}/jobs/${id}?wait=30`, { key: broken.key });
    while (job.status === 202) job = await call(`${server.url}/jobs/${id}?wait=30`, { key: broken.key });
    expect(job.body.data.counts).toMatchObject({ succeeded: 0, failed: 1 });
    const items = await call(`${server.url}/jobs/${id}/items`, { key: broken.key });
    expect(items.body.data.items[0].error).toMatchObject({ code: 'RENDER_FAILED' });
    expect(await server.deps.storage.list(`${broken.org.id}/${clip.id}/`)).toEqual([]);
    expect(fs.readdirSync(server.deps.storage.scratchDir).filter((f) => f.includes(id))).toEqual([]);
  });

  it("deletes a render's file with its job at LONGRUN_RETENTION_DAYS, and keeps the source", async () => {
    const own = await server.newOrg('retention', { credits: 10 });
    const clip = await clipWhenAnalysed(server.url, own.key, (await uploadClip(server.url, own.key, makeSampleVideo(media))).body.data.id);
    const accepted = await call(`${server.url}/clips/${clip.id}/render`, { key: own.key, json: { candidateId: clip.candidates[0].id } });
    const id = accepted.body.data.jobId as string;
    let job = await call(`${server.url}/jobs/${id}?wait=30`, { key: own.key });
    while (job.status === 202) job = await call(`${server.url}/jobs/${id}?wait=30`, { key: own.key });
    expect(job.body.data.status).toBe('completed');
    const render = `${own.org.id}/${clip.id}/renders/${id}.mp4`;
    expect(await server.deps.storage.size(render)).toBeGreaterThan(0);
    const retention = server.maintenance.find((task) => task.name === 'jobs.retention')!;
    const completedAt = Date.parse(job.body.data.completedAt as string);
    await retention.run(new Date(completedAt + server.config.retentionDays * 86_400_000 - 60_000));
    expect(await server.deps.storage.size(render)).toBeGreaterThan(0); // not yet
    await retention.run(new Date(completedAt + server.config.retentionDays * 86_400_000 + 60_000));
    expect((await call(`${server.url}/jobs/${id}`, { key: own.key })).status).toBe(404);
    expect(await server.deps.storage.list(`${own.org.id}/${clip.id}/`)).toEqual([`${own.org.id}/${clip.id}/source.mp4`]);
  });

  it('refuses what it cannot render', async () => {
    const noCaptions = await server.newOrg('no-captions', { credits: 10 });
    const own = (await uploadClip(server.url, noCaptions.key, makeSampleVideo(media))).body.data.id;
    const clip = await clipWhenAnalysed(server.url, noCaptions.key, own);
    const render = (body: unknown, k = noCaptions.key) => call(`${server.url}/clips/${own}/render`, { key: k, json: body });
    expect((await render({ candidateId: clip.candidates[0].id, captions: true })).body.message).toMatch(/no captions yet/);
    expect((await render({ candidateId: 'cand_nope' })).status).toBe(422);
    expect((await render({ candidateId: clip.candidates[0].id, template: 'widescreen' })).status).toBe(422);
    expect((await render({ candidateId: clip.candidates[0].id }, key)).status).toBe(404);
    const bad = await call(`${server.url}/clips/${own}/captions`, {
      key: noCaptions.key,
      raw: 'WEBVTT\n\n00:05.000 --> 00:02.000\nBackwards\n',
      headers: { 'content-type': 'text/vtt' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/VTT captions are invalid: line 3: the cue ends before it starts/);
  });
});
