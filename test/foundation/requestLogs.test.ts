/**
 * What the log says at info: a submission and its answer, a job's start, retried item, end and
 * lost lease (at warn) with its job, kind and organisation (and /metrics counting the lost
 * lease); not the status polls, long-polls, event streams and probes a client repeats while it
 * waits, nor the reads the dashboard refreshes on its own (those are at debug). The server logs
 * to a stream the test reads.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { sample } from '../helpers/prometheus.ts';
import { until } from '../helpers/wait.ts';

type Line = { level: number; msg: string; req?: { url: string; method: string }; [field: string]: unknown };
const INFO = 30;
const WARN = 40;

function logLines(level: 'info' | 'debug'): { lines: Line[]; log: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { lines, log: createLogger({ logLevel: level, logFormat: 'json' }, stream) };
}

describe('request and job logs', () => {
  let server: TestServer;
  const { lines, log } = logLines('info');

  beforeAll(async () => {
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, log });
  });
  afterAll(() => server?.close());

  it('logs a job at info, and its status polls, long-polls and event stream not at all', async () => {
    // The poll header quiets reads only: a submission sent with it is logged as ever.
    const submitted = await call(`${server.url}/demo/sleep`, {
      key: server.key,
      json: { items: 2, ms: 0, flaky: ['item-2'] },
      headers: { 'x-longrun-poll': '1' },
    });
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.data.jobId;
    await until('the job has ended', async () => (await call(`${server.url}/jobs/${jobId}?wait=5`, { key: server.key })).status === 200);
    expect((await call(`${server.url}/jobs/${jobId}`, { key: server.key })).status).toBe(200);
    expect((await call(`${server.url}/jobs/${jobId}/events`, { key: server.key })).status).toBe(200);
    expect((await call(`${server.url}/healthz`)).status).toBe(200);
    expect((await call(`${server.url}/jobs/${jobId}/items`, { key: server.key })).status).toBe(200);
    // A list the dashboard refreshes on its own says so; the same read asked by the user does not.
    expect((await call(`${server.url}/jobs?limit=5`, { key: server.key, headers: { 'x-longrun-poll': '1' } })).status).toBe(200);
    expect((await call(`${server.url}/stats/jobs`, { key: server.key, headers: { 'x-longrun-poll': '1' } })).status).toBe(200);
    expect((await call(`${server.url}/jobs?limit=6`, { key: server.key })).status).toBe(200);

    const urls = lines.filter((line) => line.req).map((line) => `${line.req!.method} ${line.req!.url}`);
    expect(urls).toContain('POST /demo/sleep');
    expect(urls).toContain(`GET /jobs/${jobId}/items`); // a read, not a poll: at info as before
    expect(urls.filter((url) => url.startsWith(`GET /jobs/${jobId}?`) || url === `GET /jobs/${jobId}`)).toEqual([]);
    expect(urls).not.toContain(`GET /jobs/${jobId}/events`);
    expect(urls).not.toContain('GET /healthz');
    expect(urls).not.toContain('GET /jobs?limit=5');
    expect(urls).not.toContain('GET /stats/jobs');
    expect(urls).toContain('GET /jobs?limit=6');
    // Nor their "request completed" lines: one per logged request.
    expect(lines.filter((line) => line.msg === 'request completed')).toHaveLength(urls.length);

    const about = (msg: string) => lines.filter((line) => line.msg === msg && line.jobId === jobId);
    const orgId = server.org.id;
    await until('the job end is logged', () => about('job ended').length === 1);
    expect(about('job started')[0]).toMatchObject({ level: INFO, jobId, kind: 'sleep', orgId, attempt: 1 });
    expect(about('item will be retried')[0]).toMatchObject({ level: INFO, kind: 'sleep', orgId, item: 'item-2', errorCode: 'DEMO_FLAKE' });
    expect(about('job ended')[0]).toMatchObject({ level: INFO, kind: 'sleep', orgId, status: 'completed', creditsCharged: 2 });
  });

  it('logs a lost lease at warn with the job, its kind and organisation, and /metrics counts it', async () => {
    // A short lease (renewed every 300 ms), so its loss is found within a second.
    const watched = logLines('info');
    const leased = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_LEASE_MS: '900' }, log: watched.log });
    try {
      const operator = (await leased.newOrg('ops', { scopes: ['metrics:read'] })).key;
      const submitted = await call(`${leased.url}/demo/sleep`, { key: leased.key, json: { items: 1, ms: 20_000 } });
      expect(submitted.status).toBe(202);
      const jobId: string = submitted.body.data.jobId;
      await until('the job runs', async () => (await call(`${leased.url}/jobs/${jobId}`, { key: leased.key })).body.data.status === 'running');
      // Another process took it over (as after this one was cut off from the database past its lease).
      const theirs = new Date(Date.now() + 3_600_000).toISOString();
      await leased.store.db
        .updateTable('jobs')
        .set({ lease_owner: 'another-host:1:abc', lease_expires_at: theirs, available_at: theirs })
        .where('id', '=', jobId)
        .execute();

      await until('the lost lease is logged', () => watched.lines.some((line) => line.msg.startsWith('job lease lost') && line.jobId === jobId));
      const lost = watched.lines.find((line) => line.msg.startsWith('job lease lost'))!;
      expect(lost).toMatchObject({ level: WARN, jobId, kind: 'sleep', orgId: leased.org.id });
      const text = (await call(`${leased.url}/metrics`, { key: operator })).text;
      expect(sample(text, 'longrun_job_leases_lost_total', { kind: 'sleep' })).toBe(1);
      // Its running item was stopped and will run again in the process that holds the job now.
      expect(sample(text, 'longrun_items_total', { kind: 'sleep', outcome: 'abandoned' })).toBe(1);
      expect(sample(text, 'longrun_jobs_ended_total', { kind: 'sleep', status: 'completed' })).toBeUndefined();
    } finally {
      await leased.close();
    }
  });

  it('logs status polls at debug when asked for debug', async () => {
    const debug = logLines('debug');
    const verbose = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, log: debug.log });
    try {
      await call(`${verbose.url}/healthz`);
      await call(`${verbose.url}/jobs/job_unknown?wait=0`, { key: verbose.key });
      const polled = debug.lines.filter((line) => line.req?.url === '/healthz' || line.req?.url === '/jobs/job_unknown?wait=0');
      expect(polled.map((line) => [line.req!.url, line.level])).toEqual([
        ['/healthz', 20],
        ['/jobs/job_unknown?wait=0', 20],
      ]);
    } finally {
      await verbose.close();
    }
  });

  it('writes readable lines in the pretty format', () => {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString('utf8');
        done();
      },
    });
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, stream).info({ jobId: 'job_1' }, 'job started');
    expect(written).toMatch(/INFO.*job started/);
    expect(written).toContain('"jobId":"job_1"');
    expect(written.trim().split('\n')).toHaveLength(1);
    expect(() => JSON.parse(written)).toThrow();
  });

  it('takes LONGRUN_LOG_FORMAT pretty or json, by default pretty on a terminal only', () => {
    expect(loadConfig({}, { LONGRUN_LOG_FORMAT: 'pretty' }, false).logFormat).toBe('pretty');
    expect(loadConfig({}, {}, true).logFormat).toBe('pretty');
    expect(loadConfig({}, {}, false).logFormat).toBe('json');
    expect(() => loadConfig({}, { LONGRUN_LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { LONGRUN_LOG_FORMAT: 'xml' })).toThrow(/LONGRUN_LOG_FORMAT must be pretty or json, got "xml"/);
  });
});
