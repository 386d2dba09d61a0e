/**
 * Which ffmpeg and ffprobe to run: `LONGRUN_FFMPEG` / `LONGRUN_FFPROBE` when set, else the ones
 * on the PATH, else the static builds that `npm install` brings (@ffmpeg-installer/ffmpeg,
 * @ffprobe-installer/ffprobe). Decided once per process; `/readyz` reports the choice.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Binary {
  path: string;
  source: 'setting' | 'path' | 'npm';
}

export interface MediaTools {
  ffmpeg: Binary;
  ffprobe: Binary;
}

const require = createRequire(import.meta.url);

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function locate(name: 'ffmpeg' | 'ffprobe', setting: string | null): Binary {
  if (setting) return { path: setting, source: 'setting' };
  const found = onPath(name);
  if (found) return { path: found, source: 'path' };
  const pkg = name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe';
  return { path: (require(pkg) as { path: string }).path, source: 'npm' };
}

export function locateMediaTools(settings: { ffmpegPath: string | null; ffprobePath: string | null }): MediaTools {
  return { ffmpeg: locate('ffmpeg', settings.ffmpegPath), ffprobe: locate('ffprobe', settings.ffprobePath) };
}
