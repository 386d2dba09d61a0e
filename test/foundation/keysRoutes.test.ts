/**
 * `/keys` (issue 33): a `keys:write` key lists, makes and revokes its organisation's keys; it
 * makes and revokes only keys whose scopes it holds, never revokes itself, and the new key is
 * in the creating answer only (hashed as every key is). `keys:write` is implied by nothing.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { PRODUCT_SCOPES, type Scope } from '../../src/scopes.ts';
import { apiKeyFindById } from '../../src/store/apiKeys.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let admin: string;
let adminId: string;

async function keyWith(scopes: Scope[], rateLimit: number | null = null): Promise<{ key: string; id: string }> {
  const { key, row } = await apiKeyCreate(server.store.db, { orgId: server.org.id, name: scopes.join(',') || 'all', scopes, rateLimit });
  return { key, id: row.id };
}

beforeAll(async () => {
  server = await startTestServer();
  ({ key: admin, id: adminId } = await keyWith(['keys:write', 'clips:write', 'kb:read'], 1000));
});
afterAll(() => server?.close());

describe('/keys', () => {
  it('makes a key with scopes the caller holds, shows it once and stores only its hash', async () => {
    const made = await call(`${server.url}/keys`, { key: admin, json: { name: 'ci', scopes: ['clips:read', 'kb:read'] } });
    expect(made.status, made.text).toBe(201);
    const data = made.body.data;
    expect(data).toMatchObject({ name: 'ci', scopes: ['clips:read', 'kb:read'], rateLimit: 1000, lastUsedAt: null, revokedAt: null });
    expect(data.key).toMatch(new RegExp(`^lr_${data.id.slice(4)}_[A-Za-z0-9_-]{43}$`));
    const row = (await apiKeyFindById(server.store.db, data.id))!;
    expect(row.secret_hash).toBe(crypto.hash('sha256', data.key.split('_').slice(2).join('_'), 'hex'));

    // It works, with its scopes and no more.
    expect((await call(`${server.url}/clips`, { key: data.key })).status).toBe(200);
    expect((await call(`${server.url}/clips`, { key: data.key, json: {} })).status).toBe(403);

    const listed = await call(`${server.url}/keys`, { key: admin });
    expect(listed.status).toBe(200);
    const shown = listed.body.data.keys.find((k: { id: string }) => k.id === data.id);
    expect(shown).toEqual({ ...data, key: undefined, lastUsedAt: shown.lastUsedAt });
    expect(listed.text).not.toContain(data.key.split('_')[2]);
    expect(listed.text).not.toContain(row.secret_hash);
  });

  it('refuses scopes the caller does not hold, naming them; an empty list needs every product scope', async () => {
    for (const scopes of [['clips:write', 'webhooks:read'], ['metrics:read'], []]) {
      const answer = await call(`${server.url}/keys`, { key: admin, json: { name: 'more', scopes } });
      expect(answer.status, JSON.stringify(scopes)).toBe(403);
      expect(answer.body.error).toBe('forbidden');
      expect(answer.body.message).toContain(scopes.length === 0 ? 'sourcing:read' : scopes.at(-1));
    }
    const full = await keyWith(['keys:write', ...PRODUCT_SCOPES]);
    const all = await call(`${server.url}/keys`, { key: full.key, json: { name: 'all', scopes: [] } });
    expect(all.status, all.text).toBe(201);
    expect(all.body.data.scopes).toEqual([]);
    // keys:write itself may be passed on: the caller holds it.
    expect((await call(`${server.url}/keys`, { key: admin, json: { name: 'deputy', scopes: ['keys:write'] } })).status).toBe(201);
  });

  it('is closed to every key without keys:write by name, an all-product-scopes key included', async () => {
    const answer = await call(`${server.url}/keys`, { key: server.key });
    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain('keys:write');
  });

  it('validates the body: unknown scopes, repeated scopes, a missing name', async () => {
    for (const json of [{ name: 'x', scopes: ['clips:delete'] }, { name: 'x', scopes: ['kb:read', 'kb:read'] }, { scopes: [] }, { name: '', scopes: [] }]) {
      const answer = await call(`${server.url}/keys`, { key: admin, json });
      expect(answer.status, JSON.stringify(json)).toBe(422);
      expect(answer.body.error).toBe('validation_error');
    }
  });

  it('revokes a key at once; again is 409; itself is 409 and it keeps working', async () => {
    const target = await keyWith(['kb:read']);
    const revoked = await call(`${server.url}/keys/${target.id}`, { key: admin, method: 'DELETE' });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.data.revokedAt).toEqual(expect.any(String));
    expect((await call(`${server.url}/me`, { key: target.key })).status).toBe(401);
    const again = await call(`${server.url}/keys/${target.id}`, { key: admin, method: 'DELETE' });
    expect(again.status).toBe(409);

    const itself = await call(`${server.url}/keys/${adminId}`, { key: admin, method: 'DELETE' });
    expect(itself.status).toBe(409);
    expect(itself.body.message).toContain('cannot revoke itself');
    expect((await call(`${server.url}/me`, { key: admin })).status).toBe(200);
  });

  it('revokes only keys whose scopes the caller holds', async () => {
    const broader = await keyWith(['keys:write', 'webhooks:write']);
    const answer = await call(`${server.url}/keys/${broader.id}`, { key: admin, method: 'DELETE' });
    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain('webhooks:write');
    expect((await call(`${server.url}/me`, { key: broader.key })).status).toBe(200);
  });

  it("answers another organisation's key as one that does not exist", async () => {
    const other = await server.newOrg('other', { scopes: ['keys:write'] });
    const theirs = await apiKeyCreate(server.store.db, { orgId: other.org.id, scopes: [] });
    const answer = await call(`${server.url}/keys/${theirs.row.id}`, { key: admin, method: 'DELETE' });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ success: false, error: 'not_found', message: `No API key ${theirs.row.id}.` });
    const listed = await call(`${server.url}/keys?limit=100`, { key: other.key });
    expect(listed.body.data.keys.map((k: { id: string }) => k.id).sort()).toEqual(
      [theirs.row.id, (await call(`${server.url}/me`, { key: other.key })).body.data.key.id].sort(),
    );
    expect(listed.body.data.total).toBe(2);
  });
});
