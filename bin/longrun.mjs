#!/usr/bin/env -S node --max-semi-space-size=4
// The `longrun` command. TypeScript sources run through tsx's loader, so there is no build step
// to forget: what is in src/ is what runs.
// --max-semi-space-size=4 (MiB; also in `npm start`): V8 grows the young generation to 16 MiB
// semi-spaces under load and keeps it; at 4 the server's RSS after `npm run bench -- scale`'s
// load is ~150 MiB instead of ~280, at the same requests/s. It must be a command-line flag:
// v8.setFlagsFromString after start-up changes nothing here.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
