import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The engine has one public entry, src/engine/index.ts: no file of src outside src/engine
 * imports any other module of it (its SQL, its parts), so those can change without a caller
 * noticing. src/client is a separate package's code and names only the engine's types.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');
const ENGINE = path.join(SRC, 'engine');
const EXEMPT = [path.join(SRC, 'client')];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [full] : [];
  });
}

/** Every local module `text` (the file `file`) names in an import, an export … from, or an import(). */
function importedModules(file: string, text = fs.readFileSync(file, 'utf8')): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s));
}

const inside = (file: string, dir: string) => file === dir || file.startsWith(dir + path.sep);

describe('the engine’s public entry', () => {
  it('is the only module of src/engine that code outside it imports', () => {
    const outside = sourceFiles(SRC).filter((file) => !inside(file, ENGINE) && !EXEMPT.some((dir) => inside(file, dir)));
    const offending = outside.flatMap((file) =>
      importedModules(file)
        .filter((target) => inside(target, ENGINE) && target !== path.join(ENGINE, 'index.ts'))
        .map((target) => `${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`),
    );
    expect(offending).toEqual([]);
  });

  it('notices an import of an engine module (the check can fail)', () => {
    const probe = path.join(SRC, 'server', 'probe.ts');
    const sample = `import { jobGetForOrg } from '../engine/sql/jobsRead.ts';\nexport { x } from "../engine/index.ts";\nconst m = await import('../engine/views.ts');\nimport 'node:fs';`;
    expect(importedModules(probe, sample)).toEqual([path.join(ENGINE, 'sql', 'jobsRead.ts'), path.join(ENGINE, 'index.ts'), path.join(ENGINE, 'views.ts')]);
  });
});
