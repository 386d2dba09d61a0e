/**
 * One trace from an HTTP request through a worker in another process to the outgoing calls: an
 * API process (`serve --no-workers`) and a worker process (`worker`) on one PostgreSQL database
 * export to a local OTLP/HTTP receiver. A submission carrying a caller's `traceparent` is an
 * idea enrichment whose item asks a stand-in text provider, and whose end sends a webhook.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, startChatStandIn, type ChatStandIn } from '../helpers/chatStandIn.ts';
import { startServeProcess, startWorkerProcess, type ServeProcess } from '../helpers/cli.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlpReceiver.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('a trace across an API process and a worker process', () => {
  let database: TestDatabase;
  let otlp: OtlpReceiver;
  let standIn: ChatStandIn;
  let hooks: Receiver;
  const processes: ServeProcess[] = [];
  let api: ServeProcess;
  let worker: ServeProcess;

  beforeAll(async () => {
    database = await freshTestDatabase();
    otlp = await startOtlpReceiver();
    standIn = await startChatStandIn();
    standIn.answer = () => ({ body: completion('Onboarding decides retention. Cut the form; keep the checklist.') });
    hooks = await startReceiver();
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'longrun-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      LONGRUN_LLM_BASE_URL: standIn.baseUrl,
      LONGRUN_WEBHOOK_ALLOW_HTTP: '1',
      LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1',
    };
    const args = ['--database-url', database.url, '--data-dir', database.dataDir];
    api = await startServeProcess([...args, '--no-workers'], env);
    processes.push(api);
    worker = await startWorkerProcess(args, env);
    processes.push(worker);
  }, 60_000);
  afterAll(async () => {
    for (const p of processes) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    await Promise.all([otlp?.close(), standIn?.close(), hooks?.close()]);
    await database?.drop();
  });

  it('continues the caller’s trace from the request through the worker to the provider and the webhook', { timeout: 90_000 }, async () => {
    const key = KEY.exec(api.output())![0];
    const hook = await call(`${api.url}/webhooks`, { key, json: { url: `${hooks.url}/hook`, events: ['idea.enrich.completed'] } });
    expect(hook.status, hook.text).toBe(201);

    const submitted = await call(`${api.url}/ideas/enrich`, {
      key,
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      json: { idea: { title: 'Why onboarding decides retention', hook: 'Most founders underestimate it.' }, platforms: [{ platform: 'linkedin' }] },
    });
    expect(submitted.status, submitted.text).toBe(202);
    const jobId = submitted.body.data.jobId as string;
    const delivered = await hooks.next('/hook', 20_000);

    const named = (name: string, kind: number, filter: (s: ReceivedSpan) => boolean = () => true) =>
      otlp.spans.find((s) => s.name === name && s.kind === kind && filter(s));
    // Seven spans in the caller's trace; the batch processors export each within ~50 ms of its end.
    const trace = () => otlp.spans.filter((s) => s.traceId === CALLER_TRACE);
    await until('the trace’s seven spans are exported', () => trace().length >= 7, { timeoutMs: 10_000 });

    // The request: a server span named by its route, the child of the caller's span, from the API process.
    const request = named('POST /ideas/enrich', SERVER)!;
    expect(request).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN });
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/ideas/enrich', 'http.response.status_code': 202 });
    expect(request.resource).toMatchObject({ 'service.name': 'longrun-test', 'process.pid': api.child.pid });

    // The submission: a producer span under the request.
    const create = named('create idea.enrich', PRODUCER)!;
    expect(create).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: request.spanId });
    expect(create.attributes).toMatchObject({
      'messaging.system': 'longrun',
      'messaging.operation.type': 'create',
      'messaging.destination.name': 'idea.enrich',
      'messaging.message.id': jobId,
      'longrun.job.kind': 'idea.enrich',
    });

    // The item, in the worker: a consumer span, child of the submission, from another process.
    const item = named('process idea.enrich', CONSUMER)!;
    expect(item).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: create.spanId });
    expect(item.resource['process.pid']).toBe(worker.child.pid);
    expect(item.resource['service.instance.id']).not.toBe(request.resource['service.instance.id']);
    expect(item.attributes).toMatchObject({
      'messaging.system': 'longrun',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'idea.enrich',
      'messaging.message.id': jobId,
      'longrun.job.id': jobId,
      'longrun.item.key': '1-linkedin',
      'longrun.item.attempt': 1,
      'longrun.item.outcome': 'succeeded',
    });
    expect(item.attributes['longrun.job.queue_wait_ms']).toEqual(expect.any(Number));

    // The provider call: a client span under the item, and the header the provider got names it.
    const provider = named('POST', CLIENT, (s) => s.parentSpanId === item.spanId)!;
    expect(provider).toMatchObject({ traceId: CALLER_TRACE });
    expect(provider.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'http.response.status_code': 200 });
    expect(standIn.requests.at(-1)!.headers.traceparent).toBe(`00-${CALLER_TRACE}-${provider.spanId}-01`);

    // The webhook: its delivery job continues the trace of the job that ended (submitted in the
    // worker's checkpoint), its item is the parent of the POST, and the receiver got the header.
    const deliveryCreate = named('create webhook', PRODUCER)!;
    expect(deliveryCreate).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: create.spanId });
    const deliveryItem = named('process webhook', CONSUMER)!;
    expect(deliveryItem).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: deliveryCreate.spanId });
    const post = named('POST', CLIENT, (s) => s.parentSpanId === deliveryItem.spanId)!;
    expect(post).toMatchObject({ traceId: CALLER_TRACE });
    expect(delivered.headers.traceparent).toBe(`00-${CALLER_TRACE}-${post.spanId}-01`);

    // Nothing of this trace went elsewhere, and the exporter spoke only OTLP.
    expect(
      trace()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['POST /ideas/enrich', 'create idea.enrich', 'process idea.enrich', 'POST', 'create webhook', 'process webhook', 'POST'].sort());
    expect(otlp.strayRequests).toBe(0);

    // Probes make no span: a /healthz answered before a traced poll is not exported with or before it.
    expect((await call(`${api.url}/healthz`)).status).toBe(200);
    expect((await call(`${api.url}/jobs/${jobId}`, { key })).status).toBe(200);
    await until('the poll’s span is exported', () => otlp.spans.some((s) => s.name === 'GET /jobs/:id'));
    expect(otlp.spans.filter((s) => s.name.includes('/healthz'))).toEqual([]);

    // The job stores the submission's context: the worker read it from the database.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // A plain pg client (its default parsers): the jsonb column reads as an object.
      const { rows } = await client.query<{ trace_context: unknown }>('select trace_context from jobs where id = $1', [jobId]);
      expect(rows[0]!.trace_context).toEqual({ traceparent: `00-${CALLER_TRACE}-${create.spanId}-01` });
    } finally {
      await client.end();
    }
  });
});
