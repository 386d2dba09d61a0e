/**
 * Webhook endpoints: the routes, their validation, and the SSRF guard — here without
 * LONGRUN_WEBHOOK_ALLOW_PRIVATE, so the refusals are the real ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../src/net/addressGuard.ts';
import { postWebhook } from '../../src/families/webhooks/send.ts';
import { untilDone } from '../helpers/sourcing.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let strict: TestServer; // https only, public addresses only: the defaults
let httpOk: TestServer; // http allowed, private addresses still refused
let receiver: Receiver;
beforeAll(async () => {
  strict = await startTestServer();
  httpOk = await startTestServer({ env: { LONGRUN_WEBHOOK_ALLOW_HTTP: '1', LONGRUN_WEBHOOK_RETRY_SCHEDULE: '50ms' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await strict?.close();
  await httpOk?.close();
});

const create = (server: TestServer, key: string, body: Record<string, unknown>) => call(`${server.url}/webhooks`, { key, json: body });

describe('webhook endpoints', () => {
  it('creates, lists, gets, changes and deletes an endpoint, and keeps organisations apart', async () => {
    const { key } = await strict.newOrg('crud');
    const created = await create(strict, key, {
      url: 'https://hooks.example.com/in',
      events: ['ENRICH_COMPLETED', 'ENRICH_FAILED'],
      name: 'ATS',
      headers: [{ name: 'Authorization', value: 'Bearer s3cret' }],
    });
    expect(created.status).toBe(201);
    const endpoint = created.body.data;
    expect(endpoint).toMatchObject({
      id: expect.stringMatching(/^wh_[0-9A-Z]{26}$/),
      name: 'ATS',
      url: 'https://hooks.example.com/in',
      events: ['ENRICH_COMPLETED', 'ENRICH_FAILED'],
      headers: [{ name: 'Authorization' }],
      enabled: true,
      signingSecret: expect.stringMatching(/^whsec_/),
    });
    expect(Buffer.from(endpoint.signingSecret.slice(6), 'base64')).toHaveLength(32);
    expect(JSON.stringify((await call(`${strict.url}/webhooks/${endpoint.id}`, { key })).body)).not.toMatch(/whsec_|s3cret/);

    const patched = await call(`${strict.url}/webhooks/${endpoint.id}`, { key, method: 'PATCH', json: { events: ['*'], enabled: false } });
    expect(patched.body.data).toMatchObject({ events: ['*'], enabled: false, disabledReason: 'Disabled by the user.' });
    expect(patched.body.data.signingSecret).toBeUndefined();
    expect((await call(`${strict.url}/webhooks`, { key })).body.data.total).toBe(1);

    const other = await strict.newOrg('crud-other');
    expect((await call(`${strict.url}/webhooks/${endpoint.id}`, { key: other.key })).status).toBe(404);
    expect((await call(`${strict.url}/webhooks/${endpoint.id}`, { key: other.key, method: 'DELETE' })).status).toBe(404);
    expect((await call(`${strict.url}/webhooks`, { key: other.key })).body.data.total).toBe(0);

    expect((await call(`${strict.url}/webhooks/${endpoint.id}`, { key, method: 'DELETE' })).body.data).toEqual({ id: endpoint.id, deleted: true });
    expect((await call(`${strict.url}/webhooks/${endpoint.id}`, { key })).status).toBe(404);
  });

  it('accepts a secret of its own, and refuses bad events, secrets and headers with 422', async () => {
    const { key } = await strict.newOrg('validation');
    const secret = 'whsec_' + Buffer.alloc(24, 1).toString('base64');
    expect((await create(strict, key, { url: 'https://hooks.example.com/a', events: ['*'], secret })).body.data.signingSecret).toBe(secret);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: 'https://hooks.example.com/a', events: ['job.done'] }, /events/],
      [{ url: 'https://hooks.example.com/a', events: [] }, /events/],
      [{ url: 'https://hooks.example.com/a', events: ['*'], secret: 'whsec_' + Buffer.alloc(8).toString('base64') }, /must encode 24 to 64 bytes, not 8/],
      [{ url: 'https://hooks.example.com/a', events: ['*'], secret: 'hunter2' }, /must start with whsec_/],
      [{ url: 'https://hooks.example.com/a', events: ['*'], headers: [{ name: 'webhook-signature', value: 'x' }] }, /set by longrun/],
      [{ url: 'https://hooks.example.com/a', events: ['*'], headers: [{ name: 'X-A', value: 'a\r\nInjected: 1' }] }, /headers/],
      [{ url: 'not a url', events: ['*'] }, /is not a URL/],
    ];
    for (const [body, message] of cases) {
      const answer = await create(strict, key, body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(answer.body.error).toBe('validation_error');
      expect(answer.body.message).toMatch(message);
    }
    expect((await call(`${strict.url}/webhooks`, { key })).body.data.total).toBe(1);
  });
});

describe('the SSRF guard', () => {
  it('refuses http unless allowed, and loopback, private, link-local and metadata addresses, also by host name', async () => {
    const { key } = await strict.newOrg('ssrf');
    const plain = await create(strict, key, { url: 'http://hooks.example.com/a', events: ['*'] });
    expect(plain.body.message).toBe('body.url is refused: The URL must use https.');
    for (const url of [
      'https://127.0.0.1/a',
      'https://10.0.0.1/a',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/a',
      'https://localhost/a',
      'https://192.168.1.20:8443/a',
    ]) {
      const answer = await create(strict, key, { url, events: ['*'] });
      expect(answer.status, url).toBe(422);
      expect(answer.body.message, url).toMatch(/loopback, private, link-local or otherwise non-public address/);
    }
    const loopback = await create(httpOk, (await httpOk.newOrg('ssrf-http')).key, { url: `${receiver.url}/x`, events: ['*'] });
    expect(loopback.status).toBe(422);
  });

  it('checks again at send time: a host that now resolves to loopback gets nothing sent', async () => {
    const { key } = await httpOk.newOrg('rebind', { credits: 50 });
    const created = await create(httpOk, key, { url: 'http://hooks.example.com/rebind', events: ['SOURCING_COMPLETED'] });
    expect(created.status).toBe(201);
    // The name now points at this machine (as a DNS change would make it).
    await httpOk.store.db
      .updateTable('webhook_endpoints')
      .set({ url: `http://localhost:${receiver.port}/rebind` })
      .where('id', '=', created.body.data.id)
      .execute();
    const before = receiver.received.length;

    const ping = await call(`${httpOk.url}/webhooks/${created.body.data.id}/test`, { key, method: 'POST' });
    expect(ping.body.data).toMatchObject({ delivered: false, httpStatus: null });
    expect(ping.body.data.error).toMatch(/localhost resolves to .*127\.0\.0\.1.*non-public/);

    const run = await call(`${httpOk.url}/sourcing`, { key, json: { title: 'Baker', jobDescription: 'Bread.', location: 'Paris' } });
    await untilDone(`${httpOk.url}/sourcing/${run.body.requestId}/results`, key);
    const log = await call(`${httpOk.url}/webhooks/${created.body.data.id}/deliveries`, { key });
    const jobId = (await httpOk.store.db.selectFrom('webhook_deliveries').select('job_id').where('event_type', '!=', 'ping').executeTakeFirstOrThrow()).job_id;
    for (let answer = await call(`${httpOk.url}/jobs/${jobId}?wait=10`, { key }); answer.status === 202;)
      answer = await call(`${httpOk.url}/jobs/${jobId}?wait=10`, { key });
    const settled = (await call(`${httpOk.url}/webhooks/${created.body.data.id}/deliveries`, { key })).body.data.deliveries[0];
    expect(log.body.data.total).toBe(2); // the event's delivery and, before it, the refused ping
    expect(log.body.data.deliveries[1]).toMatchObject({ eventType: 'ping', status: 'failed', lastStatusCode: null });
    expect(settled).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
    expect(settled.lastError).toMatch(/non-public/);
    expect(receiver.received.length).toBe(before);
  });

  it('knows which addresses are not public', async () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isBlockedAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isBlockedAddress(address), address).toBe(false);
    await expect(postWebhook(`http://[::1]:${receiver.port}/`, '{}', {}, { allowPrivate: false, allowHttp: true, timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'BLOCKED_ADDRESS',
    });
  });
});
