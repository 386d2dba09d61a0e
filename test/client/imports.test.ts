/**
 * The client is typed from the server's schemas but must not load the server: every import of
 * a module outside src/client is `import type` (erased at run time), and at run time it needs
 * nothing but Node's own modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CLIENT = path.resolve(import.meta.dirname, '../../src/client');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('longrun/client', () => {
  it('imports server modules as types only, and no package at run time', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(CLIENT)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^(import|export)\s([^;]*?)\sfrom\s+'([^']+)';/gms)) {
        const [statement, , clause, specifier] = match as unknown as [string, string, string, string];
        if (/^type\s/.test(clause)) continue; // `import type …` / `export type … from`: erased at run time
        const inside = specifier.startsWith('.') && path.resolve(path.dirname(file), specifier).startsWith(CLIENT + path.sep);
        if (!inside && !specifier.startsWith('node:')) offenders.push(`${path.relative(CLIENT, file)}: ${statement.split('\n')[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('is what the package exports as longrun/client', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(CLIENT, '../../package.json'), 'utf8')) as { exports: Record<string, string> };
    expect(path.resolve(CLIENT, '../..', pkg.exports['./client']!)).toBe(path.join(CLIENT, 'index.ts'));
    const client = await import('../../src/client/index.ts');
    expect(Object.keys(client).sort()).toEqual(['LongrunClient', 'LongrunError', 'WebhookVerificationError', 'createClient', 'isFinished', 'verifyWebhook']);
  });
});
