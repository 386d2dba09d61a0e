/**
 * The scope matrix (issue 25, point 1): every operation in `/openapi.json`, with a key of each
 * scope, answers 403 exactly when the key lacks the scope the table below says the route needs.
 * Job routes are walked once per job kind, on a real job of that kind, and `GET /jobs` must
 * list exactly the kinds a key may read. The table is the test's own, written out by hand from
 * the documented rules, so a route that changes its scope — or a new route or job kind the
 * table does not list — fails here.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { KEY_SCOPES as KEY_MANAGEMENT_SCOPES, OPERATOR_SCOPES, PRODUCT_SCOPES, type Scope } from '../../src/scopes.ts';
import { creditsGrant } from '../../src/store/ledger.ts';
import type { JobKind } from '../../src/engine/kind.ts';
import { authPlugin } from '../../src/http/plugins/auth.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

/** What a route needs: a scope by name, or `public` (no key), `any-key`, `any-product-scope`, `job` (its kind's scope). */
type Needs = Scope | 'public' | 'any-key' | 'any-product-scope' | 'job:read' | 'job:write';

const ROUTES: Record<string, Needs> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /me': 'any-key',
  'GET /credits': 'any-product-scope',
  'GET /credits/ledger': 'any-product-scope',
  'GET /credits/ledger/jobs': 'any-product-scope',
  'GET /credits/history': 'any-product-scope',
  'GET /workers': 'workers:read',
  'GET /keys': 'keys:write',
  'POST /keys': 'keys:write',
  'DELETE /keys/{keyId}': 'keys:write',

  'GET /jobs': 'job:read',
  'GET /jobs/failures': 'job:read',
  'GET /jobs/{id}': 'job:read',
  'GET /jobs/{id}/items': 'job:read',
  'POST /jobs/{id}/cancel': 'job:write',
  'POST /jobs/cancel': 'job:write',
  'POST /jobs/rerun': 'job:write',
  'POST /jobs/{id}/rerun': 'job:write',
  'GET /jobs/{id}/events': 'job:read',
  'GET /stats/jobs': 'any-product-scope',

  'POST /profiles': 'sourcing:write',
  'GET /profiles': 'sourcing:read',
  'GET /profiles/{id}': 'sourcing:read',
  'DELETE /profiles/{id}': 'sourcing:write',
  'POST /sourcing': 'sourcing:write',
  'GET /sourcing/{id}/results': 'sourcing:read',
  'POST /sourcing/enrich': 'enrich:write',
  'GET /sourcing/enrich/{id}/results': 'enrich:read',

  'POST /clips': 'clips:write',
  'GET /clips': 'clips:read',
  'POST /clips/import': 'clips:write',
  'GET /clips/{clipId}': 'clips:read',
  'DELETE /clips/{clipId}': 'clips:write',
  'POST /clips/{clipId}/candidates': 'clips:write',
  'POST /clips/uploads': 'clips:write',
  'GET /clips/uploads/{uploadId}': 'clips:read',
  'PUT /clips/uploads/{uploadId}/parts/{n}': 'clips:write',
  'POST /clips/uploads/{uploadId}/complete': 'clips:write',
  'DELETE /clips/uploads/{uploadId}': 'clips:write',
  'GET /clips/{clipId}/source-url': 'clips:read',
  'GET /clips/{clipId}/source': 'clips:read',
  'POST /clips/{clipId}/captions': 'clips:write',
  'POST /clips/{clipId}/render': 'clips:write',
  'GET /clips/{clipId}/jobs': 'clips:read',
  'GET /renders/{file}': 'clips:read',

  'POST /kbs': 'kb:write',
  'GET /kbs': 'kb:read',
  'GET /kbs/{kbId}': 'kb:read',
  'DELETE /kbs/{kbId}': 'kb:write',
  'POST /kbs/{kbId}/docs': 'kb:write',
  'GET /kbs/{kbId}/docs': 'kb:read',
  'GET /kbs/{kbId}/docs/{docId}': 'kb:read',
  'DELETE /kbs/{kbId}/docs/{docId}': 'kb:write',
  'POST /kbs/{kbId}/search': 'kb:read',
  'POST /ideas/enrich': 'kb:write',
  'GET /ideas/enrich/{jobId}': 'kb:read',
  'GET /ideas/enrich/{jobId}/drafts': 'kb:read',

  'POST /agents': 'agents:write',
  'GET /agents': 'agents:read',
  'GET /agents/{agentId}': 'agents:read',
  'PATCH /agents/{agentId}': 'agents:write',
  'DELETE /agents/{agentId}': 'agents:write',
  'POST /agents/{agentId}/run': 'agents:write',
  'GET /agents/{agentId}/runs': 'agents:read',
  'GET /agents/{agentId}/runs/{runId}': 'agents:read',
  'GET /agents/{agentId}/outputs': 'agents:read',
  'GET /agents/{agentId}/stats': 'agents:read',
  'GET /agents/schedule-preview': 'agents:read',

  'POST /webhooks': 'webhooks:write',
  'GET /webhooks': 'webhooks:read',
  'GET /webhooks/{id}': 'webhooks:read',
  'PATCH /webhooks/{id}': 'webhooks:write',
  'DELETE /webhooks/{id}': 'webhooks:write',
  'GET /webhooks/{id}/deliveries': 'webhooks:read',
  'POST /webhooks/{id}/deliveries/{deliveryId}/retry': 'webhooks:write',
  'POST /webhooks/{id}/test': 'webhooks:write',

  'POST /demo/sleep': 'any-product-scope',
};

/** Routes left out of `/openapi.json`, checked all the same. */
const HIDDEN_ROUTES: Record<string, Needs> = {
  'GET /metrics': 'metrics:read',
  'GET /openapi.json': 'public',
};

/** Every job kind: the family whose scopes open its jobs, whether lists leave it out, and an input to submit it with. */
const KINDS: Record<string, { family: string | 'any-product-scope'; internal: boolean; input: unknown }> = {
  sourcing: { family: 'sourcing', internal: false, input: { title: 't', jobDescription: 'd', location: 'l', limit: 1 } },
  enrichment: { family: 'enrich', internal: false, input: { profileIds: ['prof_x'] } },
  'clip.analysis': { family: 'clips', internal: true, input: { clipId: 'clip_x' } },
  'clip.render': {
    family: 'clips',
    internal: false,
    input: { clipId: 'clip_x', candidateId: 'cand_x', template: 'default', captions: false, segmentMs: 1000 },
  },
  'kb.ingest': { family: 'kb', internal: true, input: { kbId: 'kb_x', docId: 'doc_x' } },
  'idea.enrich': { family: 'kb', internal: false, input: { platforms: [{ platform: 'linkedin' }] } },
  'agent.run': { family: 'agents', internal: false, input: { agentId: 'agent_x', posts: [{ platform: 'linkedin' }] } },
  webhook: { family: 'webhooks', internal: true, input: { endpointId: 'wh_x' } },
  sleep: { family: 'any-product-scope', internal: false, input: { items: 1, ms: 0 } },
};

const KEY_SCOPES: { label: string; scopes: Scope[] }[] = [
  ...[...PRODUCT_SCOPES, ...OPERATOR_SCOPES, ...KEY_MANAGEMENT_SCOPES].map((scope) => ({ label: scope, scopes: [scope] })),
  { label: 'no scopes (every product scope)', scopes: [] },
];

/** The documented rules, written out again here so the server's own function is not trusted. */
function allows(granted: readonly Scope[], needs: Needs): boolean {
  if (needs === 'public' || needs === 'any-key') return true;
  const product: readonly string[] = granted.length === 0 ? PRODUCT_SCOPES : granted.filter((s) => (PRODUCT_SCOPES as readonly string[]).includes(s));
  if (needs === 'any-product-scope' || needs === 'job:read' || needs === 'job:write') return product.length > 0;
  if (granted.length === 0) return (PRODUCT_SCOPES as readonly string[]).includes(needs);
  return granted.includes(needs) || (needs.endsWith(':read') && granted.includes(needs.replace(/:read$/, ':write') as Scope));
}

function kindNeeds(kind: string, access: 'read' | 'write'): Needs {
  const { family } = KINDS[kind]!;
  return family === 'any-product-scope' ? family : (`${family}:${access}` as Scope);
}

const SOURCING_ROOTS = ['/profiles', '/sourcing'];

interface Outcome {
  status: number;
  body: unknown;
}

describe('scope matrix: every route, a key of each scope', () => {
  let server: TestServer;
  const keys: { label: string; scopes: Scope[]; key: string }[] = [];
  const jobs: Record<string, string> = {};

  beforeAll(async () => {
    // No workers: the jobs stay as submitted, so every route meets the same jobs.
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_WORKERS: '0', LONGRUN_RATE_LIMIT_MAX: '100000' } });
    await creditsGrant(server.store.db, server.org.id, 10_000);
    for (const { label, scopes } of KEY_SCOPES) {
      const { key } = await apiKeyCreate(server.store.db, { orgId: server.org.id, name: label, scopes });
      keys.push({ label, scopes, key });
    }
    for (const [name, { input }] of Object.entries(KINDS)) {
      const kind = server.engine.kind(name) as JobKind<unknown> | undefined;
      if (!kind) continue; // reported by the test that compares kinds
      jobs[name] = (await server.engine.submit({ orgId: server.org.id, kind, input })).id;
    }
  });
  // Closing drops a database with every table; on a loaded 2-core machine that took over 30 s once.
  afterAll(() => server?.close(), 90_000);

  /** One request; an event stream is not read to its end, only its status. A body is malformed JSON, so no write can succeed. */
  async function send(method: string, path: string, key: string | undefined, opts: { body?: boolean; json?: string } = {}): Promise<Outcome> {
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    let body: string | undefined;
    if (opts.body || opts.json) {
      headers['content-type'] = 'application/json';
      body = opts.json ?? '{';
    }
    const controller = new AbortController();
    const response = await fetch(`${server.url}${path}`, { method, headers, body, signal: controller.signal });
    if (response.status !== 403 && response.status !== 401) {
      controller.abort();
      return { status: response.status, body: undefined };
    }
    return { status: response.status, body: await response.json() };
  }

  /** `jobRoute`: a key with no product scope at all is refused at the door, before the job's kind is known. */
  function expectOutcome(route: string, key: { label: string; scopes: Scope[] }, needs: Needs, outcome: Outcome, path: string, jobRoute = false): void {
    const where = `${route} (${path}) with ${key.label}, needs ${needs}`;
    if (allows(key.scopes, needs)) {
      expect(outcome.status, where).not.toBe(403);
      expect(outcome.status, where).not.toBe(401);
      return;
    }
    expect(outcome.status, where).toBe(403);
    const sourcing = SOURCING_ROOTS.some((root) => path === root || path.startsWith(`${root}/`));
    const body = outcome.body as Record<string, string>;
    const message = sourcing ? body.errorMessage : body.message;
    expect(sourcing ? body.errorCode : body.error, where).toBe(sourcing ? 'FORBIDDEN' : 'forbidden');
    // The 403 says what to ask for: the scope by name, or that a product scope is needed.
    const named = needs.includes(':') && !needs.startsWith('job:') && !(jobRoute && !allows(key.scopes, 'any-product-scope'));
    expect(message, where).toContain(named ? needs : 'product scope');
  }

  it('lists every operation of /openapi.json in its table, and every job kind', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(
      operations.filter((op) => !(op in ROUTES)),
      'operations the scope table does not list',
    ).toEqual([]);
    expect(
      Object.keys(ROUTES).filter((op) => !operations.includes(op)),
      'table rows with no operation',
    ).toEqual([]);
    const registered = server.engine.registeredKinds().map((kind) => kind.name);
    expect(registered.sort()).toEqual(Object.keys(KINDS).sort());
    for (const kind of server.engine.registeredKinds()) expect(kind.internal ?? false, kind.name).toBe(KINDS[kind.name]!.internal);
  });

  it('answers 403 exactly when the key lacks the route scope, on every route but the job routes', async () => {
    const routes = { ...ROUTES, ...HIDDEN_ROUTES };
    await Promise.all(
      keys.map(async ({ label, scopes, key }) => {
        for (const [route, needs] of Object.entries(routes)) {
          if (needs === 'job:read' || needs === 'job:write') continue;
          const [method, template] = route.split(' ') as [string, string];
          // IDs that name nothing: the scope is decided before the route looks anything up.
          const path = template.replace('{file}', 'job_01ARZ3NDEKTSV4RRFFQ69G5FAV.mp4').replace(/\{[^}]+\}/g, 'nope');
          const outcome = await send(method, path, key, { body: method !== 'GET' && method !== 'DELETE' });
          expectOutcome(route, { label, scopes }, needs, outcome, path);
        }
      }),
    );
  });

  it("opens a job's status, items, events and cancel with the read or write scope of its kind", async () => {
    const jobRoutes = Object.entries(ROUTES).filter(([route, needs]) => (needs === 'job:read' || needs === 'job:write') && route.includes('{id}'));
    expect(jobRoutes).toHaveLength(5);
    await Promise.all(
      keys.map(async ({ label, scopes, key }) => {
        for (const [kind, jobId] of Object.entries(jobs)) {
          for (const [route, needs] of jobRoutes) {
            const [method, template] = route.split(' ') as [string, string];
            const path = template.replace('{id}', jobId);
            const kindNeeded = kindNeeds(kind, needs === 'job:write' ? 'write' : 'read');
            // A rerun of an item no job has: past the scope check it is refused, so the walk starts no job.
            const json = route.endsWith('/rerun') ? '{"keys":["no-such-item"]}' : undefined;
            expectOutcome(`${route} [${kind}]`, { label, scopes }, kindNeeded, await send(method, path, key, { json }), path, true);
          }
        }
        // No such job: a key with no product scope is refused before the lookup, any other gets 404.
        for (const [route] of jobRoutes) {
          const [method, template] = route.split(' ') as [string, string];
          const path = template.replace('{id}', 'job_01ARZ3NDEKTSV4RRFFQ69G5FAV');
          const outcome = await send(method, path, key);
          if (allows(scopes, 'any-product-scope')) expect(outcome.status, `${route} with ${label}`).toBe(404);
          else expectOutcome(route, { label, scopes }, 'job:read', outcome, path, true);
        }
      }),
    );
  });

  it('lists only the kinds a key may read, with a total that agrees; ?kind= of another is 403', async () => {
    for (const { label, scopes, key } of keys) {
      const list = await fetch(`${server.url}/jobs?limit=100`, { headers: { authorization: `Bearer ${key}` } });
      if (!allows(scopes, 'any-product-scope')) {
        expect(list.status, label).toBe(403);
      } else {
        expect(list.status, label).toBe(200);
        const { data } = (await list.json()) as { data: { jobs: { kind: string }[]; total: number } };
        const expected = Object.keys(jobs).filter((kind) => !KINDS[kind]!.internal && allows(scopes, kindNeeds(kind, 'read')));
        expect(data.jobs.map((job) => job.kind).sort(), label).toEqual(expected.sort());
        expect(data.total, label).toBe(expected.length);
      }
      for (const kind of Object.keys(jobs)) {
        const path = `/jobs?kind=${kind}`;
        const outcome = await send('GET', path, key);
        const needs = kindNeeds(kind, 'read');
        expectOutcome(`GET /jobs?kind=${kind}`, { label, scopes }, needs, outcome, path, true);
        if (allows(scopes, needs)) {
          const { data } = (await (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
            data: { jobs: { id: string }[]; total: number };
          };
          expect(
            data.jobs.map((job) => job.id),
            `${path} with ${label}`,
          ).toEqual([jobs[kind]]);
          expect(data.total).toBe(1);
        }
      }
    }
  });

  it('opens a file route with a signature and no key, and refuses both without key or signature', async () => {
    const unsigned = await send('GET', '/clips/nope/source', undefined);
    expect(unsigned.status).toBe(401);
    // A signature is checked by the route itself (here: a wrong one, so 403 for that reason, not for a scope).
    const signed = await send('GET', '/renders/job_01ARZ3NDEKTSV4RRFFQ69G5FAV.mp4?expires=1&signature=x', undefined);
    expect(signed.status).toBe(403);
    expect((signed.body as { message: string }).message).toContain('signed URL');
  });

  it('refuses to start with a route that declares no scope, or an unknown one', async () => {
    for (const config of [{}, { scope: 'kb:delete' }]) {
      const app = Fastify();
      const build = async () => {
        await app.register(authPlugin, { db: server.store.db });
        await app.register(async (scoped) => {
          scoped.get('/forgotten', { config: config as object }, async () => ({ success: true }));
        });
        await app.ready();
      };
      await expect(build()).rejects.toThrow(/GET \/forgotten declares no valid config.scope/);
      await app.close().catch(() => undefined);
    }
  });
});
