/**
 * Webhook endpoints through the typed client, and `verifyWebhook` on real deliveries received
 * by a real HTTP receiver: it accepts what the server signed (and what the `standardwebhooks`
 * package signs), under either secret during a rotation, and refuses a changed body, another
 * secret and an old timestamp.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type LongrunClient } from '../../src/client/index.ts';
import { verifyWebhook, WebhookVerificationError } from '../../src/client/webhooks.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let receiver: Receiver;
let client: LongrunClient;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1', LONGRUN_DEMO_KINDS: '1' } });
  receiver = await startReceiver();
  client = createClient({ url: server.url, apiKey: server.key });
});
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

function refused(verify: () => unknown, reason: RegExp): void {
  let error: unknown;
  try {
    verify();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as Error).message).toMatch(reason);
}

describe('verifyWebhook', () => {
  it('accepts a real delivery and refuses a changed body, another secret and an old timestamp', async () => {
    const endpoint = await client.webhooks.create({ url: `${receiver.url}/hook/jobs`, events: ['*'], name: 'all jobs' });
    expect(endpoint.signingSecret).toMatch(/^whsec_/);
    const secret = endpoint.signingSecret!;

    const { jobId } = await client.demo.sleep({ items: 1, ms: 10 });
    await client.waitFor(jobId);
    const delivery = await receiver.next('/hook/jobs');

    const event = verifyWebhook(delivery.headers, delivery.body, secret);
    expect(event).toMatchObject({ type: 'demo.sleep.completed', data: { jobId, kind: 'sleep', status: 'completed' } });
    // The same, given as fetch Headers and as bytes.
    expect(verifyWebhook(new Headers(delivery.headers), Buffer.from(delivery.body), secret)).toEqual(event);
    // It agrees with the reference implementation.
    expect(new Webhook(secret).verify(delivery.body, delivery.headers)).toEqual(event);

    refused(() => verifyWebhook(delivery.headers, delivery.body.replace('"completed"', '"failed"'), secret), /No signature matches/);
    refused(() => verifyWebhook(delivery.headers, delivery.body, OTHER_SECRET), /No signature matches/);
    const later = new Date((Number(delivery.headers['webhook-timestamp']) + 600) * 1000);
    refused(() => verifyWebhook(delivery.headers, delivery.body, secret, { now: later }), /too old/);
    refused(() => verifyWebhook({ ...delivery.headers, 'webhook-signature': '' }, delivery.body, secret), /Missing/);

    // A delivery signed 10 minutes ago with a valid signature is still refused: it could be a replay.
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    const old = new Webhook(secret).sign('msg_old', tenMinutesAgo, delivery.body);
    const oldHeaders = { 'webhook-id': 'msg_old', 'webhook-timestamp': String(Math.floor(tenMinutesAgo.getTime() / 1000)), 'webhook-signature': old };
    refused(() => verifyWebhook(oldHeaders, delivery.body, secret), /too old/);
    expect(verifyWebhook(oldHeaders, delivery.body, secret, { toleranceSeconds: 900 })).toEqual(event);
    // And one signed by the reference implementation just now is accepted.
    const now = new Date();
    const fresh = {
      'webhook-id': 'msg_fresh',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_fresh', now, delivery.body),
    };
    expect(verifyWebhook(fresh, delivery.body, secret)).toEqual(event);
  });

  it('verifies with either secret while one is rotated', async () => {
    const endpoint = await client.webhooks.create({ url: `${receiver.url}/hook/rotate`, events: ['ENRICH_COMPLETED'] });
    const rotated = await client.webhooks.update(endpoint.id, { rotateSecret: true });
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(endpoint.signingSecret);
    expect(rotated.secretRotationEndsAt).toEqual(expect.any(String));

    const ping = await client.webhooks.test(endpoint.id);
    expect(ping).toEqual({ deliveryId: expect.stringMatching(/^msg_/), delivered: true, httpStatus: 200, error: null });
    const delivery = await receiver.next('/hook/rotate');
    expect(delivery.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [endpoint.signingSecret!, rotated.signingSecret!]) {
      expect(verifyWebhook(delivery.headers, delivery.body, secret)).toMatchObject({ type: 'ping', data: { webhookId: endpoint.id } });
    }
    refused(() => verifyWebhook(delivery.headers, delivery.body, OTHER_SECRET), /No signature matches/);
  });
});

describe('webhook endpoints', () => {
  it('lists, reads, logs, retries and deletes', async () => {
    const endpoint = await client.webhooks.create({ url: `${receiver.url}/hook/log`, events: ['*'], headers: [{ name: 'X-Team', value: 'ops' }] });
    expect(endpoint).toMatchObject({ url: `${receiver.url}/hook/log`, events: ['*'], headers: [{ name: 'X-Team' }], enabled: true });
    expect((await client.webhooks.get(endpoint.id)).signingSecret).toBeUndefined();
    expect((await client.webhooks.list()).webhooks.map((w) => w.id)).toContain(endpoint.id);

    const { jobId } = await client.demo.sleep({ items: 1, ms: 10 });
    await client.waitFor(jobId);
    const first = await receiver.next('/hook/log');
    expect(first.headers['x-team']).toBe('ops');

    // The delivery is sent by a `webhook` job: wait for it, then read the log.
    const { jobs } = await client.jobs.list({ kind: 'webhook' });
    for (const job of jobs) await client.waitFor(job.id);
    const log = await client.webhooks.deliveries(endpoint.id);
    expect(log.total).toBe(1);
    const delivery = log.deliveries[0]!;
    expect(delivery).toMatchObject({
      id: first.headers['webhook-id'],
      eventType: 'demo.sleep.completed',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
    });

    const retried = await client.webhooks.retry(endpoint.id, delivery.id);
    expect(retried).toMatchObject({ id: delivery.id, status: 'pending' });
    const again = await receiver.next('/hook/log');
    expect(again.headers['webhook-id']).toBe(delivery.id);
    expect(verifyWebhook(again.headers, again.body, endpoint.signingSecret!)).toMatchObject({ data: { jobId } });

    expect(await client.webhooks.delete(endpoint.id)).toEqual({ id: endpoint.id, deleted: true });
    await expect(client.webhooks.get(endpoint.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
