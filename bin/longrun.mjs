#!/usr/bin/env node
// The `longrun` command. TypeScript sources run through tsx's loader, so there is no build step
// to forget: what is in src/ is what runs.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
