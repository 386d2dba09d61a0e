import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

const Body = Type.Object({ title: Type.String({ maxLength: 20 }), limit: Type.Integer({ minimum: 1, maximum: 50 }) }, { additionalProperties: false });

describe('bad input gets its family envelope and the right status', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: { LONGRUN_BODY_LIMIT: '2048' },
      // One POST route in each family with a schema, like the product routes will have.
      routes: (app) => {
        app.post('/sourcing/echo', { config: { scope: 'any-key' }, schema: { body: Body } }, async (request) => ({
          success: true,
          ...(request.body as object),
        }));
        app.post('/ideas/echo', { config: { scope: 'any-key' }, schema: { body: Body } }, async (request) => ({ success: true, data: request.body }));
        app.get('/ideas/boom', { config: { scope: 'any-key' } }, async () => {
          throw new Error('secret internal detail');
        });
      },
    });
  });
  afterAll(() => server.close());

  const post = (path: string, init: { raw?: string; json?: unknown; headers?: Record<string, string> }) =>
    call(`${server.url}${path}`, { method: 'POST', key: server.key, headers: { 'content-type': 'application/json', ...init.headers }, ...init });

  it('malformed JSON: 400', async () => {
    const sourcing = await post('/sourcing/echo', { raw: '{"title": "x",' });
    expect(sourcing.status).toBe(400);
    expect(sourcing.body.errorCode).toBe('INVALID_JSON');
    expect(sourcing.body.success).toBe(false);
    const content = await post('/ideas/echo', { raw: '{nope' });
    expect(content.status).toBe(400);
    expect(content.body.error).toBe('invalid_json');
  });

  it('wrong types: 400 in the sourcing family, 422 in the content family, naming the field', async () => {
    const sourcing = await post('/sourcing/echo', { json: { title: 'x', limit: 'ten' } });
    expect(sourcing.status).toBe(400);
    expect(sourcing.body).toEqual({ success: false, errorCode: 'VALIDATION_ERROR', errorMessage: 'body.limit must be integer' });
    const content = await post('/ideas/echo', { json: { limit: 99 } });
    expect(content.status).toBe(422);
    expect(content.body.error).toBe('validation_error');
    // The first problem found is the one named (Ajv's allErrors is off: see validation.ts).
    expect(content.body.message).toBe('body.title is required');
    const tooMany = await post('/ideas/echo', { json: { title: 'x', limit: 99 } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.message).toBe('body.limit must be <= 50');
    const extra = await post('/ideas/echo', { json: { title: 'x', limit: 1, colour: 'red' } });
    expect(extra.status).toBe(422);
    expect(extra.body.message).toBe('body.colour is not an accepted field');
  });

  it('oversize body: 413', async () => {
    const big = JSON.stringify({ title: 'x'.repeat(5000), limit: 1 });
    const sourcing = await post('/sourcing/echo', { raw: big });
    expect(sourcing.status).toBe(413);
    expect(sourcing.body.errorCode).toBe('PAYLOAD_TOO_LARGE');
    const content = await post('/ideas/echo', { raw: big });
    expect(content.status).toBe(413);
    expect(content.body.error).toBe('payload_too_large');
  });

  it('unknown route: 404', async () => {
    const sourcing = await call(`${server.url}/sourcing/nothing/here`, { key: server.key });
    expect(sourcing.status).toBe(404);
    expect(sourcing.body.errorCode).toBe('ROUTE_NOT_FOUND');
    const content = await call(`${server.url}/nothing`, { key: server.key });
    expect(content.status).toBe(404);
    expect(content.body).toEqual({ success: false, error: 'not_found', message: 'No route GET /nothing.' });
  });

  it('wrong method: 405 with Allow', async () => {
    const answer = await call(`${server.url}/ideas/echo`, { method: 'GET', key: server.key });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.body.error).toBe('method_not_allowed');
    const sourcing = await call(`${server.url}/sourcing/echo`, { method: 'DELETE', key: server.key });
    expect(sourcing.status).toBe(405);
    expect(sourcing.body.errorCode).toBe('METHOD_NOT_ALLOWED');
  });

  it('unsupported content type: 415', async () => {
    const answer = await post('/ideas/echo', { raw: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.status).toBe(415);
    expect(answer.body.error).toBe('unsupported_media_type');
  });

  it('internal error: 500 with the request ID, never the stack', async () => {
    const answer = await call(`${server.url}/ideas/boom`, { key: server.key, headers: { 'x-request-id': 'trace-123' } });
    expect(answer.status).toBe(500);
    expect(answer.headers.get('x-request-id')).toBe('trace-123');
    expect(answer.body).toEqual({ success: false, error: 'internal_error', message: 'An unexpected error occurred (request id trace-123).' });
    expect(answer.text).not.toContain('secret internal detail');
  });

  it('bad query parameters: 422', async () => {
    const answer = await call(`${server.url}/credits/ledger?limit=abc`, { key: server.key });
    expect(answer.status).toBe(422);
    expect(answer.body.message).toBe('querystring.limit must be integer');
  });
});
