/**
 * U+0000 in an ID, a query value or a body field is refused with a validation error in the
 * family's envelope, on both backends (PostgreSQL cannot store it: it answered 500 there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('the NUL character', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('in a path parameter or the query: a validation error naming it, nothing looked up', async () => {
    const kb = await call(`${server.url}/kbs/%00`, { key: server.key });
    expect(kb.status).toBe(422);
    expect(kb.body).toEqual({ success: false, error: 'validation_error', message: 'params.kbId must not contain the NUL character (U+0000).' });
    const profile = await call(`${server.url}/profiles/a%00b`, { key: server.key });
    expect(profile.status).toBe(400);
    expect(profile.body).toMatchObject({ success: false, errorCode: 'VALIDATION_ERROR' });
    const jobs = await call(`${server.url}/jobs?kind=%00`, { key: server.key });
    expect(jobs.status).toBe(422);
    expect(jobs.body.message).toBe('querystring.kind must not contain the NUL character (U+0000).');
  });

  it('in a body field, however deep: refused, and nothing is created', async () => {
    const kb = await call(`${server.url}/kbs`, { key: server.key, json: { name: 'notes', description: 'a\u0000b' } });
    expect(kb.status).toBe(422);
    expect(kb.body.message).toBe('body.description must not contain the NUL character (U+0000).');
    const profiles = await call(`${server.url}/profiles`, {
      key: server.key,
      json: [{ basics: { name: 'Ada', email: 'ada@example.com' } }, { basics: { name: 'B\u0000', email: 'b@example.com' } }],
    });
    expect(profiles.status).toBe(400);
    expect(profiles.body).toEqual({
      success: false,
      errorCode: 'VALIDATION_ERROR',
      errorMessage: 'body.1.basics.name must not contain the NUL character (U+0000).',
    });
    expect((await call(`${server.url}/kbs`, { key: server.key })).body.data.total).toBe(0);
    expect((await call(`${server.url}/profiles`, { key: server.key })).body.total).toBe(0);
  });

  it('leaves every other character alone', async () => {
    const kb = await call(`${server.url}/kbs`, { key: server.key, json: { name: 'n\u0001\u202e\u{1F469}\u200d\u{1F467}', description: '\\u0000 as text' } });
    expect(kb.status).toBe(201);
    expect(kb.body.data.name).toBe('n\u0001\u202e\u{1F469}\u200d\u{1F467}');
  });
});
