// `npm run bench` runs every benchmark (bench/<name>.bench.ts), one after the other;
// `npm run bench -- <name> [--flags]` runs one. Flags (e.g. --profiles=20000) are passed on.
// Each runs as `npx tsx bench/<name>.bench.ts` with this terminal; exit code 1 if any fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
const names = args.filter((a) => !a.startsWith('-'));
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  console.error(`Unknown benchmark: ${unknown.join(', ')}. Available: ${available.join(', ') || '(none)'}.`);
  process.exit(2);
}

const failed = [];
for (const name of names.length > 0 ? names : available) {
  console.log(`\n== bench: ${name} ==`);
  const run = spawnSync('npx', ['tsx', path.join(dir, `${name}.bench.ts`), ...flags], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exit(1);
}
