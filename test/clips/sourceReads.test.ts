/**
 * ffmpeg and ffprobe reading a clip's source over HTTP (a storage's presigned GET), from a local
 * server that answers Range requests: a whole read gives what the local file gives; a connection
 * cut once is resumed; one lost for good in the middle of the read makes the analysis or the
 * probe a temporary failure (`STORAGE_UNAVAILABLE`: tried again, or 503 to an upload), never a
 * result made from part of the file (ffmpeg itself exits 0), nor an "unreadable file".
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseMedia } from '../../src/families/clips/analyse.ts';
import { probeMedia, UnreadableMediaError } from '../../src/families/clips/probe.ts';
import { streamDurationMs } from '../../src/families/clips/streamDuration.ts';
import { StorageUnavailableError } from '../../src/storage/storage.ts';
import { makeSampleVideo, NPM_TOOLS, SAMPLE, tools } from '../helpers/media.ts';
import { tempDir } from '../helpers/testServer.ts';

let dir: string;
let video: Buffer;
/** Matroska written to a pipe, as a browser's recorder writes: no duration in its header, so ffprobe reads every packet. */
let piped: Buffer;
beforeAll(() => {
  dir = tempDir('longrun-source-reads-');
  // Its index first (faststart), so ffmpeg reads it in one request from start to end.
  const file = path.join(dir, 'faststart.mp4');
  execFileSync(tools.ffmpeg.path, ['-v', 'error', '-i', makeSampleVideo(dir), '-c', 'copy', '-movflags', '+faststart', file]);
  video = fs.readFileSync(file);
  piped = execFileSync(tools.ffmpeg.path, ['-v', 'error', '-i', file, '-c', 'copy', '-f', 'matroska', 'pipe:1'], { maxBuffer: 64 * 1024 * 1024 });
  fs.writeFileSync(path.join(dir, 'piped.mkv'), piped);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Serves the sample at `/sample.mp4` with Range support. With `cutAfter`, the connection that
 * would send byte `cutAfter` is cut there, and every later connection is dropped at once, or,
 * with `once`, served again.
 */
async function serveSample(cutAfter?: number, once = false, file = video) {
  let sent = 0;
  let gone = false;
  let cut = false;
  const server = http.createServer((req, res) => {
    if (gone) return req.socket.destroy();
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) : file.length - 1;
    res.writeHead(range ? 206 : 200, {
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${file.length}` } : {}),
    });
    const body = file.subarray(start, end + 1);
    if (cutAfter === undefined || cut || sent + body.length <= cutAfter) {
      sent += body.length;
      return res.end(body);
    }
    cut = true;
    gone = !once;
    res.write(body.subarray(0, cutAfter - sent), () => req.socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sample.mp4`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const info = { hasVideo: true, hasAudio: true, durationMs: SAMPLE.durationMs };

describe("reading a clip's source over HTTP", { timeout: 60_000 }, () => {
  it.each([
    ['analyses a whole read as it analyses the local file', undefined],
    ['reconnects after a connection cut once, resuming where it was, and analyses the whole file', true],
  ])('%s', async (_name, cutOnce) => {
    const source = await serveSample(cutOnce ? Math.floor(video.length / 2) : undefined, cutOnce);
    try {
      const local = await analyseMedia(tools.ffmpeg.path, makeSampleVideo(dir), info);
      expect(await analyseMedia(tools.ffmpeg.path, source.url, info)).toEqual(local);
    } finally {
      await source.close();
    }
  });

  // The npm fallback, ffmpeg 4.1, exits 0 too, and words it otherwise.
  it.each([
    ['ffmpeg on the PATH', tools.ffmpeg.path],
    ['the npm fallback, ffmpeg 4.1', NPM_TOOLS.ffmpeg],
  ])('fails the analysis as temporary when the connection is lost mid-read, though ffmpeg exits 0 (%s)', async (_name, ffmpeg) => {
    const source = await serveSample(Math.floor(video.length / 2));
    try {
      await expectStorageOutage(analyseMedia(ffmpeg, source.url, info), 'ffmpeg');
    } finally {
      await source.close();
    }
  });
});

describe("probing a clip's source over HTTP", { timeout: 60_000 }, () => {
  // The MP4 says its duration in its header; the piped Matroska has none, so its packets are read to the end.
  it.each([
    ['MP4', () => video, 'faststart.mp4'],
    ['piped Matroska', () => piped, 'piped.mkv'],
  ])('probes a whole read of %s as it probes the local file', async (_name, file, local) => {
    const source = await serveSample(undefined, false, file());
    try {
      expect(await probeMedia(tools.ffprobe.path, source.url)).toEqual(await probeMedia(tools.ffprobe.path, path.join(dir, local)));
    } finally {
      await source.close();
    }
  });

  it('fails as the storage unavailable, not an unreadable file, when the connection is lost in the header', async () => {
    const source = await serveSample(Math.floor(video.length * 0.01));
    try {
      await expectStorageOutage(probeMedia(tools.ffprobe.path, source.url), 'ffprobe');
    } finally {
      await source.close();
    }
  });

  const ffprobes = [
    ['ffprobe on the PATH', tools.ffprobe.path],
    ['the npm fallback, ffprobe 4.1', NPM_TOOLS.ffprobe],
  ];

  it.each(ffprobes)('measures a duration by its packets after a connection cut once as on the local file (%s)', async (_name, ffprobe) => {
    const source = await serveSample(Math.floor(piped.length / 2), true, piped);
    try {
      const local = await streamDurationMs(ffprobe!, path.join(dir, 'piped.mkv'));
      expect(local).toBeGreaterThan(SAMPLE.durationMs - 1000);
      expect(await streamDurationMs(ffprobe!, source.url)).toBe(local);
    } finally {
      await source.close();
    }
  });

  // ffprobe exits 0 here, with the packets it had read: a duration measured on half the file.
  it.each(ffprobes)(
    'fails the measure of a duration by its packets as the storage unavailable when the connection is lost among them (%s)',
    async (_name, ffprobe) => {
      const source = await serveSample(Math.floor(piped.length / 2), false, piped);
      try {
        await expectStorageOutage(streamDurationMs(ffprobe!, source.url), 'ffprobe');
      } finally {
        await source.close();
      }
    },
  );
});

/** What `read` threw: the storage's outage (tried again, or 503), not an unreadable file (422). */
async function expectStorageOutage(read: Promise<unknown>, tool: 'ffmpeg' | 'ffprobe') {
  const failed = await read.then(
    () => null,
    (error: unknown) => error,
  );
  expect(failed).not.toBeInstanceOf(UnreadableMediaError);
  expect(failed).toBeInstanceOf(StorageUnavailableError);
  expect(failed).toMatchObject({
    code: 'STORAGE_UNAVAILABLE',
    message: expect.stringMatching(new RegExp(`^${tool} could not read the clip's source from the storage: `)),
  });
}
