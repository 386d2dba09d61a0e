/**
 * Submissions (issue 32, point 3): every 202 carries `Location` and `Operation-Location`, the
 * absolute URL of the job's status route, which answers; `Prefer: wait=N` (RFC 7240) answers
 * the status route's finished answer with `Preference-Applied` when the job ends in time, the
 * 202 otherwise; malformed preferences are ignored and N is clamped to 30. A replay of an
 * `Idempotency-Key` is the first answer, headers included, and never waits again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preferredWait } from '../../src/http/submissionAnswer.ts';
import { backendPool, importProfiles, untilDone } from '../helpers/sourcing.ts';
import { call, startTestServer, type Answer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: 'true' } });
});
afterAll(async () => {
  await server?.close();
});

function expectLocated(answer: Answer, path: RegExp): string {
  expect(answer.status, answer.text).toBe(202);
  const location = answer.headers.get('location')!;
  expect(location.startsWith(server.url), location).toBe(true);
  expect(location.slice(server.url.length)).toMatch(path);
  expect(answer.headers.get('operation-location')).toBe(location);
  expect(answer.headers.get('preference-applied')).toBeNull();
  return location;
}

describe('preferredWait', () => {
  it('reads wait=N among other preferences, clamps N to 30, and ignores what is malformed', () => {
    expect(preferredWait(undefined)).toBe(0);
    expect(preferredWait('wait=5')).toBe(5);
    expect(preferredWait('respond-async, wait=12')).toBe(12);
    expect(preferredWait('WAIT = 7; foo=bar')).toBe(7);
    expect(preferredWait('wait="3"')).toBe(3);
    expect(preferredWait(['return=minimal', 'wait=4'])).toBe(4);
    expect(preferredWait('wait=100')).toBe(30);
    for (const bad of ['wait', 'wait=', 'wait=-1', 'wait=1.5', 'wait=abc', 'wait=1e3', 'waiting=3', 'wait=99999999999'])
      expect(preferredWait(bad), bad).toBe(0);
  });
});

describe('answers to submissions', () => {
  it('202s name the status route, absolute, on every family; GET on it answers', async () => {
    const { key } = await server.newOrg('located', { credits: 100 });
    const demo = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 } });
    expect((await call(expectLocated(demo, /^\/jobs\/[^/]+$/), { key })).body.data.id).toBe(demo.body.data.jobId);

    const profileIds = await importProfiles(server.url, key, backendPool.slice(0, 2));
    const enrich = await call(`${server.url}/sourcing/enrich`, { key, json: { profileIds } });
    expect(expectLocated(enrich, /^\/sourcing\/enrich\/enr_[^/]+\/results$/)).toBe(`${server.url}/sourcing/enrich/${enrich.body.requestId}/results`);
    const sourcing = await call(`${server.url}/sourcing`, {
      key,
      json: { title: 'Backend Engineer', jobDescription: 'Node.js', location: 'Berlin', limit: 1 },
    });
    expect(expectLocated(sourcing, /^\/sourcing\/req_[^/]+\/results$/)).toContain(sourcing.body.requestId);

    const kb = await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } });
    const doc = await call(`${server.url}/kbs/${kb.body.data.id}/docs`, { key, raw: '# Title\n\nSome text.', headers: { 'content-type': 'text/markdown' } });
    expect((await call(expectLocated(doc, /^\/kbs\/kb_[^/]+\/docs\/doc_/), { key })).body.data.id).toBe(doc.body.data.id);
    const idea = await call(`${server.url}/ideas/enrich`, { key, json: { idea: { title: 'Short forms' }, platforms: [{ platform: 'twitter' }] } });
    expect((await call(expectLocated(idea, /^\/ideas\/enrich\/[^/]+$/), { key })).body.data.jobId).toBe(idea.body.data.jobId);

    const agent = await call(`${server.url}/agents`, {
      key,
      json: { name: 'Tips', kbId: kb.body.data.id, platforms: ['linkedin'], instructions: 'One tip.', postsPerRun: 1 },
    });
    const run = await call(`${server.url}/agents/${agent.body.data.id}/run`, { key, method: 'POST' });
    expect((await call(expectLocated(run, /^\/agents\/agent_[^/]+\/runs\/run_/), { key })).body.data.id).toBe(run.body.data.runId);
  });

  it('Prefer: wait answers the finished result as the status route does, with Preference-Applied', async () => {
    const { key } = await server.newOrg('waited', { credits: 100 });
    const demo = await call(`${server.url}/demo/sleep`, { key, json: { items: 2, ms: 0 }, headers: { prefer: 'wait=25' } });
    expect(demo.status, demo.text).toBe(200);
    expect(demo.headers.get('preference-applied')).toBe('wait=25');
    expect(demo.headers.get('location')).toBeNull();
    const status = await call(demo.headers.get('content-location')!, { key });
    expect(status.status).toBe(200);
    expect(demo.body).toEqual(status.body);
    expect(demo.body.data.status).toBe('completed');

    const profileIds = await importProfiles(server.url, key, backendPool.slice(0, 2));
    const enrich = await call(`${server.url}/sourcing/enrich`, { key, json: { profileIds }, headers: { prefer: 'respond-async, wait=1000' } });
    expect(enrich.status, enrich.text).toBe(200);
    expect(enrich.headers.get('preference-applied')).toBe('wait=30');
    expect(enrich.body.status).toBe('completed');
    expect(enrich.text).toBe((await untilDone(enrich.headers.get('content-location')!, key)).text);

    // A job with a failed item has finished too: 200, as its status route answers it.
    const failing = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0, fail: ['item-1'] }, headers: { prefer: 'wait=25' } });
    expect(failing.status).toBe(200);
    expect(failing.body.data.counts).toMatchObject({ succeeded: 0, failed: 1 });
  });

  it('a malformed preference is ignored: 202 at once', async () => {
    const { key } = await server.newOrg('malformed', { credits: 100 });
    const demo = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 }, headers: { prefer: 'wait=soon' } });
    expectLocated(demo, /^\/jobs\//);
  });

  it('replays of an Idempotency-Key are the first answer with its headers, waited or not', async () => {
    const { key } = await server.newOrg('replayed', { credits: 100 });
    const headers = { 'idempotency-key': 'wait-1', prefer: 'wait=25' };
    const first = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 }, headers });
    const replay = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 }, headers: { 'idempotency-key': 'wait-1' } });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('preference-applied')).toBe('wait=25');
    expect(replay.headers.get('content-location')).toBe(first.headers.get('content-location'));

    const accepted = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 }, headers: { 'idempotency-key': 'plain-1' } });
    const again = await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 }, headers: { 'idempotency-key': 'plain-1', prefer: 'wait=25' } });
    expect(again.status).toBe(202);
    expect(again.text).toBe(accepted.text);
    expect(again.headers.get('location')).toBe(expectLocated(accepted, /^\/jobs\//));
    expect(again.headers.get('operation-location')).toBe(accepted.headers.get('location'));
  });
});

describe('Prefer: wait on a job that does not finish in time', () => {
  let idle: TestServer;
  beforeAll(async () => {
    idle = await startTestServer({ env: { LONGRUN_DEMO_KINDS: 'true' }, startWorkers: false });
  });
  afterAll(async () => {
    await idle?.close();
  });

  it('answers 202 with the locations once the wait is over', async () => {
    const demo = await call(`${idle.url}/demo/sleep`, { key: idle.key, json: { items: 1, ms: 0 }, headers: { prefer: 'wait=1' } });
    expect(demo.status).toBe(202);
    expect(demo.headers.get('location')).toBe(`${idle.url}/jobs/${demo.body.data.jobId}`);
    expect(demo.headers.get('preference-applied')).toBeNull();
  });
});
