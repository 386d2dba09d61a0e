import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('Idempotency-Key', () => {
  let server: TestServer;
  let created = 0;

  beforeAll(async () => {
    server = await startTestServer({
      // A route that creates something and counts how often its handler really ran.
      routes: (app) => {
        app.post(
          '/widgets',
          { config: { scope: 'any-key', idempotent: true }, schema: { body: Type.Object({ name: Type.String(), fail: Type.Optional(Type.Boolean()) }) } },
          async (request, reply) => {
            const body = request.body as { name: string; fail?: boolean };
            if (body.fail) return reply.code(409).send({ success: false, error: 'conflict', message: 'refused' });
            created += 1;
            return reply.code(201).send({ success: true, data: { id: `w${created}`, name: body.name, at: Date.now() } });
          },
        );
      },
    });
  });
  afterAll(() => server.close());

  it('replays the first response for the same key and body, without running again', async () => {
    const before = created;
    const first = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'k-1' }, json: { name: 'a' } });
    const second = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'k-1' }, json: { name: 'a' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(created).toBe(before + 1);
  });

  it("answers 422 to the same key with a different body (the IETF draft's status for a reused key)", async () => {
    await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'k-2' }, json: { name: 'a' } });
    const other = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'k-2' }, json: { name: 'b' } });
    expect(other.status).toBe(422);
    expect(other.body).toEqual({
      success: false,
      error: 'idempotency_key_reused',
      message: 'This Idempotency-Key was already used with a different request.',
    });
  });

  it('keeps keys per organisation', async () => {
    const other = await server.newOrg('idem-other');
    const mine = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'shared' }, json: { name: 'x' } });
    const theirs = await call(`${server.url}/widgets`, { key: other.key, headers: { 'idempotency-key': 'shared' }, json: { name: 'x' } });
    expect(theirs.status).toBe(201);
    expect(theirs.body.data.id).not.toBe(mine.body.data.id);
  });

  it('runs once when the same request races itself', async () => {
    const before = created;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'race' }, json: { name: 'r' } })),
    );
    expect(created).toBe(before + 1);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    // The one still running is in flight: 409, its own code, not the reused key's.
    for (const a of answers.filter((answer) => answer.status === 409)) expect(a.body.error).toBe('idempotency_key_in_use');
  });

  it('does not keep an error response: the key can be used again', async () => {
    const failed = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'k-3' }, json: { name: 'a', fail: true } });
    expect(failed.status).toBe(409);
    const retried = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'k-3' }, json: { name: 'a' } });
    expect(retried.status).toBe(201);
  });

  it('refuses a malformed key', async () => {
    const answer = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'x'.repeat(300) }, json: { name: 'a' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('bad_request');
  });

  it('expires records after their time to live', async () => {
    await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'old' }, json: { name: 'a' } });
    await server.store.db.updateTable('idempotency_keys').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('key', '=', 'old').execute();
    const reused = await call(`${server.url}/widgets`, { key: server.key, headers: { 'idempotency-key': 'old' }, json: { name: 'different' } });
    expect(reused.status).toBe(201);
  });
});
