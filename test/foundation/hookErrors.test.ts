/**
 * Errors thrown in a route's `onSend` hooks, after the handler, are answered in the family's
 * envelope like any other 5xx, naming only the request ID: Fastify hands such an error to the
 * next error handler up its chain, which for an answer that was already an error is Fastify's
 * own, whose body carried the raw error (a database's message and SQLSTATE).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

/** What a database driver throws when its connection is cut. */
function databaseError(): Error {
  return Object.assign(new Error('terminating connection due to administrator command at 10.1.2.3:5432'), { code: '57P01', severity: 'FATAL' });
}

describe('errors in hooks after the handler', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      routes: (app) => {
        const failingHook = async () => {
          throw databaseError();
        };
        for (const root of ['/hook-tests', '/profiles/hook-tests']) {
          app.post(`${root}/fails-twice`, { config: { scope: 'any-key' }, onSend: failingHook }, async () => {
            throw databaseError();
          });
          app.post(`${root}/fails-after`, { config: { scope: 'any-key' }, onSend: failingHook }, async (_request, reply) =>
            reply.code(201).send({ success: true }),
          );
          // A hook in callback style fails the same way.
          app.post(
            `${root}/fails-by-callback`,
            { config: { scope: 'any-key' }, onSend: (_request, _reply, _payload, done) => done(databaseError()) },
            async () => {
              throw databaseError();
            },
          );
        }
      },
    });
  });
  afterAll(() => server.close());

  for (const route of ['fails-twice', 'fails-after', 'fails-by-callback']) {
    it(`${route}: 500 in the content envelope, naming only the request ID`, async () => {
      const answer = await call(`${server.url}/hook-tests/${route}`, { key: server.key, json: {} });
      const requestId = answer.headers.get('x-request-id');
      expect(answer.status).toBe(500);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual({ success: false, error: 'internal_error', message: `An unexpected error occurred (request id ${requestId}).` });
    });

    it(`${route}: 500 in the sourcing envelope on a sourcing path`, async () => {
      const answer = await call(`${server.url}/profiles/hook-tests/${route}`, { key: server.key, json: {} });
      const requestId = answer.headers.get('x-request-id');
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ success: false, errorCode: 'INTERNAL_ERROR', errorMessage: `An unexpected error occurred (request id ${requestId}).` });
      expect(answer.text).not.toMatch(/57P01|10\.1\.2\.3|terminating/);
    });
  }
});
