/**
 * Tests that run the `longrun` command as a reader does (`npx longrun`, the bin) run dist/,
 * which `npm test` builds first (pretest). Run on their own after a change to src/, they would
 * check old code: this says so instead.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

function newestSource(dir: string): number {
  return Math.max(
    ...fs
      .readdirSync(dir, { withFileTypes: true })
      .map((e) => (e.isDirectory() ? newestSource(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)),
  );
}

export function assertDistIsCurrent(): void {
  const main = path.join(ROOT, 'dist/cli/main.js');
  const built = fs.existsSync(main) ? fs.statSync(main).mtimeMs : 0;
  if (built < newestSource(path.join(ROOT, 'src'))) throw new Error('dist/ is older than src/: run `npm run build:server` (npm test does it first).');
}
