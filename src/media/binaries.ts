/**
 * Which ffmpeg and ffprobe to run: `LONGRUN_FFMPEG` / `LONGRUN_FFPROBE` when set, else the ones
 * on the PATH (Debian's `ffmpeg` package: 5.1 on bookworm), else the static builds that
 * `npm install` brings (@ffmpeg-installer/ffmpeg, @ffprobe-installer/ffprobe). Decided once per
 * process; `/readyz` reports the choice and each tool's version.
 *
 * Why the npm builds come last: the registry has no ffmpeg of release 5 or later for linux-x64
 * inside a package's tarball (ffmpeg-static, ffmpeg-ffprobe-static, @derhuerst/ffprobe-static,
 * @scrypted/ffmpeg-static and ffmpeg-for-homebridge download their binary from elsewhere at
 * install time). @ffmpeg-installer/linux-x64 4.1.0 is ffmpeg of 2018 (68 MB, GPL);
 * @ffprobe-installer/linux-x64 5.2.0 is a development snapshot of 2023 (79 MB, GPL-3.0) that
 * crashes (SIGSEGV) on any MPEG-TS file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Binary {
  path: string;
  source: 'setting' | 'path' | 'npm';
  /** What `-version` printed first ("5.1.9-0+deb12u1", "N-66595-gc2b38619c0-static"), or null when it would not run. */
  version: string | null;
  /** The release's major number; null for a development snapshot or one that would not run. */
  major: number | null;
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

const versions = new Map<string, string | null>();

/** `<tool> -version`, once per path and process (tests build many servers). */
function versionOf(binary: string): string | null {
  if (!versions.has(binary)) {
    let version: string | null = null;
    try {
      const out = execFileSync(binary, ['-version'], { timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      version = /^\S+ version (\S+)/.exec(out)?.[1] ?? null;
    } catch {
      // not executable, or it failed: /readyz says so
    }
    versions.set(binary, version);
  }
  return versions.get(binary)!;
}

function described(file: string, source: Binary['source']): Binary {
  const version = versionOf(file);
  const major = version && /^n?(\d+)\./.exec(version);
  return { path: file, source, version, major: major ? Number(major[1]) : null };
}

function locate(name: 'ffmpeg' | 'ffprobe', setting: string | null): Binary {
  if (setting) return described(setting, 'setting');
  const found = onPath(name);
  if (found) return described(found, 'path');
  const pkg = name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe';
  return described((require(pkg) as { path: string }).path, 'npm');
}

export function locateMediaTools(settings: { ffmpegPath: string | null; ffprobePath: string | null }): MediaTools {
  return { ffmpeg: locate('ffmpeg', settings.ffmpegPath), ffprobe: locate('ffprobe', settings.ffprobePath) };
}

/** Why these tools may fail on common files, for a warning at start; null when they are current. */
export function mediaToolsWarning(tools: MediaTools): string | null {
  const old = [tools.ffmpeg, tools.ffprobe].filter((t) => t.major === null || t.major < 5);
  if (old.length === 0) return null;
  return (
    `${old.map((t) => `${t.path} (${t.version ?? 'does not run'})`).join(' and ')} ${old.length > 1 ? 'are' : 'is'} older than release 5 ` +
    'or not a release: MPEG-TS and browser recordings may fail. Install a current ffmpeg (Debian: apt-get install ffmpeg) or set LONGRUN_FFMPEG / LONGRUN_FFPROBE.'
  );
}
