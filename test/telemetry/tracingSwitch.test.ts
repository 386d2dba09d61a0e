/**
 * Tracing is off unless an OTLP endpoint is set, and the standard switches turn it off again:
 * a `serve` (in this process, through `startServer`, which starts the SDK when configured) is
 * given a submission with a caller's `traceparent`. Off: no span reaches the receiver, the job
 * stores no trace context and the provider gets no `traceparent`. On (the default protocol,
 * protobuf over HTTP): all three happen. Then the configuration's own rules.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { creditsGrant } from '../../src/store/ledger.ts';
import { startServer, type RunningServer } from '../../src/app/start.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { completion, startChatStandIn, type ChatStandIn } from '../helpers/chatStandIn.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SDK_DISABLED', 'OTEL_TRACES_EXPORTER', 'OTEL_BSP_SCHEDULE_DELAY'];

let otlp: OtlpReceiver;
let standIn: ChatStandIn;
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  standIn = await startChatStandIn();
  standIn.answer = () => ({ body: completion('Onboarding decides retention.') });
});
afterAll(async () => {
  await Promise.all([otlp?.close(), standIn?.close()]);
});

let database: TestDatabase | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await database?.drop();
  server = database = undefined;
  for (const name of OTEL_VARIABLES) delete process.env[name];
});

/** Starts `serve` with these variables (the exporter reads process.env itself), submits one traced idea, waits for its end. */
async function submitTraced(variables: Record<string, string>): Promise<{ traceContext: string | null; providerHeader: string | undefined }> {
  Object.assign(process.env, variables);
  database = await freshTestDatabase();
  const env = { ...process.env, LONGRUN_LLM_BASE_URL: standIn.baseUrl, LONGRUN_WORKERS: '1' };
  server = await startServer(loadConfig({ dataDir: database.dataDir, databaseUrl: database.url, port: 0, logLevel: 'silent' }, env));
  const org = await orgCreate(server.store.db, 'traced');
  await creditsGrant(server.store.db, org.id, 5);
  const { key } = await apiKeyCreate(server.store.db, { orgId: org.id });
  const accepted = await call(`${server.url}/ideas/enrich`, {
    key,
    headers: { traceparent: TRACEPARENT },
    json: { idea: { title: 'Why onboarding decides retention' }, platforms: [{ platform: 'linkedin' }] },
  });
  expect(accepted.status, accepted.text).toBe(202);
  const jobId = accepted.body.data.jobId as string;
  let answer = await call(`${server.url}/jobs/${jobId}?wait=20`, { key });
  while (['queued', 'running'].includes(answer.body.data.status)) answer = await call(`${server.url}/jobs/${jobId}?wait=20`, { key });
  expect(answer.body.data.status).toBe('completed');
  const row = await server.store.db.selectFrom('jobs').select('trace_context').where('id', '=', jobId).executeTakeFirstOrThrow();
  await server.close(); // flushes whatever the SDK holds, when it runs
  server = undefined;
  return { traceContext: row.trace_context, providerHeader: standIn.requests.at(-1)!.headers.traceparent as string | undefined };
}

describe('tracing off', () => {
  it.each<[string, Record<string, string>]>([
    ['without OTEL variables', {}],
    ['with OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true' }],
    ['with OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none' }],
  ])('exports nothing, stores no context and sends no traceparent %s', async (_, switches) => {
    const endpoint: Record<string, string> = Object.keys(switches).length > 0 ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint } : {};
    const { traceContext, providerHeader } = await submitTraced({ ...endpoint, ...switches });
    expect(traceContext).toBeNull();
    expect(providerHeader).toBeUndefined();
    expect(otlp.spans).toEqual([]);
    expect(otlp.protobufRequests + otlp.strayRequests).toBe(0);
  });
});

// Last: the SDK registers this process's global context manager when it starts.
describe('tracing on', () => {
  it('with only OTEL_EXPORTER_OTLP_ENDPOINT set: exports over protobuf, stores the context, sends traceparent', async () => {
    const { traceContext, providerHeader } = await submitTraced({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_BSP_SCHEDULE_DELAY: '50' });
    expect(JSON.parse(traceContext!).traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(providerHeader).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(otlp.protobufRequests).toBeGreaterThan(0);
    expect(otlp.strayRequests).toBe(0);
  });
});

describe('the tracing settings', () => {
  const tracing = (env: Record<string, string>) => loadConfig({ dataDir: '/tmp' }, env).tracing;

  it('turn tracing on only with an endpoint, off with the standard switches', () => {
    expect(tracing({})).toBeNull();
    expect(tracing({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBeNull();
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ protocol: 'http/protobuf', serviceName: 'longrun' });
    expect(tracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces', OTEL_SERVICE_NAME: 'api' })).toEqual({
      protocol: 'http/protobuf',
      serviceName: 'api',
    });
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBeNull();
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'false' })).not.toBeNull();
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('choose the protocol, the traces-specific variable first', () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(tracing({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })?.protocol).toBe('http/json');
    expect(tracing({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })?.protocol).toBe('http/protobuf');
  });

  it('refuse what is not installed or not known, naming the variable', () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(() => tracing({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(ConfigError);
    expect(() => tracing({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
    expect(() => tracing({ ...on, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift' })).toThrow(
      /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http\/protobuf or http\/json/,
    );
    expect(() => tracing({ ...on, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER must be otlp or none/);
  });
});
