import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRevokeIfActive } from '../../src/store/apiKeys.ts';
import { nowIso } from '../../src/ids.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('authentication over HTTP', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      // Two routes that need a scope, one per family, to check 403 and its envelopes.
      routes: (app) => {
        app.get('/sourcing/scoped-check', { config: { scope: 'sourcing:read' } }, async () => ({ success: true }));
        app.get('/clips/scoped-check', { config: { scope: 'clips:write' } }, async () => ({ success: true, data: {} }));
      },
    });
  });
  afterAll(() => server.close());

  it('accepts Authorization: Bearer', async () => {
    const answer = await call(`${server.url}/me`, { headers: { authorization: `Bearer ${server.key}` } });
    expect(answer.status).toBe(200);
    expect(answer.body.data.organisation.id).toBe(server.org.id);
  });

  it('accepts x-api-key', async () => {
    const answer = await call(`${server.url}/me`, { headers: { 'x-api-key': server.key } });
    expect(answer.status).toBe(200);
    expect(answer.body.data.organisation.id).toBe(server.org.id);
  });

  it('refuses a missing key with 401 in each family envelope', async () => {
    const content = await call(`${server.url}/me`);
    expect(content.status).toBe(401);
    expect(content.body).toEqual({ success: false, error: 'unauthorized', message: 'Missing or invalid API key.' });

    const sourcing = await call(`${server.url}/sourcing/scoped-check`);
    expect(sourcing.status).toBe(401);
    expect(sourcing.body).toEqual({ success: false, errorCode: 'UNAUTHORIZED', errorMessage: 'Missing or invalid API key.' });
  });

  it('refuses an unknown key, a malformed key and a right ID with a wrong secret', async () => {
    const wrongSecret = server.key.slice(0, -4) + (server.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const key of ['lr_nonsense', `lr_01ARZ3NDEKTSV4RRFFQ69G5FAV_${'x'.repeat(43)}`, wrongSecret]) {
      const answer = await call(`${server.url}/me`, { key });
      expect(answer.status, key).toBe(401);
      expect(answer.body.error).toBe('unauthorized');
    }
    expect((await call(`${server.url}/me`, { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });

  it('refuses a revoked key at once', async () => {
    const { key } = await server.newOrg('revoked-org');
    expect((await call(`${server.url}/me`, { key })).status).toBe(200);
    const keyId = `key_${key.split('_')[1]}`;
    expect(await apiKeyRevokeIfActive(server.store.db, keyId, nowIso())).toBe(true);
    const answer = await call(`${server.url}/me`, { key });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ success: false, error: 'unauthorized', message: 'This API key has been revoked.' });
  });

  it('answers 403 to a key without the route scope, and lets the right scope in', async () => {
    const reader = await server.newOrg('scoped-org', { scopes: ['enrich:read'] });
    const sourcing = await call(`${server.url}/sourcing/scoped-check`, { key: reader.key });
    expect(sourcing.status).toBe(403);
    expect(sourcing.body.errorCode).toBe('FORBIDDEN');
    expect(sourcing.body.errorMessage).toContain('sourcing:read');

    const clips = await call(`${server.url}/clips/scoped-check`, { key: reader.key });
    expect(clips.status).toBe(403);
    expect(clips.body.error).toBe('forbidden');

    // A write scope includes its read scope; an empty scope list means every product scope.
    const writer = await server.newOrg('writer-org', { scopes: ['sourcing:write'] });
    expect((await call(`${server.url}/sourcing/scoped-check`, { key: writer.key })).status).toBe(200);
    expect((await call(`${server.url}/clips/scoped-check`, { key: writer.key })).status).toBe(403);
    expect((await call(`${server.url}/clips/scoped-check`, { key: server.key })).status).toBe(200);
  });

  it('keeps /metrics closed to tenant keys and open to metrics:read', async () => {
    expect((await call(`${server.url}/metrics`, { key: server.key })).status).toBe(403);
    const operator = await server.newOrg('operator', { scopes: ['metrics:read'] });
    const metrics = await call(`${server.url}/metrics`, { key: operator.key });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('longrun_http_requests_total');
  });

  it('shows each organisation only itself', async () => {
    const other = await server.newOrg('other-org', { credits: 7 });
    const mine = await call(`${server.url}/credits`, { key: server.key });
    const theirs = await call(`${server.url}/credits`, { key: other.key });
    expect(mine.body.data.available).toBe(100);
    expect(theirs.body.data.available).toBe(7);
    const theirLedger = await call(`${server.url}/credits/ledger`, { key: other.key });
    expect(theirLedger.body.data.total).toBe(1);
  });

  it('leaves the public routes open', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
      const answer = await fetch(`${server.url}${path}`);
      expect(answer.status, path).toBe(200);
    }
  });
});
