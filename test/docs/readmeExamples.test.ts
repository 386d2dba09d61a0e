/**
 * The README's shell examples run as written, in order, in one bash from the clone's root,
 * against a fresh `longrun serve` on SQLite, as `npm start` serves a new clone. A block runs
 * unless the HTML comment just before it marks it:
 * `skip` (it starts a server, installs, benchmarks), `needs-internet`, or `setup` (the test runs
 * the `export` lines its own server printed at first start instead: the reader pastes them).
 * The blocks get no other variable than the reader has: the server's database (the reader's is
 * `./data`, shared by the server and the CLI) and a temporary folder.
 *
 * A block passes when it exits 0 under `set -euo pipefail` and prints no error envelope
 * (`"success":false`, the mark of both families' errors: curl itself exits 0 on a 4xx).
 *
 * It runs in the SQLite project only (vitest.config.ts): the README's examples are the first-use path on
 * SQLite (its PostgreSQL setup needs a server of the reader's), every route they touch is
 * tested on PostgreSQL by its own file, and a second run costs over a minute of a 2-core
 * machine's suite.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDistIsCurrent } from '../helpers/builtDist.ts';
import { startServeProcess, type ServeProcess } from '../helpers/cli.ts';
import { freshTestDatabase, testBackend, type TestDatabase } from '../helpers/testDatabase.ts';
import { until } from '../helpers/wait.ts';
import { headingAnchors, isShell, MARKS, readBlocks, readLinks, readReadme, ROOT, type Block } from './readme.ts';

const markdown = readReadme();
const shellBlocks = readBlocks(markdown).filter(isShell);
const runnable = shellBlocks.filter((b) => b.mark === null);
const setupBlocks = shellBlocks.filter((b) => b.mark?.kind === 'setup');
/** The whole run; the README's render example is the slowest part (a few seconds of ffmpeg). */
const RUN_LIMIT_MS = 150_000;

function title(block: Block): string {
  const first = block.text.split('\n').find((l) => l.trim() !== '') ?? '';
  return `README line ${block.line}: ${first.length > 70 ? `${first.slice(0, 69)}…` : first}`;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export NAME=value` lines, as the first-start banner prints them and a setup block shows them. */
function exportLines(text: string): { name: string; line: string }[] {
  return [...text.matchAll(/^\s*export ([A-Z_][A-Z0-9_]*)=(\S+)/gm)].map((m) => ({ name: m[1]!, line: m[0].trim() }));
}

describe('the README, statically', () => {
  it('marks blocks only with known marks, and has shell examples to run', () => {
    const unknown = shellBlocks.filter((b) => b.mark && !(MARKS as readonly string[]).includes(b.mark.kind));
    expect(unknown.map(title)).toEqual([]);
    expect(runnable.length).toBeGreaterThanOrEqual(9);
  });

  it('has setup blocks that only export variables', () => {
    expect(setupBlocks.length).toBeGreaterThan(0);
    for (const block of setupBlocks) {
      const commands = block.text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      expect(commands.length, title(block)).toBe(exportLines(block.text).length);
    }
  });

  it('links only to files of the clone and to its own headings', () => {
    const anchors = headingAnchors(markdown);
    const outside: string[] = [];
    for (const target of readLinks(markdown)) {
      if (target.startsWith('#')) {
        if (!anchors.has(target.slice(1))) outside.push(`${target} (no such heading)`);
      } else if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target)) {
        outside.push(`${target} (outside the clone)`);
      } else {
        const file = path.resolve(ROOT, decodeURI(target.split('#')[0]!));
        if (!file.startsWith(`${ROOT}${path.sep}`)) outside.push(`${target} (outside the clone)`);
        else if (!fs.existsSync(file)) outside.push(`${target} (missing)`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('uses no macOS-only command in any shell block', () => {
    const macOnly = /(^|[\s;|&(])(open|pbcopy|pbpaste|brew|launchctl|xattr|mdfind)(?=\s|$)|sed -i ''/m;
    expect(shellBlocks.filter((b) => macOnly.test(b.text)).map(title)).toEqual([]);
  });

  it('shows examples/people.csv as it is (in docs/sourcing.md, where the columns are explained)', () => {
    const csv = readBlocks(fs.readFileSync(path.join(ROOT, 'docs/sourcing.md'), 'utf8')).filter((b) => b.lang === 'csv');
    expect(csv.length).toBe(1);
    expect(`${csv[0]!.text}\n`).toBe(fs.readFileSync(path.join(ROOT, 'examples/people.csv'), 'utf8'));
  });
});

describe('the README, run', () => {
  let database: TestDatabase;
  let server: ServeProcess;
  let logs: string;
  let exports: { name: string; line: string }[] = [];
  let outcome: { code: number | null; signal: string | null; ms: number };
  let done = new Set<number>();

  beforeAll(async () => {
    assertDistIsCurrent(); // the blocks' `npx longrun` runs dist/
    database = await freshTestDatabase();
    logs = path.join(database.dataDir, 'readme-logs');
    const tmp = path.join(database.dataDir, 'tmp');
    fs.mkdirSync(logs);
    fs.mkdirSync(tmp);
    // The database the reader's server and CLI share (`./data` by default); the test's own.
    const databaseEnv: Record<string, string> = { LONGRUN_DATA_DIR: database.dataDir, LONGRUN_DATABASE_URL: database.url };
    // `LONGRUN_DEMO_KINDS=1 npm start`, as the README starts it, on a free port.
    server = await startServeProcess([], { ...databaseEnv, LONGRUN_DEMO_KINDS: '1' });
    await until('the first start printed its export lines', () => exportLines(server.output()).length >= 2);
    exports = exportLines(server.output());

    const script = ['set -euo pipefail', ...exports.map((e) => e.line)];
    for (const [i, block] of runnable.entries()) {
      script.push(
        `# README line ${block.line}`,
        `exec >${quote(path.join(logs, `${i}.log`))} 2>&1`,
        block.text,
        `echo "${i} $SECONDS" >>${quote(path.join(logs, 'done'))}`,
      );
    }
    fs.writeFileSync(path.join(logs, 'readme.sh'), `${script.join('\n')}\n`);
    const env: Record<string, string> = {
      PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? database.dataDir,
      LANG: 'C.UTF-8',
      TMPDIR: tmp,
      ...databaseEnv,
    };
    const started = Date.now();
    outcome = await new Promise((resolve, reject) => {
      const child = spawn('bash', [path.join(logs, 'readme.sh')], { cwd: ROOT, env, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, ms: Date.now() - started });
      });
    });
    // One line per finished block: its index and bash's clock (whole seconds) at its end.
    const doneFile = path.join(logs, 'done');
    const ends = (fs.existsSync(doneFile) ? fs.readFileSync(doneFile, 'utf8').split('\n').filter(Boolean) : []).map(
      (l) => l.split(' ').map(Number) as [number, number],
    );
    done = new Set(ends.map(([i]) => i));
    const took = ends.map(([i, end], n) => `${runnable[i]!.line}: ${end - (n > 0 ? ends[n - 1]![1] : 0)} s`);
    const skipped = shellBlocks.filter((b) => b.mark && b.mark.kind !== 'setup');
    const offline = skipped.filter((b) => b.mark!.kind === 'needs-internet').length;
    console.info(
      `README examples (${testBackend()}): ${done.size} of ${runnable.length} blocks ran in ${(outcome.ms / 1000).toFixed(1)} s; ` +
        `${skipped.length} skipped (${offline} need the internet), ${setupBlocks.length} setup. Seconds by README line: ${took.join(', ')}`,
    );
  }, RUN_LIMIT_MS + 30_000);

  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await database?.drop();
  });

  it('the setup blocks export what the first start prints', () => {
    const shown = setupBlocks.flatMap((b) => exportLines(b.text).map((e) => e.name));
    expect(exports.map((e) => e.name).sort()).toEqual([...new Set(shown)].sort());
  });

  it(`runs every unmarked block within ${RUN_LIMIT_MS / 1000} s, exit code 0`, () => {
    expect(outcome).toMatchObject({ code: 0, signal: null });
  });

  for (const block of shellBlocks) {
    if (block.mark) continue; // counted in the summary line above
    const i = runnable.indexOf(block);
    it(title(block), () => {
      const logFile = path.join(logs, `${i}.log`);
      const output = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '(not reached)';
      expect(done.has(i), `the block did not finish; its output:\n${output}`).toBe(true);
      expect(
        output.split('\n').filter((l) => l.includes('"success":false')),
        'lines of its output with an error envelope',
      ).toEqual([]);
    });
  }
});
