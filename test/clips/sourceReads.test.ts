/**
 * ffmpeg reading a clip's source over HTTP (a storage's presigned GET), from a local server that
 * answers Range requests: a whole read gives what the local file gives; a connection cut once is
 * resumed; one lost for good in the middle of the read makes the analysis a temporary failure
 * (`STORAGE_UNAVAILABLE`, tried again), never a result made from part of the file, even though
 * ffmpeg itself exits 0.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/engine/index.ts';
import { analyseMedia } from '../../src/families/clips/analyse.ts';
import { makeSampleVideo, SAMPLE, tools } from '../helpers/media.ts';
import { tempDir } from '../helpers/testServer.ts';

let dir: string;
let video: Buffer;
beforeAll(() => {
  dir = tempDir('longrun-source-reads-');
  // Its index first (faststart), so ffmpeg reads it in one request from start to end.
  const file = path.join(dir, 'faststart.mp4');
  execFileSync(tools.ffmpeg.path, ['-v', 'error', '-i', makeSampleVideo(dir), '-c', 'copy', '-movflags', '+faststart', file]);
  video = fs.readFileSync(file);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Serves the sample at `/sample.mp4` with Range support. With `cutAfter`, the connection that
 * would send byte `cutAfter` is cut there, and every later connection is dropped at once, or,
 * with `once`, served again.
 */
async function serveSample(cutAfter?: number, once = false) {
  let sent = 0;
  let gone = false;
  let cut = false;
  const server = http.createServer((req, res) => {
    if (gone) return req.socket.destroy();
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) : video.length - 1;
    res.writeHead(range ? 206 : 200, {
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${video.length}` } : {}),
    });
    const body = video.subarray(start, end + 1);
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
    ['the npm fallback, ffmpeg 4.1', createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg').path as string],
  ])('fails the analysis as temporary when the connection is lost mid-read, though ffmpeg exits 0 (%s)', async (_name, ffmpeg) => {
    const source = await serveSample(Math.floor(video.length / 2));
    try {
      const failed = await analyseMedia(ffmpeg, source.url, info).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(RetryableError);
      expect(failed).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    } finally {
      await source.close();
    }
  });
});
