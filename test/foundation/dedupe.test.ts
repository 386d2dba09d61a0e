/**
 * `Dedupe-Key` on submissions (issue 32, point 5): a second submission with the same key, per
 * organisation and route, within its window answers the first job, whatever its body; another
 * route, another organisation or the end of the window makes a new one. Unlike Idempotency-Key
 * the bodies may differ. Workers are off: every job stays queued, nothing else changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: 'true' }, startWorkers: false });
});
afterAll(async () => {
  await server?.close();
});

const sleep = (key: string, json: unknown, headers: Record<string, string>) => call(`${server.url}/demo/sleep`, { key, json, headers });

describe('Dedupe-Key', () => {
  it('answers the first job to a second submission within the window, whatever its body', async () => {
    const { key } = await server.newOrg('dedupe', { credits: 100 });
    const { key: otherKey } = await server.newOrg('dedupe-other', { credits: 100 });
    const first = await sleep(key, { items: 1, ms: 0 }, { 'dedupe-key': 'nightly' });
    const second = await sleep(key, { items: 5, ms: 10 }, { 'dedupe-key': 'nightly' });
    expect(first.status, first.text).toBe(202);
    expect(second.status).toBe(202);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('dedupe-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(first.headers.get('dedupe-replayed')).toBeNull();
    expect((await call(`${server.url}/jobs?kind=sleep`, { key })).body.data.total).toBe(1);

    // Another organisation, another route: their own jobs.
    const theirs = await sleep(otherKey, { items: 1, ms: 0 }, { 'dedupe-key': 'nightly' });
    expect(theirs.body.data.jobId).not.toBe(first.body.data.jobId);
    const idea = await call(`${server.url}/ideas/enrich`, {
      key,
      json: { idea: { title: 'A' }, platforms: [{ platform: 'twitter' }] },
      headers: { 'dedupe-key': 'nightly' },
    });
    expect(idea.status).toBe(202);
    expect(idea.headers.get('dedupe-replayed')).toBeNull();
  });

  it('makes a new job once the window has passed', async () => {
    const { key } = await server.newOrg('dedupe-window', { credits: 100 });
    const headers = { 'dedupe-key': 'short', 'dedupe-window': '1' };
    const first = await sleep(key, { items: 1, ms: 0 }, headers);
    let next = first;
    await until('the window to pass', async () => {
      next = await sleep(key, { items: 1, ms: 0 }, headers);
      return next.body.data.jobId !== first.body.data.jobId;
    });
    expect(next.headers.get('dedupe-replayed')).toBeNull();
  });

  it('refuses a malformed window, and both keys at once', async () => {
    const { key } = await server.newOrg('dedupe-refusals', { credits: 100 });
    for (const headers of <Record<string, string>[]>[
      { 'dedupe-key': 'k', 'dedupe-window': '0' },
      { 'dedupe-key': 'k', 'dedupe-window': '86401' },
      { 'dedupe-key': 'k', 'dedupe-window': 'soon' },
      { 'dedupe-key': 'k', 'idempotency-key': 'k' },
    ]) {
      const answer = await sleep(key, { items: 1, ms: 0 }, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(answer.body.error).toBe('bad_request');
    }
    expect((await call(`${server.url}/jobs?kind=sleep`, { key })).body.data.total).toBe(0);
  });
});
