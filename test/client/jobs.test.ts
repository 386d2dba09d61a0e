/**
 * The typed client against a real server: the account routes, the generic job routes,
 * `waitFor` (long-polling, never a busy loop), `streamEvents` (in order, resumed after a dropped
 * connection with Last-Event-ID, ended after the terminal event), and errors of both families
 * as `LongrunError`.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, LongrunError, type JobEvent, type LongrunClient } from '../../src/client/index.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let client: LongrunClient;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' } });
  client = createClient({ url: server.url, apiKey: server.key });
});
afterAll(async () => {
  await server?.close();
});

/** A client whose requests are recorded (URL and headers) before they go out. */
function recordingClient(apiKey: string, onRequest?: (url: string) => void) {
  const requests: { url: string; headers: Headers }[] = [];
  const recorded: typeof fetch = (input, init) => {
    const url = String(input);
    requests.push({ url, headers: new Headers(init?.headers) });
    const answer = fetch(input, init);
    onRequest?.(url); // the request is on its way
    return answer;
  };
  return { client: createClient({ url: server.url, apiKey, fetch: recorded }), requests };
}

async function collect(events: AsyncIterable<JobEvent>): Promise<JobEvent[]> {
  const all: JobEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** Catches the LongrunError a call throws. */
async function failure(promise: Promise<unknown>): Promise<LongrunError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LongrunError);
  return error as LongrunError;
}

describe('account', () => {
  it('reads who the key is, the balance and the ledger', async () => {
    const me = await client.account.me();
    expect(me.organisation).toMatchObject({ id: server.org.id, name: 'test-org' });
    expect(me.key.scopes).toEqual([]);
    const balance = await client.account.credits();
    expect(balance.available + balance.reserved).toBeGreaterThan(0);
    const ledger = await client.account.ledger({ limit: 5 });
    expect(ledger.entries.some((e) => e.kind === 'grant')).toBe(true);
  });
});

describe('jobs', () => {
  it('submits, waits for the end with ?wait= long-polls only, and reads items', async () => {
    const { client: recorded, requests } = recordingClient(server.key);
    const { jobId } = await recorded.demo.sleep({ items: 3, ms: 200, fail: ['item-2'] });
    const job = await recorded.waitFor(jobId);
    expect(job).toMatchObject({ id: jobId, kind: 'sleep', status: 'completed', progress: { done: 3, total: 3 }, counts: { succeeded: 2, failed: 1 } });
    expect(job.credits.charged).toBe(2);

    const polls = requests.filter((r) => r.url.includes(`/jobs/${jobId}`));
    // Every poll asked the server to hold it, and the server answers only when the status
    // changes (queued → running → completed): at most three requests, however long it ran.
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.length).toBeLessThanOrEqual(3);
    for (const poll of polls) expect(new URL(poll.url).searchParams.get('wait')).toBe('30');

    const items = await client.jobs.items(jobId);
    expect(items.total).toBe(3);
    expect(items.items.map((i) => [i.key, i.status])).toEqual([
      ['item-1', 'succeeded'],
      ['item-2', 'failed'],
      ['item-3', 'succeeded'],
    ]);
    expect(items.items[1]!.error).toEqual({ code: 'DEMO_FAILURE', message: 'item-2 was asked to fail.' });
    expect(await client.jobs.allItems(jobId)).toEqual(items.items);

    const listed = await client.jobs.list({ kind: 'sleep', status: 'completed' });
    expect(listed.jobs.map((j) => j.id)).toContain(jobId);
  });

  it('returns a job that has already finished at once, and reports updates while waiting', async () => {
    const { jobId } = await client.demo.sleep({ items: 2, ms: 100 });
    const updates: string[] = [];
    const job = await client.waitFor(jobId, { onUpdate: (j) => updates.push(j.status) });
    expect(job.status).toBe('completed');
    for (const status of updates) expect(['queued', 'running']).toContain(status);
    expect((await client.waitFor(jobId)).completedAt).toBe(job.completedAt);
  });

  it('stops waiting when its signal aborts', async () => {
    const abort = new AbortController();
    // Not before next year: the job stays queued, and each long-poll would be held 30 s.
    const { jobId } = await client.demo.sleep({ items: 1, runAt: new Date(Date.now() + 365 * 86_400_000).toISOString() });
    const { client: recorded } = recordingClient(server.key, (url) => {
      if (url.includes(`/jobs/${jobId}?`)) abort.abort();
    });
    await expect(recorded.waitFor(jobId, { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await client.jobs.cancel(jobId)).status).toBe('canceled');
  });

  it('cancels a running job; a second cancel is a 409 conflict', async () => {
    const { jobId } = await client.demo.sleep({ items: 2, hang: ['item-1'] });
    const canceled = await client.jobs.cancel(jobId);
    expect(canceled).toMatchObject({ id: jobId, status: 'canceled' });
    const error = await failure(client.jobs.cancel(jobId));
    expect(error).toMatchObject({ status: 409, code: 'conflict', family: 'content' });
    expect(error.message).toBe(`Job ${jobId} already ended with status canceled.`);
  });
});

describe('streamEvents', () => {
  it('yields every event of a job in order with its sequence number, and ends after the terminal one', async () => {
    const { jobId } = await client.demo.sleep({ items: 3, ms: 100, fail: ['item-2'] });
    const events = await collect(client.streamEvents(jobId));
    expect(events.map((e) => e.type)).toEqual(['job.queued', 'job.started', 'item.succeeded', 'item.failed', 'item.succeeded', 'job.completed']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.every((e) => e.jobId === jobId)).toBe(true);
    const failed = events.find((e) => e.type === 'item.failed');
    if (failed?.type !== 'item.failed') throw new Error('no item.failed event');
    expect(failed.data).toEqual({ key: 'item-2', errorCode: 'DEMO_FAILURE', errorMessage: 'item-2 was asked to fail.' });
    const end = events.at(-1)!;
    if (end.type !== 'job.completed') throw new Error('the last event is not job.completed');
    expect(end.data).toMatchObject({ status: 'completed', succeeded: 2, failed: 1, total: 3, creditsCharged: 2 });

    // After the end: from a sequence number on, and nothing at all once the last was seen (204).
    expect((await collect(client.streamEvents(jobId, { lastEventId: 4 }))).map((e) => e.seq)).toEqual([5, 6]);
    expect(await collect(client.streamEvents(jobId, { lastEventId: 6 }))).toEqual([]);
  });

  it('reconnects after a dropped connection with Last-Event-ID and misses nothing', async () => {
    const requests: (string | null)[] = [];
    let dropped = false;
    // The first event stream is cut after its first chunk with an event in it, as a network would.
    const dropping: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/events')) return response;
      requests.push(new Headers(init?.headers).get('last-event-id'));
      if (dropped) return response;
      dropped = true;
      const reader = response.body!.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          controller.enqueue(value);
          if (/^id: /m.test(new TextDecoder().decode(value))) {
            controller.close();
            await reader.cancel();
          }
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const dropClient = createClient({ url: server.url, apiKey: server.key, fetch: dropping });
    const { jobId } = await client.demo.sleep({ items: 3, ms: 200 });
    const events = await collect(dropClient.streamEvents(jobId, { retryDelayMs: 10 }));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.at(-1)!.type).toBe('job.completed');
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests[0]).toBeNull();
    // The reconnection said where it had got to.
    expect(Number(requests[1])).toBeGreaterThanOrEqual(1);
  });

  it('closes the stream when the loop stops early', async () => {
    const { jobId } = await client.demo.sleep({ items: 2, hang: ['item-2'] });
    const seen: JobEvent[] = [];
    for await (const event of client.streamEvents(jobId)) {
      seen.push(event);
      if (event.type === 'item.succeeded') break;
    }
    expect(seen.map((e) => e.type)).toEqual(['job.queued', 'job.started', 'item.succeeded']);
    await client.jobs.cancel(jobId);
  });

  it('throws the server error for a job that is not there', async () => {
    const error = await failure(collect(client.streamEvents('job_01J00000000000000000000000')));
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('errors', () => {
  it('maps both envelopes, with status, code, message and details', async () => {
    const bad = createClient({ url: server.url, apiKey: 'lr_nope_nope' });
    expect(await failure(bad.jobs.list())).toMatchObject({ status: 401, code: 'unauthorized', family: 'content' });
    expect(await failure(bad.profiles.list())).toMatchObject({ status: 401, code: 'UNAUTHORIZED', family: 'sourcing' });

    expect(await failure(client.jobs.get('job_nope'))).toMatchObject({ status: 404, code: 'not_found', message: 'No job job_nope.' });
    expect(await failure(client.profiles.get('prof_nope'))).toMatchObject({ status: 404, code: 'PROFILE_NOT_FOUND', message: 'No profile prof_nope.' });
    expect(await failure(client.demo.sleep({ items: 0 }))).toMatchObject({ status: 422, code: 'validation_error', family: 'content' });
    expect(await failure(client.sourcing.start({ title: '', jobDescription: 'x', location: 'y' }))).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      family: 'sourcing',
    });

    const invalid = await failure(client.profiles.import([{ basics: { name: 'No Contact' } }]));
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(invalid.details?.[0]).toMatchObject({ entry: 0 });

    const poor = await server.newOrg('poor', { credits: 0 });
    const poorClient = createClient({ url: server.url, apiKey: poor.key });
    expect(await failure(poorClient.demo.sleep({ items: 2 }))).toMatchObject({ status: 402, code: 'insufficient_credits' });

    const narrow = await server.newOrg('narrow', { scopes: ['sourcing:read'] });
    expect(await failure(createClient({ url: server.url, apiKey: narrow.key }).clips.list())).toMatchObject({ status: 403, code: 'forbidden' });

    const unknown = await failure(client.request('GET', '/no/such/route'));
    expect(unknown).toMatchObject({ status: 404, code: 'not_found' });
    expect(unknown.requestId).toEqual(expect.any(String));
  });

  it('says when the server cannot be reached', async () => {
    // A port that was free a moment ago and has nothing listening on it now.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await failure(createClient({ url, apiKey: server.key }).account.me());
    expect(error).toMatchObject({ status: 0, code: 'connection_failed' });
    expect(error.message).toContain(`cannot reach ${url}`);
  });

  it('replays a submission with the same Idempotency-Key', async () => {
    const first = await client.demo.sleep({ items: 1, ms: 10 }, { idempotencyKey: 'client-test-1' });
    const again = await client.demo.sleep({ items: 1, ms: 10 }, { idempotencyKey: 'client-test-1' });
    expect(again.jobId).toBe(first.jobId);
    expect(await failure(client.demo.sleep({ items: 2, ms: 10 }, { idempotencyKey: 'client-test-1' }))).toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
    });
  });
});
