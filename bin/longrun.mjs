#!/usr/bin/env -S node --max-semi-space-size=4
// The `longrun` command: the JavaScript that `npm run build` compiles from src/ into dist/
// (`npm install` runs it). Stack traces name the TypeScript lines through dist's source maps.
// --max-semi-space-size=4 (MiB; also in `npm start`): V8 grows the young generation to 16 MiB
// semi-spaces under load and keeps it; at 4 the server's RSS under load stays ~150 MiB instead
// of ~280, at the same requests/s. It must be a command-line flag: v8.setFlagsFromString after
// start-up changes nothing here.
import fs from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  console.error('longrun: dist/ is missing; run `npm run build` first (npm install runs it).');
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(main.href);
