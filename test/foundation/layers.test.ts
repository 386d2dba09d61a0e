import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers, read from the imports of every file of src:
 *   app (the composition root) → families → http, maintenance, content, net, media, llm, storage,
 *   telemetry, auth → engine → store, with leaf modules (src/*.ts) anywhere below the root. The engine
 *   imports only the store (and leaf modules): its schemas' building blocks and the scopes are leaves.
 * A family imports no other family (what one needs of another is an interface in
 * src/families/ports.ts); nothing below the families imports one, or the root; the store
 * imports nothing above it. src/client is a separate package that names the families'
 * schemas as types; it is left out.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');
const BELOW_FAMILIES = ['http', 'engine', 'store', 'llm', 'auth', 'maintenance', 'content', 'net', 'media', 'storage', 'telemetry'];
const ABOVE_STORE = ['engine', 'http', 'families', 'app', 'maintenance', 'content', 'net', 'media', 'storage', 'telemetry'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [full] : [];
  });
}

/** Every local module `text` names in an import, an export … from, or an import(), relative to src. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), s)));
}

const top = (file: string) => (file.includes(path.sep) ? file.split(path.sep)[0]! : null);
/** The family a file belongs to (`sourcing` for families/sourcing/runs/kind.ts); null for families/family.ts and files outside. */
const familyOf = (file: string) => {
  const parts = file.split(path.sep);
  return parts[0] === 'families' && parts.length > 2 ? parts[1]! : null;
};

/** Every import that breaks a rule, as "<file> imports <target>" (paths relative to src). */
function layerViolations(imports: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of imports) {
    const layer = top(file);
    if (layer === 'client') continue;
    for (const target of targets) {
      const into = top(target);
      const bad =
        // A family imports no other family, and not the root above it.
        (familyOf(file) !== null && familyOf(target) !== null && familyOf(target) !== familyOf(file)) ||
        (layer === 'families' && into === 'app') ||
        // The family shape (families/*.ts) is below every family.
        (layer === 'families' && familyOf(file) === null && familyOf(target) !== null) ||
        // Nothing below the families knows one, or the root; nor do the leaf modules.
        ((layer === null || BELOW_FAMILIES.includes(layer)) && (into === 'families' || into === 'app')) ||
        // The engine stands on the store alone.
        (layer === 'engine' && into !== null && into !== 'engine' && into !== 'store') ||
        // The store is the floor.
        (layer === 'store' && into !== null && ABOVE_STORE.includes(into));
      if (bad) found.push(`${file} imports ${target}`);
    }
  }
  return found;
}

describe('the layers', () => {
  const imports = new Map(sourceFiles(SRC).map((full) => [path.relative(SRC, full), importsOf(path.relative(SRC, full), fs.readFileSync(full, 'utf8'))]));

  it('hold across src: no family imports another, nothing below the families imports one, the engine stands on the store alone, the store imports nothing above it', () => {
    expect(layerViolations(imports)).toEqual([]);
  });

  it('sees every family folder and the http toolkit (the check reads real files)', () => {
    const families = new Set([...imports.keys()].map(familyOf).filter(Boolean));
    expect([...families].sort()).toEqual(['agents', 'clips', 'demo', 'ideas', 'sourcing', 'webhooks']);
    expect([...imports.keys()].filter((f) => top(f) === 'http').length).toBeGreaterThan(10);
  });

  it('notices each kind of wrong import (the check can fail)', () => {
    const probe = (file: string, text: string) => layerViolations(new Map([[file, importsOf(file, text)]]));
    expect(probe('families/agents/probe.ts', `import { kbFindForOrg } from '../ideas/kb/sql/kbs.ts';`)).toEqual([
      'families/agents/probe.ts imports families/ideas/kb/sql/kbs.ts',
    ]);
    expect(probe('families/agents/probe.ts', `import { x } from './sql/agents.ts';\nimport type { Family } from '../family.ts';`)).toEqual([]);
    expect(probe('families/family.ts', `export type { X } from './clips/schemas.ts';`)).toEqual(['families/family.ts imports families/clips/schemas.ts']);
    expect(probe('http/routes/health.ts', `import type { MediaTools } from '../../families/clips/binaries.ts';`)).toEqual([
      'http/routes/health.ts imports families/clips/binaries.ts',
    ]);
    expect(probe('engine/probe.ts', `const m = await import('../app/families.ts');`)).toEqual(['engine/probe.ts imports app/families.ts']);
    expect(probe('engine/probe.ts', `import { Nullable } from '../http/schemas.ts';`)).toEqual(['engine/probe.ts imports http/schemas.ts']);
    expect(probe('engine/sql/probe.ts', `import { x } from '../../store/ledger.ts';\nimport type { Scope } from '../../scopes.ts';`)).toEqual([]);
    expect(probe('store/probe.ts', `import { Engine } from '../engine/index.ts';`)).toEqual(['store/probe.ts imports engine/index.ts']);
    expect(probe('ids.ts', `import { x } from './families/sourcing/index.ts';`)).toEqual(['ids.ts imports families/sourcing/index.ts']);
    expect(probe('families/webhooks/probe.ts', `import { compose } from '../../app/families.ts';`)).toEqual([
      'families/webhooks/probe.ts imports app/families.ts',
    ]);
  });
});
