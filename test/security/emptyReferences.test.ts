/**
 * An empty ID where a body names another resource is refused like any unknown ID: `kbId: ""`
 * on an agent passed the "is there a knowledge base" check (an empty string is falsy), was
 * stored, and the foreign key answered 500 (found by the generated-request sweep).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('an empty knowledge-base ID on an agent', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('is a validation error on create and on update, and nothing is stored', async () => {
    const created = await call(`${server.url}/agents`, { key: server.key, json: { name: 'a', platforms: ['twitter'], kbId: '', instructions: 'write' } });
    expect(created.status).toBe(422);
    expect(created.body).toEqual({ success: false, error: 'validation_error', message: 'body.kbId: no knowledge base .' });
    expect((await call(`${server.url}/agents`, { key: server.key })).body.data.total).toBe(0);

    const agent = (await call(`${server.url}/agents`, { key: server.key, json: { name: 'a', platforms: ['twitter'], instructions: 'write' } })).body.data;
    const patched = await call(`${server.url}/agents/${agent.id}`, { method: 'PATCH', key: server.key, json: { kbId: '' } });
    expect(patched.status).toBe(422);
    const read = await call(`${server.url}/agents/${agent.id}`, { key: server.key });
    expect(read.status).toBe(200);
    expect(read.body.data.kbId ?? null).toBeNull();
  });
});
