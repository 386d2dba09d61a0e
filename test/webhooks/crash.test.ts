/**
 * A webhook survives a crash: the server is SIGKILLed after the run completed and while its
 * event is being delivered (the receiver has not answered); after a restart the event arrives,
 * with the same webhook-id, and is verified by `standardwebhooks`.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startServeProcess, type ServeProcess } from '../helpers/cli.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { untilDone } from '../helpers/sourcing.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;

describe('webhook delivery across a crash', () => {
  let database: TestDatabase | undefined;
  let server: ServeProcess | undefined;
  let receiver: Receiver | undefined;
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await receiver?.close();
    await database?.drop();
  });

  // Two process starts (up to 20 s each), a run, a lease's expiry and a delivery: more than the default 30 s on a loaded machine.
  it('delivers after a restart an event whose sender was killed mid-delivery', { timeout: 120_000 }, async () => {
    const env = { LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1', LONGRUN_LEASE_MS: '1000', LONGRUN_WEBHOOK_TIMEOUT_MS: '30000' };
    database = await freshTestDatabase();
    const args = ['--data-dir', database.dataDir, '--database-url', database.url];
    receiver = await startReceiver();
    receiver.respond = () => ({ status: 200, delayMs: 60_000 }); // the first attempt never gets its answer
    server = await startServeProcess(args, env);
    const key = KEY.exec(server.output())![0];
    const endpoint = await call(`${server.url}/webhooks`, { key, json: { url: `${receiver.url}/crash`, events: ['SOURCING_COMPLETED'] } });
    expect(endpoint.status).toBe(201);

    const started = await call(`${server.url}/sourcing`, { key, json: { title: 'Baker', jobDescription: 'Bread.', location: 'Paris' } });
    const results = await untilDone(`${server.url}/sourcing/${started.body.requestId}/results`, key);
    expect(results.body.status).toBe('completed');
    const first = await receiver.next('/crash');
    server.child.kill('SIGKILL');
    await server.exited;

    receiver.respond = () => ({ status: 200, body: 'got it' });
    server = await startServeProcess(args, env);
    const second = await receiver.next('/crash', 20_000);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(new Webhook(endpoint.body.data.signingSecret).verify(second.body, second.headers)).toMatchObject({
      type: 'SOURCING_COMPLETED',
      data: { jobId: started.body.requestId, status: 'completed' },
    });

    let log = await call(`${server.url}/webhooks/${endpoint.body.data.id}/deliveries`, { key });
    for (let i = 0; i < 50 && log.body.data.deliveries[0].status === 'pending'; i++) {
      const jobs = await call(`${server.url}/jobs?kind=webhook`, { key });
      await call(`${server.url}/jobs/${jobs.body.data.jobs[0].id}?wait=5`, { key });
      log = await call(`${server.url}/webhooks/${endpoint.body.data.id}/deliveries`, { key });
    }
    expect(log.body.data.deliveries[0]).toMatchObject({ status: 'succeeded', lastStatusCode: 200, responseSnippet: 'got it' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
