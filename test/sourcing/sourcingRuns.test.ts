import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendPool, backendRole, importProfiles, resume, sourcingRun, untilDone } from '../helpers/sourcing.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const balance = async (key: string) => (await call(`${server.url}/credits`, { key })).body.data as { available: number; reserved: number };

describe('sourcing runs', () => {
  it('finds the role in the pool, best first, and charges 1 credit per candidate returned', async () => {
    const { key } = await server.newOrg('finds', { credits: 20 });
    const ids = await importProfiles(server.url, key, backendPool);
    const started = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, limit: 10 } });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      success: true,
      requestId: expect.stringMatching(/^req_[0-9a-f-]{36}$/),
      status: 'processing',
      message: 'Sourcing run accepted and queued for processing.',
      webhookId: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const done = await sourcingRun(server.url, key, { ...backendRole, limit: 10 });
    expect(done.body).toMatchObject({ success: true, status: 'completed', completedAt: expect.any(String) });
    const names = done.body.candidates.map((c: { name: string }) => c.name);
    // The two backend engineers first; the accountant shares no search term with the role.
    expect(names.slice(0, 2).sort()).toEqual(['Alex Müller', 'Jane Smith']);
    expect(names.slice(2)).toEqual(['Priya Rao']);
    expect(done.body.foundCount).toBe(3);
    expect(done.body.scoredCount).toBe(3);
    expect(done.body.creditsConsumed).toBe(3);
    const scores = done.body.candidates.map((c: { matchScore: number }) => c.matchScore);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const alex = done.body.candidates.find((c: { profileId: string }) => c.profileId === ids[1]);
    // Alex wrote "NodeJS", "Node" and "Postgres": aliases count.
    expect(alex.aiFitPoints).toContain('Node.js: used at Zalando (2019 - Present)');
    expect(alex.aiFitPoints).toContain('PostgreSQL: used at Zalando (2019 - Present)');
    expect(done.body.candidates[2].aiRedFlags).toContain('Missing must-have: PostgreSQL');
    // 10 reserved per run, 3 charged each time, the rest released: once the first run has ended too.
    expect((await untilDone(`${server.url}/sourcing/${started.body.requestId}/results`, key)).body.status).toBe('completed');
    expect(await balance(key)).toEqual({ available: 20 - 3 - 3, reserved: 0 });
  });

  it('returns at most `limit` candidates and finds a profile by an alias the role did not use', async () => {
    const { key } = await server.newOrg('limit', { credits: 10 });
    await importProfiles(server.url, key, [
      ...backendPool,
      resume('Kube Person', 'kube@example.com', {
        label: 'Platform Engineer',
        skills: ['k8s'],
        work: [{ name: 'X', position: 'Platform Engineer', startDate: '2020-01', highlights: ['Runs our k8s clusters'] }],
      }),
    ]);
    const done = await sourcingRun(server.url, key, { title: 'Platform Engineer', jobDescription: 'Kubernetes', location: 'Remote', limit: 1 });
    expect(done.body.candidates.map((c: { name: string }) => c.name)).toEqual(['Kube Person']);
    expect(done.body.creditsConsumed).toBe(1);
    expect(done.body.foundCount).toBeGreaterThanOrEqual(2); // Alex's EKS means Kubernetes too
  });

  it('completes with no candidates and no charge when nothing in the pool matches', async () => {
    const { key } = await server.newOrg('empty', { credits: 10 });
    const done = await sourcingRun(server.url, key, { title: 'Pastry Chef', jobDescription: 'Croissants.', location: 'Paris' });
    expect(done.body).toMatchObject({ status: 'completed', foundCount: 0, scoredCount: 0, creditsConsumed: 0, candidates: [] });
    expect(await balance(key)).toEqual({ available: 10, reserved: 0 });
  });

  it('never searches another organisation’s pool', async () => {
    const owner = await server.newOrg('pool-owner', { credits: 10 });
    await importProfiles(server.url, owner.key, backendPool);
    const other = await server.newOrg('pool-other', { credits: 10 });
    const done = await sourcingRun(server.url, other.key, backendRole);
    expect(done.body.candidates).toEqual([]);
  });

  it('402 when the balance is below limit, and no run is created', async () => {
    const { key } = await server.newOrg('poor', { credits: 4 });
    const answer = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, limit: 5 } });
    expect(answer.status).toBe(402);
    expect(answer.body).toEqual({
      success: false,
      errorCode: 'INSUFFICIENT_CREDITS',
      errorMessage: 'Not enough credits: this request needs 5, the balance is 4.',
    });
    expect((await call(`${server.url}/jobs`, { key })).body.data.total).toBe(0);
    expect(await balance(key)).toEqual({ available: 4, reserved: 0 });
  });

  it('400 for a bad body, naming the field; 404 REQUEST_NOT_FOUND for an unknown or foreign run', async () => {
    const { key } = await server.newOrg('bad-sourcing', { credits: 100 });
    const tooLong = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, title: 'x'.repeat(201) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errorMessage).toMatch(/body.title must NOT have more than 200 characters/);
    const limit = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, limit: 51 } });
    expect(limit.status).toBe(400);
    const missing = await call(`${server.url}/sourcing`, { key, json: { title: 'x', location: 'y' } });
    expect(missing.body.errorMessage).toMatch(/jobDescription is required/);

    const run = await call(`${server.url}/sourcing`, { key, json: backendRole });
    const stranger = await server.newOrg('stranger');
    for (const id of [run.body.requestId, 'req_nope']) {
      const answer = await call(`${server.url}/sourcing/${id}/results`, { key: stranger.key });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ success: false, errorCode: 'REQUEST_NOT_FOUND', errorMessage: `No request ${id}.` });
    }
  });

  it('shows on /jobs, newest first whatever the kind’s ID prefix', async () => {
    const { key } = await server.newOrg('jobs-list', { credits: 20 });
    const ids = await importProfiles(server.url, key, backendPool);
    const run = await sourcingRun(server.url, key, backendRole);
    const enr = await call(`${server.url}/sourcing/enrich`, { key, json: { profileIds: [ids[0]] } });
    const jobs = await call(`${server.url}/jobs`, { key });
    expect(jobs.body.data.jobs.map((j: { id: string; kind: string }) => [j.id, j.kind])).toEqual([
      [enr.body.requestId, 'enrichment'],
      [run.body.requestId, 'sourcing'],
    ]);
  });

  it('checks webhookId: its shape (400), that it exists (422), whose it is (403), and that it subscribes to the run (422)', async () => {
    const { key } = await server.newOrg('webhook-id', { credits: 50 });
    const endpoint = async (k: string, events: string[]) =>
      (await call(`${server.url}/webhooks`, { key: k, json: { url: 'https://hooks.example.com/longrun', events } })).body.data.id as string;
    const mine = await endpoint(key, ['SOURCING_COMPLETED']);
    const accepted = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, webhookId: mine } });
    expect(accepted.status).toBe(202);
    expect(accepted.body.webhookId).toBe(mine);

    const bad = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, webhookId: 'hook-1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errorMessage).toMatch(/webhookId/);
    const unknown = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, webhookId: 'wh_01JD7Z9K3M4N5P6Q7R8S9T0V1W' } });
    expect([unknown.status, unknown.body.errorCode]).toEqual([422, 'VALIDATION_ERROR']);
    const other = await server.newOrg('webhook-id-other');
    const theirs = await endpoint(other.key, ['*']);
    const foreign = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, webhookId: theirs } });
    expect([foreign.status, foreign.body.errorCode]).toEqual([403, 'FORBIDDEN']);
    const enrichOnly = await endpoint(key, ['ENRICH_COMPLETED', 'ENRICH_FAILED']);
    const unsubscribed = await call(`${server.url}/sourcing`, { key, json: { ...backendRole, webhookId: enrichOnly } });
    expect(unsubscribed.status).toBe(422);
    expect(unsubscribed.body.errorMessage).toBe(`Webhook ${enrichOnly} subscribes to neither SOURCING_COMPLETED nor SOURCING_FAILED.`);
    expect((await call(`${server.url}/sourcing/enrich`, { key, json: { profileIds: ['prof_x'], webhookId: enrichOnly } })).status).toBe(202);
    expect((await call(`${server.url}/sourcing/enrich`, { key, json: { profileIds: ['prof_x'], webhookId: mine } })).status).toBe(422);
  });
});
