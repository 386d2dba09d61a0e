/**
 * The files people upload, each made here with ffmpeg (14 s, 160×120), uploaded, probed, analysed
 * and rendered: MP4 and MOV (H.264; HEVC when the encoder exists), MKV, MPEG-TS, WebM as a
 * browser records it (VP8, VP9, AV1 when the encoder exists; Opus; written to a pipe, so its
 * header has no duration), and audio-only M4A, MP3 and WAV, rendered as their waveform.
 *
 * Video samples cut from a test pattern to colour bars at 7 s and fall silent from 10 to 11 s:
 * candidates 0–7 s and 7–14 s (the 3 s after the cut join the 3 s after the pause, within the
 * shot). Audio samples fall silent from 6.5 to 7.5 s: candidates 0–6.5 s and 7.5–14 s.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipWhenAnalysed, tools, uploadClip } from '../helpers/media.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';

interface Sample {
  name: string;
  file: string;
  encode: string[];
  /** Written to a pipe, as MediaRecorder writes: no duration in the header. */
  piped?: boolean;
  encoder?: string;
  expected: { videoCodec: string | null; audioCodec: string };
}

const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const browser = (video: string[]) => [...video, '-c:a', 'libopus', '-f', 'webm'];
const samples: Sample[] = [
  { name: 'MP4, H.264 + AAC', file: 'h264.mp4', encode: [...h264, '-c:a', 'aac'], expected: { videoCodec: 'h264', audioCodec: 'aac' } },
  { name: 'MOV, H.264 + AAC', file: 'h264.mov', encode: [...h264, '-c:a', 'aac'], expected: { videoCodec: 'h264', audioCodec: 'aac' } },
  {
    name: 'MP4, HEVC + AAC',
    file: 'hevc.mp4',
    encoder: 'libx265',
    encode: ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    expected: { videoCodec: 'hevc', audioCodec: 'aac' },
  },
  { name: 'MKV, H.264 + MP3', file: 'h264.mkv', encode: [...h264, '-c:a', 'libmp3lame'], expected: { videoCodec: 'h264', audioCodec: 'mp3' } },
  { name: 'MPEG-TS, H.264 + AAC', file: 'h264.ts', encode: [...h264, '-c:a', 'aac', '-f', 'mpegts'], expected: { videoCodec: 'h264', audioCodec: 'aac' } },
  {
    name: 'WebM from a browser, VP8 + Opus',
    file: 'vp8.webm',
    piped: true,
    encode: browser(['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k']),
    expected: { videoCodec: 'vp8', audioCodec: 'opus' },
  },
  {
    name: 'WebM from a browser, VP9 + Opus',
    file: 'vp9.webm',
    piped: true,
    encode: browser(['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k']),
    expected: { videoCodec: 'vp9', audioCodec: 'opus' },
  },
  {
    name: 'WebM from a browser, AV1 + Opus',
    file: 'av1.webm',
    piped: true,
    encoder: 'libsvtav1',
    encode: browser(['-c:v', 'libsvtav1', '-preset', '12', '-pix_fmt', 'yuv420p']),
    expected: { videoCodec: 'av1', audioCodec: 'opus' },
  },
  { name: 'M4A, AAC', file: 'talk.m4a', encode: ['-c:a', 'aac'], expected: { videoCodec: null, audioCodec: 'aac' } },
  { name: 'MP3', file: 'talk.mp3', encode: ['-c:a', 'libmp3lame'], expected: { videoCodec: null, audioCodec: 'mp3' } },
  { name: 'WAV', file: 'talk.wav', encode: ['-c:a', 'pcm_s16le'], expected: { videoCodec: null, audioCodec: 'pcm_s16le' } },
];

const encoders = execFileSync(tools.ffmpeg.path, ['-hide_banner', '-encoders']).toString();
const lavfi = (source: string) => ['-f', 'lavfi', '-i', source];

function makeSample(dir: string, s: Sample): string {
  const file = path.join(dir, s.file);
  const video = s.expected.videoCodec !== null;
  const inputs = video
    ? [
        ...lavfi('testsrc=size=160x120:rate=25:duration=7'),
        ...lavfi('smptebars=size=160x120:rate=25:duration=7'),
        ...lavfi('sine=frequency=440:sample_rate=48000:duration=14'),
        '-filter_complex',
        "[0:v][1:v]concat=n=2:v=1:a=0[v];[2:a]volume=enable='between(t,10,11)':volume=0[a]",
        '-map',
        '[v]',
        '-map',
        '[a]',
      ]
    : [...lavfi('sine=frequency=440:sample_rate=48000:duration=14'), '-af', "volume=enable='between(t,6.5,7.5)':volume=0"];
  const args = ['-y', '-hide_banner', '-loglevel', 'error', ...inputs, ...s.encode, s.piped ? 'pipe:1' : file];
  const out = execFileSync(tools.ffmpeg.path, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (s.piped) fs.writeFileSync(file, out);
  return file;
}

const probe = (file: string) =>
  JSON.parse(execFileSync(tools.ffprobe.path, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString()) as {
    format: { duration?: string };
    streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  };

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ credits: 100 });
  dir = tempDir('longrun-formats-');
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Each sample: an upload, an analysis and a render of 6.5–7 s on a 2-core machine shared with the rest of the suite.
describe('uploaded formats', { timeout: 120_000 }, () => {
  for (const sample of samples) {
    it.skipIf(sample.encoder !== undefined && !encoders.includes(` ${sample.encoder} `))(`${sample.name}: probed, analysed, rendered`, async () => {
      const file = makeSample(dir, sample);
      if (sample.piped) expect(probe(file).format.duration, 'a browser recording has no duration in its header').toBeUndefined();
      const uploaded = await uploadClip(server.url, server.key, file);
      expect(uploaded.status, uploaded.text).toBe(201);
      const clip = await clipWhenAnalysed(server.url, server.key, uploaded.body.data.id);
      expect(clip, clip.error).toMatchObject({ status: 'ready' });
      const codecs = await server.store.db.selectFrom('clips').select(['video_codec', 'audio_codec']).where('id', '=', clip.id).executeTakeFirstOrThrow();
      expect(codecs).toEqual({ video_codec: sample.expected.videoCodec, audio_codec: sample.expected.audioCodec });
      expect(Math.abs(clip.duration - 14)).toBeLessThanOrEqual(0.1);

      const expected = sample.expected.videoCodec
        ? [
            [0, 7_000],
            [7_000, 14_000],
          ]
        : [
            [0, 6_500],
            [7_500, 14_000],
          ];
      const candidates = clip.candidates.map((c: { startMs: number; endMs: number }) => [c.startMs, c.endMs]);
      expect(candidates.length, JSON.stringify(candidates)).toBe(2);
      for (const [i, [start, end]] of expected.entries()) {
        expect(Math.abs(candidates[i][0] - start!), JSON.stringify(candidates)).toBeLessThanOrEqual(150);
        expect(Math.abs(candidates[i][1] - end!), JSON.stringify(candidates)).toBeLessThanOrEqual(150);
      }

      const candidate = clip.candidates[0];
      const accepted = await call(`${server.url}/clips/${clip.id}/render`, {
        key: server.key,
        json: { candidateId: candidate.id, template: 'default', captions: false },
      });
      expect(accepted.status, accepted.text).toBe(202);
      let job = await call(`${server.url}/jobs/${accepted.body.data.jobId}?wait=30`, { key: server.key });
      while (job.status === 202) job = await call(`${server.url}/jobs/${accepted.body.data.jobId}?wait=30`, { key: server.key });
      expect(job.body.data, JSON.stringify(job.body.data)).toMatchObject({ status: 'completed' });
      // Read from the storage: render.test.ts fetches outputs by their signed URLs.
      const render = await server.store.db
        .selectFrom('clip_renders')
        .select('output_path')
        .where('job_id', '=', accepted.body.data.jobId)
        .executeTakeFirstOrThrow();
      const output = path.join(dir, `${sample.file}.render.mp4`);
      await pipeline((await server.deps.storage.get(render.output_path!)).body, fs.createWriteStream(output));
      const info = probe(output);
      const video = info.streams.find((s) => s.codec_type === 'video')!;
      // Audio-only clips are drawn as their waveform at the template's size.
      expect([video.codec_name, video.width, video.height]).toEqual(sample.expected.videoCodec ? ['h264', 160, 120] : ['h264', 1280, 720]);
      expect(info.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
      expect(Math.abs(Number(info.format.duration) - (candidate.endMs - candidate.startMs) / 1000)).toBeLessThanOrEqual(0.15);
    });
  }
});
