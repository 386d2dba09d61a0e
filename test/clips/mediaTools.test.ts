/**
 * Which ffmpeg and ffprobe the server runs and what it says about them: /readyz reports each
 * one's source and version (release 5 or later here: .ci/run installs Debian's ffmpeg), the npm
 * fallback is named as old, and a probe that crashes fails with its signal and what it printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia, UnreadableMediaError } from '../../src/families/clips/probe.ts';
import { locateMediaTools, mediaToolsWarning } from '../../src/media/binaries.ts';
import { NPM_TOOLS } from '../helpers/media.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = tempDir('longrun-tools-');
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('media tools', () => {
  it('/readyz reports a current ffmpeg and ffprobe with their versions', async () => {
    const { media } = (await call(`${server.url}/readyz`)).body.data;
    for (const tool of [media.ffmpeg, media.ffprobe]) {
      expect(tool, 'install a current ffmpeg (Debian: apt-get install ffmpeg), as .ci/run does').toMatchObject({
        source: 'path',
        version: expect.any(String),
        executable: true,
      });
      expect(tool.major).toBeGreaterThanOrEqual(5);
    }
    expect(mediaToolsWarning(server.deps.mediaTools)).toBeNull();
  });

  it('names the npm builds as older than release 5, and a tool that does not run', () => {
    const npm = locateMediaTools({ ffmpegPath: NPM_TOOLS.ffmpeg, ffprobePath: path.join(dir, 'missing-ffprobe') });
    expect(npm.ffmpeg).toMatchObject({ source: 'setting', version: expect.stringMatching(/^N-/), major: null });
    expect(npm.ffprobe).toMatchObject({ version: null, major: null });
    expect(mediaToolsWarning(npm)).toMatch(/older than release 5 or not a release: MPEG-TS and browser recordings may fail\. Install a current ffmpeg/);
  });

  it('fails a probe that crashes with its signal and what it printed, never an empty message', async () => {
    const file = path.join(dir, 'clip.ts');
    fs.writeFileSync(file, 'bytes');
    const noisy = script('ffprobe-noisy', 'echo "[mpegts @ 0x1] probing the file" >&2\nkill -SEGV $$');
    await expect(probeMedia(noisy, file)).rejects.toThrow(
      new UnreadableMediaError('ffprobe crashed (SIGSEGV) reading the file: [mpegts @ 0x1] probing the file.'),
    );
    const silent = script('ffprobe-silent', 'kill -SEGV $$');
    await expect(probeMedia(silent, file)).rejects.toThrow(new UnreadableMediaError('ffprobe crashed (SIGSEGV) reading the file, with no message.'));
    const quiet = script('ffprobe-quiet', 'exit 3');
    await expect(probeMedia(quiet, file)).rejects.toThrow(new UnreadableMediaError('ffprobe cannot read the file: it exited with 3 and printed nothing'));
  });
});
