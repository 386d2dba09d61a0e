/**
 * Agents over HTTP: the seed's GET /agents/{agentId}/runs/{runId} from a real run and its 401
 * body, the agent routes and their validation, topics that do not repeat across runs, one run
 * at a time per agent, credits per post, outputs, stats and the webhook event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { completion, startChatStandIn, type ChatStandIn } from '../helpers/chatStandIn.ts';
import { knowledgeBaseWith } from '../helpers/knowledge.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const PLAYBOOK = `# Pricing

Annual plans reduce churn because customers commit for a year.

# Onboarding

Users who reach a first success in their first session come back.

# Support

Support tickets drop when the product explains itself.

# Hiring

The first sales hire should be someone who has sold to the same buyer before.`;

let server: TestServer;
let slow: TestServer;
let standIn: ChatStandIn;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1' } });
  standIn = await startChatStandIn();
  // Four jobs of one organisation may run at once here, so only the agent's own queue can hold a run back.
  slow = await startTestServer({
    env: { LONGRUN_LLM_PROVIDER: 'openai', LONGRUN_LLM_BASE_URL: standIn.baseUrl, LONGRUN_ORG_CONCURRENCY: '4', LONGRUN_WORKERS: '4' },
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await server?.close();
  await slow?.close();
  await standIn?.close();
  await receiver?.close();
});

const knowledgeBase = (s: TestServer, key: string) => knowledgeBaseWith(s, key, PLAYBOOK, 'https://notes.example.com/playbook');

/** The run once it has ended, read through the seed route with `?wait=`. */
async function ended(s: TestServer, key: string, agentId: string, runId: string) {
  for (;;) {
    const answer = await call(`${s.url}/agents/${agentId}/runs/${runId}?wait=20`, { key });
    expect(answer.status, answer.text).toBe(200);
    if (!['queued', 'running'].includes(answer.body.data.status)) return answer;
  }
}

describe('agents', () => {
  it('answers GET /agents/{agentId}/runs/{runId} exactly as the seed shows, from a real run, and its 401 body', async () => {
    const { key } = await server.newOrg('seed', { credits: 10 });
    const kbId = await knowledgeBase(server, key);
    const created = await call(`${server.url}/agents`, { key, json: { name: 'Weekly', kbId, platforms: ['linkedin'], postsPerRun: 1, tone: 'educational' } });
    expect(created.status, created.text).toBe(201);
    const agentId = created.body.data.id;
    expect(agentId).toMatch(/^agent_[0-9A-Z]{26}$/);

    const accepted = await call(`${server.url}/agents/${agentId}/run`, { key, method: 'POST' });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.body).toEqual({ success: true, data: { runId: expect.stringMatching(/^run_[0-9A-Z]{26}$/), status: 'queued' } });
    const { runId } = accepted.body.data;

    const done = await ended(server, key, agentId, runId);
    expect(Object.keys(done.body)).toEqual(['success', 'data']);
    expect(Object.keys(done.body.data)).toEqual(['id', 'agentId', 'status', 'postsGenerated', 'tokensUsed', 'error', 'startedAt', 'completedAt']);
    expect(done.body.data).toMatchObject({ id: runId, agentId, status: 'completed', postsGenerated: 1, error: null });
    expect(done.body.data.tokensUsed).toBeGreaterThan(20);
    expect(Date.parse(done.body.data.completedAt)).toBeGreaterThanOrEqual(Date.parse(done.body.data.startedAt));
    expect(done.headers.get('retry-after')).toBeNull();

    const outputs = (await call(`${server.url}/agents/${agentId}/outputs`, { key })).body.data;
    expect(outputs.total).toBe(1);
    expect(outputs.outputs[0]).toMatchObject({
      runId,
      agentId,
      platform: 'linkedin',
      status: 'draft',
      topic: 'Pricing',
      sources: ['https://notes.example.com/playbook'],
    });
    expect(outputs.outputs[0].content).toContain('Annual plans reduce churn');
    expect(outputs.outputs[0].tokensUsed).toBe(done.body.data.tokensUsed);
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 9, reserved: 0 });

    const anonymous = await call(`${server.url}/agents/${agentId}/runs/${runId}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ success: false, error: 'unauthorized', message: 'Authentication required.' });
    const badKey = await call(`${server.url}/agents/${agentId}/runs/${runId}`, { key: 'lr_nope' });
    expect(badKey.status).toBe(401);
    expect(badKey.body.error).toBe('unauthorized');

    const stranger = await server.newOrg('seed-stranger');
    expect((await call(`${server.url}/agents/${agentId}/runs/${runId}`, { key: stranger.key })).status).toBe(404);
    expect((await call(`${server.url}/agents/${agentId}`, { key: stranger.key })).status).toBe(404);
    expect((await call(`${server.url}/agents`, { key: stranger.key })).body.data).toEqual({ agents: [], total: 0 });
  });

  it('creates, lists, changes and deletes agents, and refuses a bad cron expression or timezone with a 422 naming it', async () => {
    const { key } = await server.newOrg('crud', { credits: 5 });
    const created = await call(`${server.url}/agents`, {
      key,
      json: {
        name: 'Daily',
        platforms: ['twitter', 'threads'],
        instructions: 'Share one tip about onboarding.',
        schedule: '0 9 * * 1-5',
        timezone: 'Europe/Paris',
      },
    });
    expect(created.status, created.text).toBe(201);
    const agent = created.body.data;
    expect(agent).toMatchObject({
      name: 'Daily',
      platforms: ['twitter', 'threads'],
      postsPerRun: 1,
      schedule: '0 9 * * 1-5',
      timezone: 'Europe/Paris',
      tone: 'professional',
      enabled: true,
      lastRunAt: null,
    });
    expect(agent).not.toHaveProperty('kbId');
    // 09:00 in Paris on a weekday: 07:00 or 08:00 UTC.
    const next = new Date(agent.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect([7, 8]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);
    expect([1, 2, 3, 4, 5]).toContain(new Date(next.getTime() + 2 * 3_600_000).getUTCDay());

    const bad = [
      [{ schedule: '0 9 * *' }, /^body\.schedule: .*5-field/],
      [{ schedule: '61 * * * *' }, /^body\.schedule: .*minute/],
      [{ schedule: '@daily' }, /^body\.schedule:/],
      [{ timezone: 'Mars/Olympus' }, /^body\.timezone: .*IANA/],
      [{ instructions: '' }, /^body\.instructions:/],
      [{ postsPerRun: 51 }, /postsPerRun/],
      [{ tone: 'angry' }, /tone/],
      [{ platforms: [] }, /platforms/],
      [{ kbId: 'kb_01HXYZ00000000000000000000' }, /^body\.kbId: no knowledge base/],
    ] as const;
    for (const [change, message] of bad) {
      const answer = await call(`${server.url}/agents`, { key, json: { name: 'Bad', platforms: ['twitter'], instructions: 'Tips.', ...change } });
      expect(answer.status, JSON.stringify(change)).toBe(422);
      expect(answer.body).toMatchObject({ success: false, error: 'validation_error' });
      expect(answer.body.message).toMatch(message);
      const patched = await call(`${server.url}/agents/${agent.id}`, { key, method: 'PATCH', json: change });
      expect(patched.status, JSON.stringify(change)).toBe(422);
    }
    // Nothing was stored or changed by the refused requests.
    expect((await call(`${server.url}/agents`, { key })).body.data.total).toBe(1);
    expect((await call(`${server.url}/agents/${agent.id}`, { key })).body.data).toEqual(agent);

    const paused = await call(`${server.url}/agents/${agent.id}`, { key, method: 'PATCH', json: { enabled: false, tone: 'humorous' } });
    expect(paused.status, paused.text).toBe(200);
    expect(paused.body.data).toMatchObject({ enabled: false, tone: 'humorous', nextRunAt: null, schedule: '0 9 * * 1-5' });
    const manual = await call(`${server.url}/agents/${agent.id}`, { key, method: 'PATCH', json: { enabled: true, schedule: null } });
    expect(manual.body.data).toMatchObject({ enabled: true, schedule: null, nextRunAt: null });
    const hourly = await call(`${server.url}/agents/${agent.id}`, { key, method: 'PATCH', json: { schedule: '15 * * * *' } });
    expect(new Date(hourly.body.data.nextRunAt).getUTCMinutes()).toBe(15);
    expect((await call(`${server.url}/agents/${agent.id}`, { key, method: 'PATCH', json: {} })).status).toBe(422);

    const second = (await call(`${server.url}/agents`, { key, json: { name: 'Second', platforms: ['youtube'], instructions: 'Explain one feature.' } })).body
      .data;
    const list = (await call(`${server.url}/agents?limit=1`, { key })).body.data;
    expect(list).toMatchObject({ total: 2, agents: [{ id: second.id }] });

    const deleted = await call(`${server.url}/agents/${agent.id}`, { key, method: 'DELETE' });
    expect(deleted.body).toEqual({ success: true, data: { id: agent.id, deleted: true } });
    expect((await call(`${server.url}/agents/${agent.id}`, { key })).status).toBe(404);
    expect((await call(`${server.url}/agents/${agent.id}/run`, { key, method: 'POST' })).status).toBe(404);
  });

  it('writes about passages its recent runs have not used, spreads posts across platforms and charges 1 credit per post', async () => {
    const { key } = await server.newOrg('topics', { credits: 20 });
    const kbId = await knowledgeBase(server, key);
    const agentId = (
      await call(`${server.url}/agents`, {
        key,
        json: { name: 'Rotating', kbId, platforms: ['twitter', 'linkedin'], postsPerRun: 2, instructions: 'Focus on support and onboarding.' },
      })
    ).body.data.id;

    const topics: string[][] = [];
    for (let run = 0; run < 3; run++) {
      const { runId } = (await call(`${server.url}/agents/${agentId}/run`, { key, method: 'POST' })).body.data;
      expect((await ended(server, key, agentId, runId)).body.data).toMatchObject({ status: 'completed', postsGenerated: 2 });
      const posts = (await call(`${server.url}/agents/${agentId}/outputs?runId=${runId}`, { key })).body.data.outputs;
      expect(posts.map((p: { platform: string }) => p.platform).sort()).toEqual(['linkedin', 'twitter']);
      for (const post of posts) if (post.platform === 'twitter') expect([...post.content].length).toBeLessThanOrEqual(280);
      topics.push(posts.map((p: { topic: string }) => p.topic).sort());
    }
    // The instructions' subjects first, then the rest; the third run reuses the least recently used.
    expect(topics[0]).toEqual(['Onboarding', 'Support']);
    expect(topics[1]).toEqual(['Hiring', 'Pricing']);
    expect(topics[2]).toEqual(['Onboarding', 'Support']);

    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 14, reserved: 0 });
    const stats = (await call(`${server.url}/agents/${agentId}/stats`, { key })).body.data;
    expect(stats.runs).toEqual({ total: 3, queued: 0, running: 0, completed: 3, failed: 0 });
    expect(stats.postsGenerated).toBe(6);
    const runs = (await call(`${server.url}/agents/${agentId}/runs`, { key })).body.data;
    expect(runs.total).toBe(3);
    expect(stats.tokensUsed).toBe(runs.runs.reduce((n: number, r: { tokensUsed: number }) => n + r.tokensUsed, 0));
    expect(Date.parse(runs.runs[0].startedAt)).toBeGreaterThanOrEqual(Date.parse(runs.runs[2].startedAt));
    const page = (await call(`${server.url}/agents/${agentId}/outputs?limit=4&offset=4&platform=twitter`, { key })).body.data;
    expect(page).toMatchObject({ total: 3, outputs: [] });
    const agent = (await call(`${server.url}/agents/${agentId}`, { key })).body.data;
    expect(agent.lastRunAt).toBe(runs.runs[0].startedAt);
  });

  it('refuses a run it cannot pay for with 402, keeping nothing', async () => {
    const { key } = await server.newOrg('poor', { credits: 2 });
    const agentId = (await call(`${server.url}/agents`, { key, json: { name: 'Big', platforms: ['threads'], postsPerRun: 3, instructions: 'Tips.' } })).body
      .data.id;
    const refused = await call(`${server.url}/agents/${agentId}/run`, { key, method: 'POST' });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ success: false, error: 'insufficient_credits' });
    expect((await call(`${server.url}/agents/${agentId}/runs`, { key })).body.data).toEqual({ runs: [], total: 0 });
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 2, reserved: 0 });
  });

  it('announces a finished run with a signed agent.run.completed event', async () => {
    const { key } = await server.newOrg('hooks', { credits: 5 });
    const endpoint = (
      await call(`${server.url}/webhooks`, { key, json: { url: `${receiver.url}/hook/agents`, events: ['agent.run.completed', 'agent.run.failed'] } })
    ).body.data;
    receiver.respond = () => ({ status: 204 });
    const agentId = (await call(`${server.url}/agents`, { key, json: { name: 'Hooked', platforms: ['instagram'], instructions: 'Celebrate a customer win.' } }))
      .body.data.id;
    const { runId } = (await call(`${server.url}/agents/${agentId}/run`, { key, method: 'POST' })).body.data;
    const delivered = await receiver.next('/hook/agents');
    new Webhook(endpoint.signingSecret).verify(delivered.body, delivered.headers);
    const event = JSON.parse(delivered.body);
    expect(event.type).toBe('agent.run.completed');
    expect(event.data).toMatchObject({
      jobId: runId,
      agentId,
      status: 'completed',
      succeeded: 1,
      creditsCharged: 1,
      resultsUrl: `/agents/${agentId}/runs/${runId}`,
    });
  });
});

describe('agents with the openai provider', () => {
  it('runs one run at a time per agent: a second manual run waits in the queue, another agent does not', async () => {
    const { key } = await slow.newOrg('serial', { credits: 20 });
    // The service's answers are held until A's second run has been seen queued behind its first.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    standIn.answer = () => ({ body: completion('One useful tip, written plainly.'), after: held });
    const make = async (name: string) =>
      (await call(`${slow.url}/agents`, { key, json: { name, platforms: ['threads'], postsPerRun: 2, instructions: 'Tips about focus. Tips about rest.' } }))
        .body.data.id;
    const [a, b] = [await make('A'), await make('B')];
    const first = (await call(`${slow.url}/agents/${a}/run`, { key, method: 'POST' })).body.data.runId;
    const second = (await call(`${slow.url}/agents/${a}/run`, { key, method: 'POST' })).body.data.runId;
    const other = (await call(`${slow.url}/agents/${b}/run`, { key, method: 'POST' })).body.data.runId;

    // Statuses are read one after the other, so the later run is read first: if it is running,
    // a serial queue means the earlier one had ended before, and still has when read next.
    const status = async (agent: string, run: string) => (await call(`${slow.url}/agents/${agent}/runs/${run}`, { key })).body.data.status;
    const statuses = async () => {
      const [s3, s2, s1] = [await status(b, other), await status(a, second), await status(a, first)];
      expect(s2 === 'running' && s1 === 'running').toBe(false);
      expect([s1, s2, s3]).not.toContain('failed');
      return [s1, s2, s3];
    };
    await until('A’s first run and B’s run running, A’s second queued', async () => (await statuses()).join() === 'running,queued,running', {
      timeoutMs: 20_000,
    });
    release();
    await until('every run has completed', async () => (await statuses()).every((s) => s === 'completed'), { timeoutMs: 20_000, everyMs: 40 });
    const jobs = await slow.store.db.selectFrom('jobs').select(['id', 'started_at', 'completed_at']).where('id', 'in', [first, second, other]).execute();
    const byId = new Map(jobs.map((j) => [j.id, j]));
    // The second run of agent A started after the first ended; agent B's run overlapped A's first.
    expect(byId.get(second)!.started_at! >= byId.get(first)!.completed_at!).toBe(true);
    expect(byId.get(other)!.started_at! < byId.get(first)!.completed_at! && byId.get(first)!.started_at! < byId.get(other)!.completed_at!).toBe(true);
    // The tone and the instructions reach the service.
    expect(standIn.requests.at(-1)!.body.messages[0]!.content).toContain('Write in a professional tone.');
  });

  it('a run whose service fails midway: failed with the reason, the posts already stored kept and charged once', async () => {
    const { org, key } = await slow.newOrg('midway', { credits: 10 });
    const agentId = (
      await call(`${slow.url}/agents`, {
        key,
        json: { name: 'Fragile', platforms: ['linkedin'], postsPerRun: 5, instructions: 'One. Two. Three. Four. Five.', tone: 'casual' },
      })
    ).body.data.id;
    standIn.requests.length = 0;
    standIn.answer = (n) =>
      n <= 2
        ? { body: completion(`Post number ${n}.`, { prompt_tokens: 100, completion_tokens: 10 }) }
        : { status: 500, body: { error: { message: 'model overloaded' } } };
    const { runId } = (await call(`${slow.url}/agents/${agentId}/run`, { key, method: 'POST' })).body.data;
    const done = (await ended(slow, key, agentId, runId)).body.data;
    expect(done).toMatchObject({ status: 'failed', postsGenerated: 2, tokensUsed: 220 });
    expect(done.error).toMatch(/\S/);
    expect(done.completedAt).not.toBeNull();

    const posts = (await call(`${slow.url}/agents/${agentId}/outputs?runId=${runId}`, { key })).body.data;
    expect(posts.total).toBe(2);
    expect(posts.outputs.map((p: { content: string }) => p.content).sort()).toEqual(['Post number 1.', 'Post number 2.']);
    expect((await call(`${slow.url}/credits`, { key })).body.data).toEqual({ available: 8, reserved: 0 });
    const charges = await slow.store.db
      .selectFrom('credit_ledger')
      .select(['item_ref', 'amount'])
      .where('org_id', '=', org.id)
      .where('kind', '=', 'charge')
      .execute();
    expect(charges).toHaveLength(2);
    expect(new Set(charges.map((c) => c.item_ref)).size).toBe(2);
    // It stopped at the first failure instead of asking the failing service for the rest.
    expect(standIn.requests.length).toBeLessThanOrEqual(2 + Number(slow.config.llm.maxAttempts));
  });
});
