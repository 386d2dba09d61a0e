import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The store is the floor: no module of src/store imports the engine, the HTTP toolkit, a family,
 * the composition root or anything else above it. What it may import outside itself is listed
 * here (leaf modules that import nothing of the project).
 */
const SRC = path.resolve(import.meta.dirname, '../../src');
const STORE = path.join(SRC, 'store');
const BELOW_THE_STORE = [path.join(SRC, 'ids.ts')];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [full] : [];
  });
}

/** Every local module a file names in an import, an export … from, or an import(). */
function importedModules(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s));
}

const inside = (file: string, dir: string) => file === dir || file.startsWith(dir + path.sep);

describe('the store’s layer', () => {
  it('imports nothing of src outside itself but the leaf modules below it', () => {
    const imports = sourceFiles(STORE).flatMap((file) => importedModules(file).map((target) => ({ file, target })));
    // The parse finds the store's own imports, so an empty list below means something.
    expect(imports.some(({ target }) => target === path.join(STORE, 'database.ts'))).toBe(true);
    const offending = imports
      .filter(({ target }) => !inside(target, STORE) && !BELOW_THE_STORE.includes(target))
      .map(({ file, target }) => `${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`);
    expect(offending).toEqual([]);
  });

  it('leaves ids.ts, which it may import, importing nothing of the project', () => {
    for (const leaf of BELOW_THE_STORE) expect(importedModules(leaf)).toEqual([]);
  });
});
