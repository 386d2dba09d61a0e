/**
 * The agent scheduler on a controllable clock: ticks fire at their cron times in the agent's
 * timezone, across daylight-saving changes, once each; a tick missed while no scheduler ran
 * fires once; disabling stops the schedule; a run it cannot pay for is recorded as failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentScheduler } from '../../src/families/agents/index.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let now = new Date('2027-01-01T00:00:00Z');
let server: TestServer;
let key: string;
beforeAll(async () => {
  server = await startTestServer({ clock: () => now, credits: 1000 });
  key = server.key;
});
afterAll(async () => {
  await server?.close();
});

async function agent(body: Record<string, unknown>): Promise<{ id: string; nextRunAt: string | null }> {
  const answer = await call(`${server.url}/agents`, { key, json: { name: 'Scheduled', platforms: ['threads'], instructions: 'A tip a day.', ...body } });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.data;
}

/** Walks the clock from `from` to `to` in `stepMs` steps, letting the scheduler look at each; returns the times it fired. */
async function walk(from: string, to: string, stepMs: number): Promise<string[]> {
  const fired: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMs) {
    now = new Date(t);
    const n = await server.scheduler.tick();
    for (let i = 0; i < n; i++) fired.push(now.toISOString());
  }
  return fired;
}

async function runsOf(agentId: string): Promise<{ startedAt: string; status: string; error: string | null }[]> {
  const { runs } = (await call(`${server.url}/agents/${agentId}/runs?limit=100`, { key })).body.data;
  return runs.reverse();
}

/** Local wall-clock time in a timezone, e.g. "2027-03-28 03:00". */
const local = (iso: string, timeZone: string) => new Date(iso).toLocaleString('sv-SE', { timeZone }).slice(0, 16);

describe('agent scheduler', () => {
  it('runs an every-minute schedule each minute in Europe/Berlin across the spring-forward change, once per tick', async () => {
    now = new Date('2027-03-28T00:57:40Z'); // 01:57:40 CET; at 01:00Z clocks jump from 02:00 to 03:00
    const { id, nextRunAt } = await agent({ schedule: '* * * * *', timezone: 'Europe/Berlin' });
    expect(nextRunAt).toBe('2027-03-28T00:58:00.000Z');
    const fired = await walk('2027-03-28T00:57:40Z', '2027-03-28T01:03:00Z', 20_000);
    expect(fired).toEqual(['00:58', '00:59', '01:00', '01:01', '01:02', '01:03'].map((m) => `2027-03-28T${m}:00.000Z`));
    expect(fired.map((t) => local(t, 'Europe/Berlin'))).toEqual([
      '2027-03-28 01:58',
      '2027-03-28 01:59',
      '2027-03-28 03:00',
      '2027-03-28 03:01',
      '2027-03-28 03:02',
      '2027-03-28 03:03',
    ]);
    const runs = await runsOf(id);
    expect(runs.map((r) => r.startedAt)).toEqual(fired);
    expect((await call(`${server.url}/agents/${id}`, { key })).body.data).toMatchObject({
      lastRunAt: '2027-03-28T01:03:00.000Z',
      nextRunAt: '2027-03-28T01:04:00.000Z',
    });
    await call(`${server.url}/agents/${id}`, { key, method: 'DELETE' });
  });

  it('keeps a daily 02:30 in Europe/Berlin through both daylight-saving changes: once a day, never twice', async () => {
    now = new Date('2027-03-26T12:00:00Z');
    const { id } = await agent({ schedule: '30 2 * * *', timezone: 'Europe/Berlin' });
    const spring = await walk('2027-03-26T12:00:00Z', '2027-03-29T12:00:00Z', 15 * 60_000);
    // 02:30 does not exist on 28 March: it fires at 03:30 CEST that day.
    expect(spring).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-28T01:30:00.000Z', '2027-03-29T00:30:00.000Z']);
    expect(spring.map((t) => local(t, 'Europe/Berlin'))).toEqual(['2027-03-27 02:30', '2027-03-28 03:30', '2027-03-29 02:30']);

    now = new Date('2027-10-29T12:00:00Z');
    await call(`${server.url}/agents/${id}`, { key, method: 'PATCH', json: { schedule: '30 2 * * *' } }); // recompute from the new "now"
    const autumn = await walk('2027-10-29T12:00:00Z', '2027-11-01T12:00:00Z', 15 * 60_000);
    // 02:30 happens twice on 31 October (CEST, then CET): it fires on the first only.
    expect(autumn).toEqual(['2027-10-30T00:30:00.000Z', '2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
    expect(autumn.map((t) => local(t, 'Europe/Berlin'))).toEqual(['2027-10-30 02:30', '2027-10-31 02:30', '2027-11-01 02:30']);
    expect(await runsOf(id)).toHaveLength(6);
    await call(`${server.url}/agents/${id}`, { key, method: 'DELETE' });
  });

  it('fires a tick missed while no scheduler ran once, when a scheduler starts, then goes on from now', async () => {
    now = new Date('2027-05-04T10:00:30Z');
    const { id, nextRunAt } = await agent({ schedule: '* * * * *', timezone: 'America/New_York' });
    expect(nextRunAt).toBe('2027-05-04T10:01:00.000Z');
    // The server is down from 10:00:30 to 10:17:10: sixteen ticks pass unseen.
    now = new Date('2027-05-04T10:17:10Z');
    const restarted = agentScheduler(server.deps);
    expect(await restarted.tick()).toBe(1);
    expect(await restarted.tick()).toBe(0);
    expect(await server.scheduler.tick()).toBe(0);
    expect((await runsOf(id)).map((r) => r.startedAt)).toEqual(['2027-05-04T10:17:10.000Z']);
    expect((await call(`${server.url}/agents/${id}`, { key })).body.data.nextRunAt).toBe('2027-05-04T10:18:00.000Z');
    now = new Date('2027-05-04T10:18:00Z');
    expect(await restarted.tick()).toBe(1);
    await call(`${server.url}/agents/${id}`, { key, method: 'DELETE' });
  });

  it('stops firing when the agent is disabled, and resumes from now when enabled again', async () => {
    now = new Date('2027-06-01T08:00:00Z');
    const { id } = await agent({ schedule: '*/5 * * * *', timezone: 'Asia/Kolkata' });
    expect(await walk('2027-06-01T08:00:00Z', '2027-06-01T08:10:00Z', 60_000)).toHaveLength(2);
    const disabled = (await call(`${server.url}/agents/${id}`, { key, method: 'PATCH', json: { enabled: false } })).body.data;
    expect(disabled.nextRunAt).toBeNull();
    expect(await walk('2027-06-01T08:11:00Z', '2027-06-01T09:00:00Z', 60_000)).toEqual([]);
    const enabled = (await call(`${server.url}/agents/${id}`, { key, method: 'PATCH', json: { enabled: true } })).body.data;
    expect(enabled.nextRunAt).toBe('2027-06-01T09:05:00.000Z');
    expect(await walk('2027-06-01T09:01:00Z', '2027-06-01T09:05:00Z', 60_000)).toEqual(['2027-06-01T09:05:00.000Z']);
    expect(await runsOf(id)).toHaveLength(3);
    await call(`${server.url}/agents/${id}`, { key, method: 'DELETE' });
  });

  it('records a scheduled run it cannot pay for as failed with the reason, and keeps the schedule', async () => {
    const poor = await server.newOrg('poor', { credits: 2 });
    now = new Date('2027-07-01T12:00:00Z');
    const created = await call(`${server.url}/agents`, {
      key: poor.key,
      json: { name: 'Costly', platforms: ['linkedin'], postsPerRun: 5, instructions: 'Tips.', schedule: '0 * * * *' },
    });
    const id = created.body.data.id;
    expect(await walk('2027-07-01T12:00:00Z', '2027-07-01T13:00:00Z', 30 * 60_000)).toEqual([]);
    const { runs, total } = (await call(`${server.url}/agents/${id}/runs`, { key: poor.key })).body.data;
    expect(total).toBe(1);
    expect(runs[0]).toMatchObject({
      status: 'failed',
      postsGenerated: 0,
      tokensUsed: 0,
      startedAt: '2027-07-01T13:00:00.000Z',
      completedAt: '2027-07-01T13:00:00.000Z',
    });
    expect(runs[0].error).toMatch(/Not enough credits/);
    expect((await call(`${server.url}/agents/${id}`, { key: poor.key })).body.data.nextRunAt).toBe('2027-07-01T14:00:00.000Z');
    expect((await call(`${server.url}/credits`, { key: poor.key })).body.data).toEqual({ available: 2, reserved: 0 });
  });
});
