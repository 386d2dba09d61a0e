/**
 * A clip render through longrun against the same ffmpeg command run bare, in one run on one
 * machine: what the API, the queue, the job bookkeeping and the progress reporting add to a
 * render. Generates a 1280×720 test video with ffmpeg's lavfi sources, uploads it over HTTP to a
 * real server in this process (SQLite in a temporary directory), renders one segment R times
 * through `POST /clips/{id}/render` (submit to completed), and runs `renderArgs` for the same
 * segment R times bare. Writes bench/results/clips.json.
 *
 *   npm run bench -- clips [--runs=3] [--seconds=20] [--template=vertical]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { apiKeyCreate } from '../src/auth/apiKeys.ts';
import { creditsGrant } from '../src/store/ledger.ts';
import { locateMediaTools } from '../src/media/binaries.ts';
import { renderArgs, TEMPLATES, type Template } from '../src/families/clips/renderKind.ts';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/app/families.ts';
import { buildApp } from '../src/app/apiServer.ts';
import { openStore } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { orgCreate } from '../src/store/orgs.ts';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const runs = Number(arg('runs', '3'));
const seconds = Number(arg('seconds', '20'));
const template = arg('template', 'vertical') as Template;
if (!TEMPLATES.includes(template)) throw new Error(`--template must be one of ${TEMPLATES.join(', ')}`);

const tools = locateMediaTools({ ffmpegPath: null, ffprobePath: null });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-clips-'));
const sample = path.join(dir, 'sample.mp4');
execFileSync(tools.ffmpeg.path, [
  '-y',
  '-hide_banner',
  '-loglevel',
  'error',
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=1280x720:rate=30:duration=${seconds}`,
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=330:sample_rate=48000:duration=${seconds}`,
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-pix_fmt',
  'yuv420p',
  '-c:a',
  'aac',
  sample,
]);

const dataDir = path.join(dir, 'data');
const config = loadConfig({ dataDir, port: 0, logLevel: 'silent' }, { LONGRUN_RATE_LIMIT_MAX: '1000000' });
const store = openStore(config.databaseUrl);
await migrateToLatest(store.db);
const log = pino({ level: 'silent' });
const composition = compose(config, store, log);
const { engine } = composition;
const app = await buildApp(composition);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
engine.start();
const org = await orgCreate(store.db, 'bench');
await creditsGrant(store.db, org.id, 1_000_000);
const { key } = await apiKeyCreate(store.db, { orgId: org.id });
const headers = { authorization: `Bearer ${key}` };
const json = async (method: string, route: string, body?: unknown) => {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await response.json()) as { data: Record<string, unknown> & { status: string } };
};

try {
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(sample)]), 'sample.mp4');
  const uploaded = (await (await fetch(`${url}/clips`, { method: 'POST', headers, body: form })).json()) as { data: { id: string } };
  const clipId = uploaded.data.id;
  let clip = await json('GET', `/clips/${clipId}`);
  while (clip.data.status === 'processing') {
    await new Promise((r) => setTimeout(r, 100));
    clip = await json('GET', `/clips/${clipId}`);
  }
  const candidate = await json('POST', `/clips/${clipId}/candidates`, { startMs: 0, endMs: seconds * 1000, title: 'All' });

  const viaLongrun: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const accepted = await json('POST', `/clips/${clipId}/render`, { candidateId: candidate.data.id, template });
    let job = await json('GET', `/jobs/${accepted.data.jobId}?wait=30`);
    while (job.data.status === 'queued' || job.data.status === 'running') job = await json('GET', `/jobs/${accepted.data.jobId}?wait=30`);
    if (job.data.status !== 'completed') throw new Error(`render ended ${job.data.status}`);
    viaLongrun.push(performance.now() - started);
  }

  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const args = renderArgs({
      source: sample,
      startMs: 0,
      endMs: seconds * 1000,
      template,
      subtitles: null,
      audio: true,
      output: path.join(dir, `bare-${i}.mp4`),
    });
    const started = performance.now();
    const run = spawnSync(tools.ffmpeg.path, args);
    if (run.status !== 0) throw new Error(`bare ffmpeg failed: ${run.stderr.toString()}`);
    bare.push(performance.now() - started);
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const results = {
    template,
    outputSeconds: seconds,
    viaLongrunMs: viaLongrun.map(Math.round),
    bareFfmpegMs: bare.map(Math.round),
    medianViaLongrunMs: Math.round(median(viaLongrun)),
    medianBareMs: Math.round(median(bare)),
    ratio: Math.round((median(viaLongrun) / median(bare)) * 1000) / 1000,
    ffmpeg: tools.ffmpeg,
  };
  console.log(
    `render of ${seconds} s (${template}), median of ${runs}: longrun ${results.medianViaLongrunMs} ms, bare ffmpeg ${results.medianBareMs} ms, ratio ${results.ratio}`,
  );
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  fs.mkdirSync(out, { recursive: true });
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` };
  fs.writeFileSync(
    path.join(out, 'clips.json'),
    `${JSON.stringify({ name: 'clips', date: new Date().toISOString(), machine, params: { runs, seconds, template }, results }, null, 2)}\n`,
  );
  console.log('written bench/results/clips.json');
} finally {
  engine.signals.shutdown();
  await app.close();
  await engine.stop(1000);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
