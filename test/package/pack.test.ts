/**
 * The package as a user installs it: `npm pack` of this tree (compiled by the build's own
 * tsconfig), installed into a separate consumer project. The README's typed-client example
 * type-checks there with `tsc --strict` (our declarations included), runs with plain `node`
 * against a live server, and the client bundles for a browser with nothing Node-only on its path.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';
import { readBlocks } from '../docs/readme.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

let work: string;
let consumer: string;
let packed: { filename: string; size: number; files: { path: string }[] };
let server: TestServer;

beforeAll(async () => {
  work = tempDir('longrun-pack-');
  // The tracked tree, as a clone has it, plus the build's outputs: `files` in package.json
  // decides what of it the tarball holds.
  const pkg = path.join(work, 'pkg');
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 16 << 20 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!fs.existsSync(path.join(ROOT, file))) continue; // deleted in the work tree
    fs.mkdirSync(path.dirname(path.join(pkg, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(pkg, file));
  }
  fs.cpSync(path.join(ROOT, 'dashboard/dist'), path.join(pkg, 'dashboard/dist'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules')); // for tsc; npm pack leaves it out
  await run(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: pkg });
  const packOut = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: pkg, maxBuffer: 16 << 20 });
  packed = (JSON.parse(packOut.stdout) as (typeof packed)[])[0]!;

  consumer = path.join(work, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --ignore-scripts: the client needs no native module; the server's are not what is tested here.
  // @types/node as a Node project has it: the example reads process.env.
  await run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, packed.filename), '@types/node@20'], {
    cwd: consumer,
    maxBuffer: 16 << 20,
  });
  server = await startTestServer();
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the compiled server, the client, the dashboard and the manual, and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    const outside = paths.filter((p) => !/^(bin|dist|dashboard\/dist)\//.test(p) && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(p));
    expect(outside).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining(['bin/longrun.mjs', 'dist/cli/main.js', 'dist/client/index.js', 'dist/client/index.d.ts', 'dashboard/dist/index.html']),
    );
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    expect(packed.size).toBeLessThan(1024 * 1024); // the README says about 0.5 MB
  });

  it('runs `longrun --version` from the installed bin with plain node', async () => {
    const { stdout } = await run(process.execPath, [path.join(consumer, 'node_modules/longrun/bin/longrun.mjs'), '--version'], { cwd: consumer });
    expect(stdout.trim()).toBe((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it("type-checks the README's typed-client example with tsc --strict, then runs it with node", async () => {
    const example = readBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).find((b) => b.lang === 'ts' && b.text.includes("from 'longrun/client'"));
    fs.writeFileSync(path.join(consumer, 'example.ts'), example!.text);
    // No skipLibCheck: our declarations are checked as the consumer's compiler sees them.
    const tsc = await run(
      process.execPath,
      [TSC, '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--lib', 'es2022,dom', 'example.ts'],
      {
        cwd: consumer,
      },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    expect(tsc.stdout).toBe('');

    const { stdout } = await run(process.execPath, ['example.js'], {
      cwd: consumer,
      env: { ...process.env, LONGRUN_URL: server.url, LONGRUN_API_KEY: server.key },
    });
    expect(stdout).toMatch(/job\.completed/);
  }, 60_000);

  it('bundles the client for a browser: nothing Node-only on its path', async () => {
    const entry = path.join(consumer, 'browser.js');
    fs.writeFileSync(entry, "import { createClient } from 'longrun/client';\nexport const client = createClient({ url: location.origin, apiKey: 'k' });\n");
    const bundle = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    expect(bundle.errors).toEqual([]);
    // Its size, for the README's claim that the client is small.
    expect(bundle.outputFiles[0]!.contents.byteLength).toBeLessThan(64 * 1024);
  });
});
