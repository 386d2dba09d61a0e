/**
 * Webhook deliveries to a real receiver on a loopback port, verified with the `standardwebhooks`
 * package (not with our own signing code).
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../helpers/prometheus.ts';
import { untilDone } from '../helpers/sourcing.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1',
      LONGRUN_WEBHOOK_ALLOW_HTTP: '1',
      LONGRUN_WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms',
      // Well above a loopback answer under CI load (500 ms once timed out a receiver that said 200).
      LONGRUN_WEBHOOK_TIMEOUT_MS: '1500',
      LONGRUN_WEBHOOK_FAILURES_TO_DISABLE: '2',
    },
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});
afterEach(() => {
  receiver.respond = () => ({ status: 200, body: 'ok' });
});

const role = { title: 'Pastry Chef', jobDescription: 'Croissants.', location: 'Paris' };

async function org(name: string) {
  return server.newOrg(name, { credits: 100 });
}

/** An endpoint at `/hook/<name>` of the receiver, so each test reads only its own requests. */
async function endpoint(key: string, name: string, body: Record<string, unknown> = {}) {
  const answer = await call(`${server.url}/webhooks`, { key, json: { url: `${receiver.url}/hook/${name}`, events: ['SOURCING_COMPLETED'], ...body } });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.data as { id: string; signingSecret: string };
}

/** The next request to `path` carrying this webhook-id. */
async function nextWithId(path: string, webhookId: string) {
  for (;;) {
    const request = await receiver.next(path);
    if (request.headers['webhook-id'] === webhookId) return request;
  }
}

/** A sourcing run over an empty pool: it completes at once and announces SOURCING_COMPLETED. */
async function finishedRun(key: string): Promise<string> {
  const started = await call(`${server.url}/sourcing`, { key, json: role });
  expect(started.status).toBe(202);
  await untilDone(`${server.url}/sourcing/${started.body.requestId}/results`, key);
  return started.body.requestId as string;
}

/** The endpoint's delivery log once its newest delivery has stopped being tried (long-polls its job). */
async function settledLog(key: string, endpointId: string) {
  const log = async () => (await call(`${server.url}/webhooks/${endpointId}/deliveries`, { key })).body.data;
  const first = await log();
  const jobId =
    first.deliveries[0]?.payload &&
    (await server.store.db.selectFrom('webhook_deliveries').select('job_id').where('id', '=', first.deliveries[0].id).executeTakeFirstOrThrow()).job_id;
  for (let answer = await call(`${server.url}/jobs/${jobId}?wait=10`, { key }); answer.status === 202;) {
    answer = await call(`${server.url}/jobs/${jobId}?wait=10`, { key });
  }
  return log();
}

describe('webhook deliveries', () => {
  it('delivers a signed event that standardwebhooks verifies, with the run, its counts and its results route', async () => {
    const { key } = await org('signed');
    const { id, signingSecret } = await endpoint(key, 'signed', { headers: [{ name: 'X-Team', value: 'recruiting' }] });
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const requestId = await finishedRun(key);

    const request = await receiver.next('/hook/signed');
    expect(request.headers['x-team']).toBe('recruiting');
    const event = new Webhook(signingSecret).verify(request.body, request.headers) as { type: string; data: Record<string, unknown> };
    expect(event).toMatchObject({
      type: 'SOURCING_COMPLETED',
      timestamp: expect.any(String),
      data: { jobId: requestId, kind: 'sourcing', status: 'completed', total: 1, succeeded: 1, failed: 0, resultsUrl: `/sourcing/${requestId}/results` },
    });
    expect(() => new Webhook('whsec_' + Buffer.alloc(32, 7).toString('base64')).verify(request.body, request.headers)).toThrow();

    const log = await settledLog(key, id);
    expect(log.total).toBe(1);
    expect(log.deliveries[0]).toMatchObject({
      id: request.headers['webhook-id'],
      eventType: 'SOURCING_COMPLETED',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
      responseSnippet: 'ok',
    });
    // The signing secret is shown once.
    expect((await call(`${server.url}/webhooks/${id}`, { key })).body.data.signingSecret).toBeUndefined();
  });

  it('retries a receiver that is down (503, honouring Retry-After) until it recovers, with the same webhook-id, and logs every attempt', async () => {
    const { key } = await org('outage');
    const { id, signingSecret } = await endpoint(key, 'outage');
    let calls = 0;
    // The schedule here says 100 ms; the first 503 asks for a second, and gets it.
    receiver.respond = () =>
      ++calls <= 2 ? { status: 503, headers: { 'retry-after': calls === 1 ? '1' : '0' }, body: 'down for maintenance' } : { status: 200 };
    const operator = (await server.newOrg('outage-ops', { scopes: ['metrics:read'] })).key;
    const attemptsBy = async (outcome: string) =>
      sample((await call(`${server.url}/metrics`, { key: operator })).text, 'longrun_webhook_delivery_duration_seconds_count', { outcome }) ?? 0;
    const before = { failed: await attemptsBy('http_error'), succeeded: await attemptsBy('succeeded') };
    await finishedRun(key);
    const attempts = [await receiver.next('/hook/outage'), await receiver.next('/hook/outage'), await receiver.next('/hook/outage')];
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    for (const a of attempts) expect(() => new Webhook(signingSecret).verify(a.body, a.headers)).not.toThrow();

    const log = await settledLog(key, id);
    const delivery = log.deliveries[0];
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200, lastError: null });
    expect(delivery.history.map((h: { attempt: number; statusCode: number }) => [h.attempt, h.statusCode])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    expect(delivery.history[0].error).toBe('The endpoint answered 503.');
    expect(Date.parse(delivery.history[1].at) - Date.parse(delivery.history[0].at)).toBeGreaterThanOrEqual(950);
    // /metrics counts each attempt by outcome, with its time.
    expect((await attemptsBy('http_error')) - before.failed).toBe(2);
    expect((await attemptsBy('succeeded')) - before.succeeded).toBe(1);
  });

  it('does not follow a redirect: 3xx is a failed attempt, and after the last attempt the delivery fails', async () => {
    const { key } = await org('redirect');
    const { id } = await endpoint(key, 'redirect');
    receiver.respond = (r) => (r.path === '/hook/redirect' ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 });
    const before = receiver.received.length;
    await finishedRun(key);
    const log = await settledLog(key, id);
    expect(log.deliveries[0]).toMatchObject({ status: 'failed', attempts: 4, lastStatusCode: 302 });
    expect(log.deliveries[0].lastError).toMatch(/redirects are not followed.*Gave up after 4 attempts/);
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(Array(4).fill('/hook/redirect'));
  });

  it('gives up on a slow receiver at the time limit', async () => {
    const { key } = await org('slow');
    const { id } = await endpoint(key, 'slow');
    receiver.respond = () => ({ status: 200, delayMs: 3000 });
    await finishedRun(key);
    const log = await settledLog(key, id);
    expect(log.deliveries[0].status).toBe('failed');
    expect(log.deliveries[0].history[0]).toMatchObject({ statusCode: null, error: 'No complete answer within 1500 ms.' });
  });

  it('410 disables the endpoint; later events are not sent to it until PATCH enabled: true', async () => {
    const { key } = await org('gone');
    const { id } = await endpoint(key, 'gone');
    receiver.respond = () => ({ status: 410 });
    await finishedRun(key);
    const log = await settledLog(key, id);
    expect(log.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
    const disabled = (await call(`${server.url}/webhooks/${id}`, { key })).body.data;
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'The endpoint answered 410 Gone.' });

    await finishedRun(key);
    expect((await call(`${server.url}/webhooks/${id}/deliveries`, { key })).body.data.total).toBe(1);

    receiver.respond = () => ({ status: 200 });
    const enabled = await call(`${server.url}/webhooks/${id}`, { key, method: 'PATCH', json: { enabled: true } });
    expect(enabled.body.data).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    await finishedRun(key);
    expect((await settledLog(key, id)).deliveries[0]).toMatchObject({ status: 'succeeded' });
  });

  it('opens the circuit after consecutive failed deliveries, and a manual retry sends one again', async () => {
    const { key } = await org('circuit');
    const { id } = await endpoint(key, 'circuit');
    receiver.respond = () => ({ status: 500, body: 'x'.repeat(5000) });
    await finishedRun(key);
    let log = await settledLog(key, id);
    expect(log.deliveries[0].responseSnippet).toHaveLength(1024);
    expect((await call(`${server.url}/webhooks/${id}`, { key })).body.data).toMatchObject({ enabled: true, consecutiveFailures: 1 });
    await finishedRun(key);
    log = await settledLog(key, id);
    expect(log.deliveries[0].lastError).toMatch(/Gave up after 4 attempts\. The endpoint has now been disabled after 2 failed deliveries in a row\./);
    const endpointNow = (await call(`${server.url}/webhooks/${id}`, { key })).body.data;
    expect(endpointNow).toMatchObject({ enabled: false, disabledReason: '2 deliveries in a row failed.' });

    await call(`${server.url}/webhooks/${id}`, { key, method: 'PATCH', json: { enabled: true } });
    receiver.respond = () => ({ status: 204 });
    const failed = log.deliveries[1];
    receiver.drain();
    const retried = await call(`${server.url}/webhooks/${id}/deliveries/${failed.id}/retry`, { key, method: 'POST' });
    expect(retried.status).toBe(202);
    expect(retried.body.data.status).toBe('pending');
    const again = await nextWithId('/hook/circuit', failed.id);
    expect(again.headers['webhook-id']).toBe(failed.id);
    // The receiver has the request; wait for the retried delivery's own job to record it (the
    // newest delivery, which settledLog waits on, ended long ago: that was a flake on CI).
    const { job_id: retryJob } = await server.store.db.selectFrom('webhook_deliveries').select('job_id').where('id', '=', failed.id).executeTakeFirstOrThrow();
    for (let answer = await call(`${server.url}/jobs/${retryJob}?wait=10`, { key }); answer.status === 202;)
      answer = await call(`${server.url}/jobs/${retryJob}?wait=10`, { key });
    log = (await call(`${server.url}/webhooks/${id}/deliveries`, { key })).body.data;
    const after = log.deliveries.find((d: { id: string }) => d.id === failed.id);
    expect(after).toMatchObject({ status: 'succeeded', attempts: 5, lastStatusCode: 204 });
  });

  it('signs with both secrets during a rotation, so a receiver holding either verifies', async () => {
    const { key } = await org('rotation');
    const { id, signingSecret: oldSecret } = await endpoint(key, 'rotation');
    const rotated = await call(`${server.url}/webhooks/${id}`, { key, method: 'PATCH', json: { rotateSecret: true } });
    const newSecret = rotated.body.data.signingSecret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(rotated.body.data.secretRotationEndsAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    await finishedRun(key);
    const request = await receiver.next('/hook/rotation');
    expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(request.body, request.headers)).toMatchObject({ type: 'SOURCING_COMPLETED' });
    expect(new Webhook(newSecret).verify(request.body, request.headers)).toMatchObject({ type: 'SOURCING_COMPLETED' });
  });

  it('sends a ping on /test and reports how the endpoint answered', async () => {
    const { key } = await org('ping');
    const { id, signingSecret } = await endpoint(key, 'ping');
    const ok = await call(`${server.url}/webhooks/${id}/test`, { key, method: 'POST' });
    expect(ok.body.data).toEqual({ deliveryId: expect.stringMatching(/^msg_/), delivered: true, httpStatus: 200, error: null });
    const ping = await receiver.next('/hook/ping');
    expect(new Webhook(signingSecret).verify(ping.body, ping.headers)).toMatchObject({ type: 'ping', data: { webhookId: id } });
    receiver.respond = () => ({ status: 404 });
    const missing = await call(`${server.url}/webhooks/${id}/test`, { key, method: 'POST' });
    expect(missing.body.data).toEqual({ deliveryId: expect.stringMatching(/^msg_/), delivered: false, httpStatus: 404, error: 'The endpoint answered 404.' });
  });

  it('sends only what an endpoint subscribes to, and only to its own organisation', async () => {
    const a = await org('subs-a');
    const b = await org('subs-b');
    const enrichOnly = await endpoint(a.key, 'subs-enrich', { events: ['ENRICH_COMPLETED'] });
    const all = await endpoint(a.key, 'subs-all', { events: ['*'] });
    const theirs = await endpoint(b.key, 'subs-b', { events: ['*'] });
    await finishedRun(a.key);
    const log = await settledLog(a.key, all.id);
    expect(log.deliveries.map((d: { eventType: string }) => d.eventType)).toEqual(['SOURCING_COMPLETED']);
    expect((await call(`${server.url}/webhooks/${enrichOnly.id}/deliveries`, { key: a.key })).body.data.total).toBe(0);
    expect((await call(`${server.url}/webhooks/${theirs.id}/deliveries`, { key: b.key })).body.data.total).toBe(0);
    expect((await call(`${server.url}/webhooks/${theirs.id}/deliveries`, { key: a.key })).status).toBe(404);
  });
});
