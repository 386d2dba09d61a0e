/**
 * Test media made with ffmpeg's lavfi sources: 30 s of 320×240 video with a hard scene cut at
 * 12 s (testsrc → smptebars) and a 440 Hz tone that falls silent from 20 s to 23 s.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { locateMediaTools } from '../../src/media/binaries.ts';
import { call, type Answer } from './testServer.ts';
import { until } from './wait.ts';

export const tools = locateMediaTools({ ffmpegPath: null, ffprobePath: null });
/** The builds `npm install` brings (ffmpeg 4.1 of 2018), which longrun falls back to when the PATH has none. */
export const NPM_TOOLS = {
  ffmpeg: (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path,
  ffprobe: (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path,
};
export const SAMPLE = { durationMs: 30_000, cutMs: 12_000, silence: { startMs: 20_000, endMs: 23_000 } };

export function makeSampleVideo(dir: string, name = 'sample.mp4'): string {
  const file = path.join(dir, name);
  if (fs.existsSync(file)) return file;
  execFileSync(tools.ffmpeg.path, [
    '-y',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=25:duration=12',
    '-f',
    'lavfi',
    '-i',
    'smptebars=size=320x240:rate=25:duration=18',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=44100:duration=30',
    '-filter_complex',
    "[0:v][1:v]concat=n=2:v=1:a=0[v];[2:a]volume=enable='between(t,20,23)':volume=0[a]",
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    file,
  ]);
  return file;
}

/** POST /clips as multipart/form-data with the file's bytes. */
export async function uploadClip(url: string, key: string, file: string, name?: string): Promise<Answer> {
  const form = new FormData();
  if (name) form.append('name', name);
  form.append('file', new Blob([fs.readFileSync(file)]), path.basename(file));
  const response = await fetch(`${url}/clips`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** A clip once it has left `processing`: its analysis job signals nothing a client can wait on, so this asks again. */
/** PUT part `n` of a resumable upload with its SHA-256 (or `digest`, to send a wrong one). */
export function sendUploadPart(url: string, key: string, uploadId: string, n: number, body: Buffer, digest?: string): Promise<Response> {
  return fetch(`${url}/clips/uploads/${uploadId}/parts/${n}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/octet-stream',
      'x-content-sha256': digest ?? crypto.createHash('sha256').update(body).digest('hex'),
    },
    body: new Uint8Array(body),
  });
}

export async function clipWhenAnalysed(url: string, key: string, clipId: string): Promise<Answer['body']> {
  let clip: Answer['body'];
  await until(
    `clip ${clipId} is analysed`,
    async () => {
      clip = (await call(`${url}/clips/${clipId}`, { key })).body.data;
      return !['uploading', 'processing'].includes(clip.status);
    },
    { timeoutMs: 60_000, everyMs: 100 },
  );
  return clip;
}
