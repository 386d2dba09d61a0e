/**
 * The client is typed from the server's schemas but must not load the server, nor make a
 * consumer's tsc check it: at run time a client file imports only client files (and, in the
 * Node-only entry webhooks.ts, `node:` modules); `import type` reaches only client files, TypeBox
 * and schema modules; and a schema module (every `schemas.ts` under src/, and
 * src/schemaPrimitives.ts) imports only TypeBox and other schema modules. The main entry, index.ts, also runs in browsers: nothing it loads,
 * even for types, imports a `node:` module.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const CLIENT = path.join(SRC, 'client');
/** The Node-only entry (longrun/client/webhooks): the one client file that may import `node:` modules. */
const NODE_ONLY = path.join(CLIENT, 'webhooks.ts');
const TYPEBOX = '@sinclair/typebox';

interface Import {
  specifier: string;
  /** `import type …` or `export type … from`: erased from the JavaScript. */
  typeOnly: boolean;
  /** The file it names, for a relative specifier. */
  resolved?: string;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Every import and re-export of a file, static or dynamic, read by the TypeScript parser. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier)) throw new Error(`${file}: an import whose specifier is not a string literal`);
    const text = specifier.text;
    found.push({
      specifier: text,
      typeOnly,
      resolved: text.startsWith('.') ? path.resolve(path.dirname(file), text) : undefined,
      line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
    });
  };
  const visit = (node: ts.Node) => {
    // A clause-level `type` only: `import { type A } from …` still loads the module (verbatimModuleSyntax).
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node, node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node)) throw new Error(`${file}: import = require(…)`);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A `schemas.ts` under src/, or the schema primitives they share (src/schemaPrimitives.ts). */
const isSchemaModule = (file: string | undefined) =>
  file !== undefined && file.startsWith(SRC + path.sep) && (path.basename(file) === 'schemas.ts' || file === path.join(SRC, 'schemaPrimitives.ts'));
const inClient = (file: string | undefined) => file !== undefined && file.startsWith(CLIENT + path.sep);
const where = (file: string, i: Import) => `${path.relative(SRC, file)}:${i.line} ${i.specifier}${i.typeOnly ? ' (type)' : ''}`;

describe('longrun/client', () => {
  it('loads only its own files at run time, and node: modules only in the Node-only entry', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(CLIENT)) {
      for (const i of importsOf(file)) {
        if (i.typeOnly) continue;
        if (inClient(i.resolved)) continue;
        if (file === NODE_ONLY && i.specifier.startsWith('node:')) continue;
        offenders.push(where(file, i));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('imports types only from its own files, TypeBox and schema modules', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(CLIENT)) {
      for (const i of importsOf(file)) {
        if (!i.typeOnly) continue;
        if (inClient(i.resolved) || isSchemaModule(i.resolved) || i.specifier === TYPEBOX) continue;
        offenders.push(where(file, i));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('runs in browsers: nothing index.ts reaches, even for types, imports a node: module', () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of importsOf(file)) {
        if (i.specifier.startsWith('node:')) offenders.push(where(file, i));
        if (i.resolved) walk(i.resolved);
      }
    };
    walk(path.join(CLIENT, 'index.ts'));
    expect(offenders).toEqual([]);
    expect(seen.has(NODE_ONLY)).toBe(false);
    // The walk went through the schema modules too, and found the families' ones.
    expect([...seen].filter(isSchemaModule).length).toBeGreaterThan(5);
  });

  it('is what the package exports as longrun/client and longrun/client/webhooks, compiled', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(SRC, '../package.json'), 'utf8')) as { exports: Record<string, { default: string; types: string }> };
    expect(pkg.exports['./client']).toEqual({ types: './dist/client/index.d.ts', default: './dist/client/index.js' });
    expect(pkg.exports['./client/webhooks']).toEqual({ types: './dist/client/webhooks.d.ts', default: './dist/client/webhooks.js' });
    const client = await import('../../src/client/index.ts');
    expect(Object.keys(client).sort()).toEqual(['LongrunClient', 'LongrunError', 'createClient', 'isFinished']);
    const webhooks = await import('../../src/client/webhooks.ts');
    expect(Object.keys(webhooks).sort()).toEqual(['WebhookVerificationError', 'verifyWebhook']);
  });
});

describe('schema modules', () => {
  const modules = sourceFiles(SRC).filter(isSchemaModule);

  it('are one per family, and import only TypeBox and each other', () => {
    expect(modules.map((f) => path.relative(SRC, f)).sort()).toEqual(
      expect.arrayContaining(['families/agents/schemas.ts', 'engine/schemas.ts', 'http/schemas.ts', 'families/webhooks/schemas.ts']),
    );
    const offenders: string[] = [];
    for (const file of modules) {
      for (const i of importsOf(file)) {
        if (i.specifier === TYPEBOX || isSchemaModule(i.resolved)) continue;
        offenders.push(where(file, i));
      }
    }
    expect(offenders).toEqual([]);
  });
});
