/**
 * A replayed idempotent answer is the first answer again, byte for byte: the same status, the
 * same raw body (not merely an equal JSON value: key order, escapes and numbers included), and
 * `Idempotent-Replayed: true` on the replay only. Checked on creating POSTs of both families,
 * those that submit a job and those that create without one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/** The same key and body sent twice, one after the other. */
async function sendTwice(path: string, key: string, json: unknown, idempotencyKey: string) {
  const init = { key, method: 'POST', headers: { 'idempotency-key': idempotencyKey }, json };
  const first = await call(`${server.url}${path}`, init);
  const replay = await call(`${server.url}${path}`, init);
  return { first, replay };
}

function expectSameBytes({ first, replay }: Awaited<ReturnType<typeof sendTwice>>, route: string): void {
  expect(first.status, `${route}: ${first.text}`).toBeGreaterThanOrEqual(200);
  expect(first.status, `${route}: ${first.text}`).toBeLessThan(300);
  expect(first.headers.get('idempotent-replayed'), route).toBeNull();
  expect(replay.headers.get('idempotent-replayed'), route).toBe('true');
  expect(replay.status, route).toBe(first.status);
  expect(replay.text, route).toBe(first.text);
  expect(replay.headers.get('content-type'), route).toBe(first.headers.get('content-type'));
}

describe('replayed idempotent answers are the first answers, byte for byte', () => {
  it('sourcing family: /profiles, /sourcing, /sourcing/enrich', async () => {
    const { key } = await server.newOrg('sourcing-replay', { credits: 100 });
    const imported = await sendTwice(
      '/profiles',
      key,
      [
        {
          basics: { name: 'Zoë Ünal', email: 'zoe@example.com', label: 'Backend Engineer "Node"', location: { city: 'Berlin', countryCode: 'DE' } },
          skills: [{ name: 'TypeScript' }],
        },
      ],
      'profiles-1',
    );
    expectSameBytes(imported, 'POST /profiles');
    const profileIds = imported.first.body.profileIds as string[];

    expectSameBytes(
      await sendTwice(
        '/sourcing',
        key,
        { title: 'Backend Engineer', jobDescription: 'Node.js — TypeScript, PostgreSQL; “5+” years.', location: 'Berlin, Germany', limit: 2 },
        'sourcing-1',
      ),
      'POST /sourcing',
    );
    expectSameBytes(await sendTwice('/sourcing/enrich', key, { profileIds }, 'enrich-1'), 'POST /sourcing/enrich');
  });

  it('content family: /kbs, /ideas/enrich, /webhooks, /agents, /agents/{id}/run', async () => {
    const { key } = await server.newOrg('content-replay', { credits: 100 });
    const kb = await sendTwice('/kbs', key, { name: 'Notes — “quoted” é', description: 'line\nbreak' }, 'kb-1');
    expectSameBytes(kb, 'POST /kbs');
    const kbId = kb.first.body.data.id as string;

    expectSameBytes(
      await sendTwice(
        '/ideas/enrich',
        key,
        { idea: { title: 'Short signup forms ✓' }, platforms: [{ platform: 'twitter' }, { platform: 'linkedin', mode: 'standard' }], kbId },
        'idea-1',
      ),
      'POST /ideas/enrich',
    );
    expectSameBytes(await sendTwice('/webhooks', key, { url: 'https://hooks.example.com/in', events: ['*'], name: 'Hook “one”' }, 'hook-1'), 'POST /webhooks');

    const agent = await sendTwice(
      '/agents',
      key,
      { name: 'Weekly é', kbId, platforms: ['linkedin'], instructions: 'Share one tip about onboarding.', postsPerRun: 1, tone: 'educational' },
      'agent-1',
    );
    expectSameBytes(agent, 'POST /agents');
    const agentId = agent.first.body.data.id as string;
    expectSameBytes(await sendTwice(`/agents/${agentId}/run`, key, undefined, 'run-1'), 'POST /agents/{id}/run');
  });
});
