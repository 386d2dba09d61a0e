/**
 * Deleting an agent cancels its unfinished runs: the run in progress (its model call still
 * open) and the run queued behind it both end `canceled`, with every item not done canceled,
 * and nothing more is asked of the model. Credits are not the subject here (see agents.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsAllForJob } from '../../src/engine/index.ts';
import { startChatStandIn, type ChatStandIn } from '../helpers/chatStandIn.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { until, untilEngineIdle } from '../helpers/wait.ts';

let server: TestServer;
let standIn: ChatStandIn;
beforeAll(async () => {
  standIn = await startChatStandIn();
  // The model never answers within the test: the run stays mid-item until something stops it.
  standIn.answer = () => ({ delayMs: 120_000 });
  server = await startTestServer({ env: { LONGRUN_LLM_PROVIDER: 'openai', LONGRUN_LLM_BASE_URL: standIn.baseUrl } });
});
afterAll(async () => {
  await server?.close();
  await standIn?.close();
});

describe('DELETE /agents/{agentId}', () => {
  it('cancels the run in progress and the run queued behind it, items included', async () => {
    const { key } = await server.newOrg('delete-agent', { credits: 20 });
    const created = await call(`${server.url}/agents`, {
      key,
      json: { name: 'Doomed', platforms: ['threads'], postsPerRun: 3, instructions: 'Tips about focus. Tips about rest. Tips about sleep.' },
    });
    expect(created.status, created.text).toBe(201);
    const agentId = created.body.data.id as string;
    const running = (await call(`${server.url}/agents/${agentId}/run`, { key, method: 'POST' })).body.data.runId as string;
    const queued = (await call(`${server.url}/agents/${agentId}/run`, { key, method: 'POST' })).body.data.runId as string;

    await until('the first run is waiting on the model', () => standIn.requests.length > 0);
    const job = async (id: string) => (await call(`${server.url}/jobs/${id}`, { key })).body.data;
    expect((await job(running)).status).toBe('running');
    expect((await job(queued)).status).toBe('queued');

    const deleted = await call(`${server.url}/agents/${agentId}`, { key, method: 'DELETE' });
    expect(deleted.body).toEqual({ success: true, data: { id: agentId, deleted: true } });

    // The worker lets go of the run it held (its model call aborted), and takes up nothing else.
    await untilEngineIdle(server.engine);
    for (const id of [running, queued]) {
      const ended = await job(id);
      expect(ended.status, id).toBe('canceled');
      expect(ended.counts, id).toEqual({ pending: 0, succeeded: 0, failed: 0, canceled: 3 });
      const items = await itemsAllForJob(server.store.db, id);
      expect(
        items.map((i) => i.status),
        id,
      ).toEqual(['canceled', 'canceled', 'canceled']);
    }
    expect(standIn.requests).toHaveLength(1);
    expect((await call(`${server.url}/agents/${agentId}`, { key })).status).toBe(404);
  });
});
