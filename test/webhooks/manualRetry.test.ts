/**
 * The manual retry of a delivery and the test ping, against a real receiver on a loopback port:
 * a retry while the delivery waits for its next attempt sends now and replaces that attempt; a
 * retry while an attempt is on the wire is refused (two sends never overlap); pings are in the
 * delivery log and can be sent again from there.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
      // After a failed attempt the next one is an hour away: only a manual retry sends sooner.
      LONGRUN_WEBHOOK_RETRY_SCHEDULE: '1h,1h',
      LONGRUN_WEBHOOK_TIMEOUT_MS: '10000',
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

async function endpoint(key: string, name: string) {
  const answer = await call(`${server.url}/webhooks`, { key, json: { url: `${receiver.url}/hook/${name}`, events: ['SOURCING_COMPLETED'] } });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.data.id as string;
}

/** A sourcing run over an empty pool: it completes at once and announces SOURCING_COMPLETED. */
async function finishedRun(key: string): Promise<void> {
  const started = await call(`${server.url}/sourcing`, { key, json: { title: 'Baker', jobDescription: 'Bread.', location: 'Lyon' } });
  expect(started.status).toBe(202);
  await untilDone(`${server.url}/sourcing/${started.body.requestId}/results`, key);
}

const deliveryRow = (id: string) => server.store.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Reads the delivery until `done` holds (the sender records an attempt just after the receiver answered). */
async function deliveryWhen(id: string, done: (row: Awaited<ReturnType<typeof deliveryRow>>) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const row = await deliveryRow(id);
    if (done(row)) return row;
    if (Date.now() > deadline) throw new Error(`delivery ${id} did not get there: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function jobWhenFinished(key: string, jobId: string) {
  let answer = await call(`${server.url}/jobs/${jobId}?wait=10`, { key });
  while (answer.status === 202) answer = await call(`${server.url}/jobs/${jobId}?wait=10`, { key });
  return answer.body.data;
}

describe('manual retry of a delivery', () => {
  it('sends a delivery that waits for its next attempt now, in place of that attempt', async () => {
    const { key } = await server.newOrg('waiting', { credits: 100 });
    const id = await endpoint(key, 'waiting');
    receiver.respond = () => ({ status: 503 });
    await finishedRun(key);
    const first = await receiver.next('/hook/waiting');
    const deliveryId = first.headers['webhook-id']!;
    const waiting = await deliveryWhen(deliveryId, (d) => d.attempts === 1);
    expect(waiting).toMatchObject({ status: 'pending', last_status_code: 503 });
    expect(Date.parse(waiting.next_attempt_at!) - Date.now()).toBeGreaterThan(30 * 60_000);
    const replaced = waiting.job_id!;

    receiver.respond = () => ({ status: 204 });
    const retried = await call(`${server.url}/webhooks/${id}/deliveries/${deliveryId}/retry`, { key, method: 'POST' });
    expect(retried.status, retried.text).toBe(202);
    expect(retried.body.data).toMatchObject({ id: deliveryId, status: 'pending' });
    const again = await receiver.next('/hook/waiting');
    expect(again.headers['webhook-id']).toBe(deliveryId);

    const sender = (await deliveryRow(deliveryId)).job_id!;
    expect(sender).not.toBe(replaced);
    expect(await jobWhenFinished(key, sender)).toMatchObject({ status: 'completed' });
    const log = (await call(`${server.url}/webhooks/${id}/deliveries`, { key })).body.data;
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({ id: deliveryId, status: 'succeeded', attempts: 2, lastStatusCode: 204, nextAttemptAt: null });
    expect(log.deliveries[0].history.map((h: { statusCode: number }) => h.statusCode)).toEqual([503, 204]);
    // The attempt it replaced is gone: its sender ended canceled, having sent nothing more.
    expect(await jobWhenFinished(key, replaced)).toMatchObject({ status: 'canceled' });
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === deliveryId)).toHaveLength(2);
  });

  it('refuses (409) while an attempt of the delivery is being sent, so two sends never overlap', async () => {
    const { key } = await server.newOrg('on-the-wire', { credits: 100 });
    const id = await endpoint(key, 'wire');
    let answerNow: () => void = () => {};
    const released = new Promise<void>((resolve) => (answerNow = resolve));
    receiver.respond = () => ({ status: 200, release: released }); // held until the test lets it go
    await finishedRun(key);
    const request = await receiver.next('/hook/wire');
    const deliveryId = request.headers['webhook-id']!;
    const refused = await call(`${server.url}/webhooks/${id}/deliveries/${deliveryId}/retry`, { key, method: 'POST' });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body).toMatchObject({ success: false, error: 'conflict', message: expect.stringContaining('being sent right now') });
    answerNow();
    const done = await deliveryWhen(deliveryId, (d) => d.status !== 'pending');
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === deliveryId)).toHaveLength(1);
  });
});

describe('test pings', () => {
  it('are in the delivery log, delivered or not, and the retry route sends one again', async () => {
    const { key } = await server.newOrg('pings', { credits: 100 });
    const id = await endpoint(key, 'pings');
    const ok = await call(`${server.url}/webhooks/${id}/test`, { key, method: 'POST' });
    expect(ok.body.data).toEqual({ deliveryId: expect.stringMatching(/^msg_/), delivered: true, httpStatus: 200, error: null });
    expect((await receiver.next('/hook/pings')).headers['webhook-id']).toBe(ok.body.data.deliveryId);

    receiver.respond = () => ({ status: 404, body: 'no such hook' });
    const missing = await call(`${server.url}/webhooks/${id}/test`, { key, method: 'POST' });
    expect(missing.body.data).toMatchObject({ delivered: false, httpStatus: 404 });
    await receiver.next('/hook/pings');

    const log = (await call(`${server.url}/webhooks/${id}/deliveries`, { key })).body.data;
    expect(log.total).toBe(2);
    expect(log.deliveries).toMatchObject([
      {
        id: missing.body.data.deliveryId,
        eventType: 'ping',
        status: 'failed',
        attempts: 1,
        lastStatusCode: 404,
        responseSnippet: 'no such hook',
        nextAttemptAt: null,
        history: [{ attempt: 1, statusCode: 404 }],
      },
      {
        id: ok.body.data.deliveryId,
        eventType: 'ping',
        status: 'succeeded',
        attempts: 1,
        lastStatusCode: 200,
        lastError: null,
        history: [{ attempt: 1, statusCode: 200 }],
      },
    ]);
    expect(log.deliveries[1].payload).toMatchObject({ type: 'ping', data: { webhookId: id } });
    // Pings do not count toward the circuit breaker.
    expect((await call(`${server.url}/webhooks/${id}`, { key })).body.data.consecutiveFailures).toBe(0);

    receiver.respond = () => ({ status: 200 });
    const retried = await call(`${server.url}/webhooks/${id}/deliveries/${missing.body.data.deliveryId}/retry`, { key, method: 'POST' });
    expect(retried.status, retried.text).toBe(202);
    expect((await receiver.next('/hook/pings')).headers['webhook-id']).toBe(missing.body.data.deliveryId);
    const resent = await deliveryWhen(missing.body.data.deliveryId, (d) => d.status !== 'pending');
    expect(resent).toMatchObject({ status: 'succeeded', attempts: 2, last_status_code: 200 });
  });
});
