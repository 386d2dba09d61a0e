/**
 * What /openapi.json promises of every operation: the 401 (and 403 where a scope applies) of a
 * route behind a key, with its family's error envelope, and no parameter that has a default
 * marked `required`. Checked over the whole document, so a new route cannot miss it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

interface Operation {
  id: string;
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  op: Record<string, any>;
}

const PUBLIC = new Set(['/healthz', '/readyz']);

describe('/openapi.json', () => {
  let server: TestServer;
  let operations: Operation[];

  beforeAll(async () => {
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: 'true' } });
    const doc = (await call(`${server.url}/openapi.json`)).body as { paths: Record<string, Record<string, Record<string, unknown>>> };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path}`, path, op })),
    );
  });
  afterAll(() => server.close());

  it('documents the 401 of every route behind a key with its family’s error envelope, and the 403 of every scoped one', () => {
    const behindKey = operations.filter((o) => !PUBLIC.has(o.path));
    expect(behindKey.length).toBeGreaterThan(60);
    const wrong: string[] = [];
    for (const { id, path, op } of behindKey) {
      const envelope = /^\/(profiles|sourcing)(\/|$)/.test(path) ? 'SourcingError' : 'ContentError';
      const ref = (status: string) => op.responses?.[status]?.content?.['application/json']?.schema?.$ref;
      if (ref('401') !== `#/components/schemas/${envelope}`) wrong.push(`${id} 401: ${String(ref('401'))}`);
      // /me answers any valid key: no scope, so no 403 from one.
      const scoped = id !== 'GET /me';
      if (scoped && ref('403') !== `#/components/schemas/${envelope}`) wrong.push(`${id} 403: ${String(ref('403'))}`);
    }
    expect(wrong).toEqual([]);
  });

  it('never marks a parameter with a default as required', () => {
    const withDefault = operations.flatMap(({ id, op }) =>
      ((op.parameters ?? []) as { name: string; required?: boolean; schema?: { default?: unknown } }[])
        .filter((p) => p.schema?.default !== undefined)
        .map((p) => ({ id: `${id} ${p.name}`, required: p.required === true })),
    );
    // limit and offset of every list, at least.
    expect(withDefault.filter((p) => / (limit|offset)$/.test(p.id)).length).toBeGreaterThanOrEqual(24);
    expect(withDefault.filter((p) => p.required)).toEqual([]);
  });

  it('still gives a handler the default of a parameter left out (limit 50, offset 0)', async () => {
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 60, ms: 0 } });
    expect(submitted.status).toBe(202);
    const items = `${server.url}/jobs/${submitted.body.data.jobId}/items`;
    const page = await call(items, { key: server.key });
    expect(page.status).toBe(200);
    expect(page.body.data.items).toHaveLength(50);
    expect(page.body.data.total).toBe(60);
    const rest = await call(`${items}?offset=50`, { key: server.key });
    expect(rest.body.data.items).toHaveLength(10);
    const keys = (answer: typeof page) => (answer.body.data.items as { key: string }[]).map((i) => i.key);
    expect(new Set([...keys(page), ...keys(rest)]).size).toBe(60);
  });
});
