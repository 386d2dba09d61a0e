/**
 * Every family folder exports the one shape (src/families/family.ts) and the root lists them
 * all: composed once, each family is there under its folder's name, its kinds are the ones the
 * engine runs (no kind claimed by two families), and no two maintenance tasks share a name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Composition } from '../../src/app/families.ts';
import { loadConfig } from '../../src/config.ts';
import { testStore } from '../helpers/testServer.ts';

const FAMILIES = path.resolve(import.meta.dirname, '../../src/families');

let composition: Composition;
let close: () => Promise<void>;
beforeAll(async () => {
  const { store, dataDir, databaseUrl, drop } = await testStore();
  const config = loadConfig({ dataDir, databaseUrl, port: 0, logLevel: 'silent' }, { LONGRUN_DEMO_KINDS: '1' });
  composition = compose(config, store, pino({ level: 'silent' }));
  close = async () => {
    await store.close();
    await drop();
  };
});
afterAll(async () => close?.());

describe('the families', () => {
  it('are every folder of src/families, each with an index.ts, composed under its own name', () => {
    const folders = fs
      .readdirSync(FAMILIES, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    for (const folder of folders) expect(fs.existsSync(path.join(FAMILIES, folder, 'index.ts')), `${folder}/index.ts`).toBe(true);
    expect(composition.families.map((f) => f.name).sort()).toEqual(folders.sort());
  });

  it('hand the engine their kinds, each kind owned by one family', () => {
    const kinds = composition.families.flatMap((f) => f.kinds.map((k) => k.name));
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const name of kinds) expect(composition.engine.kind(name)?.name).toBe(name);
    expect(kinds).toEqual(
      expect.arrayContaining(['sourcing', 'enrichment', 'clip.analysis', 'clip.render', 'kb.ingest', 'idea.enrich', 'agent.run', 'webhook', 'sleep']),
    );
  });

  it('name their maintenance tasks uniquely', () => {
    const names = composition.maintenance.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
