/**
 * The typed client over the content family's knowledge bases, idea drafts and agents: each
 * created, read and followed to its end through the client alone (documents are indexed by a
 * `kb.ingest` job, found with `jobs.list` and waited for with `waitFor`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, LongrunError, type LongrunClient } from '../../src/client/index.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let client: LongrunClient;
beforeAll(async () => {
  server = await startTestServer();
  client = createClient({ url: server.url, apiKey: server.key });
});
afterAll(async () => {
  await server?.close();
});

const PLAYBOOK = [
  '# Onboarding playbook',
  '',
  '## First week',
  '',
  'New customers who import their data in the first week stay three times longer. Offer a guided import call.',
  '',
  '## Churn signals',
  '',
  'An account that stops logging in for ten days is at risk. Reach out with one concrete tip.',
].join('\n');

/** Waits for every ingestion job of the organisation to end. */
async function ingested(): Promise<void> {
  const { jobs } = await client.jobs.list({ kind: 'kb.ingest' });
  for (const job of jobs) expect((await client.waitFor(job.id)).status).toBe('completed');
}

describe('knowledge bases', () => {
  it('creates one, uploads a document, searches it, deletes a document and the knowledge base', async () => {
    const kb = await client.kbs.create({ name: 'Growth notes', description: 'What we learnt' });
    expect(kb).toMatchObject({ id: expect.stringMatching(/^kb_/), name: 'Growth notes', documents: 0 });

    const doc = await client.kbs.upload(kb.id, PLAYBOOK, { contentType: 'text/markdown', title: 'Playbook', uri: 'notes://playbook' });
    expect(doc).toMatchObject({ kbId: kb.id, status: 'processing', title: 'Playbook', uri: 'notes://playbook' });
    const plain = await client.kbs.upload(kb.id, Buffer.from('Plain text from a Buffer about onboarding calls.'), { contentType: 'text/plain' });
    expect(plain.contentType).toBe('text/plain');
    await ingested();

    expect((await client.kbs.document(kb.id, doc.id)).status).toBe('indexed');
    const docs = await client.kbs.documents(kb.id);
    expect(docs.total).toBe(2);
    expect((await client.kbs.get(kb.id)).documents).toBe(2);
    expect((await client.kbs.list()).kbs.map((k) => k.id)).toContain(kb.id);

    // "churn signals" is the section's heading; "logging" is in its text (a heading alone is no hit).
    const found = await client.kbs.search(kb.id, { query: 'churn signals logging', limit: 3 });
    expect(found.results[0]).toMatchObject({ uri: 'notes://playbook', score: 1 });
    expect(found.results[0]!.content).toContain('stops logging in');

    expect(await client.kbs.deleteDocument(kb.id, plain.id)).toEqual({ id: plain.id, deleted: true });
    expect((await client.kbs.documents(kb.id)).docs.map((d) => d.id)).toEqual([doc.id]);

    expect(await client.kbs.delete(kb.id)).toEqual({ id: kb.id, deleted: true });
    await expect(client.kbs.get(kb.id)).rejects.toBeInstanceOf(LongrunError);
  });
});

describe('ideas', () => {
  it('writes drafts for two platforms and reads them as text and structured', async () => {
    const kb = await client.kbs.create({ name: 'For ideas' });
    await client.kbs.upload(kb.id, PLAYBOOK, { contentType: 'text/markdown', uri: 'notes://ideas' });
    await ingested();

    const accepted = await client.ideas.enrich({
      idea: { title: 'Why onboarding decides retention', hook: 'Most churn starts in week one.' },
      kbId: kb.id,
      platforms: [{ platform: 'twitter', mode: 'thread', threadCount: 3 }, { platform: 'linkedin' }],
    });
    expect(accepted).toEqual({ jobId: expect.stringMatching(/^enrich_job_/), status: 'queued' });
    expect((await client.waitFor(accepted.jobId)).status).toBe('completed');

    const job = await client.ideas.get(accepted.jobId, { wait: 5 });
    expect(job.status).toBe('completed');
    expect(job.enrichedContent).toContain('1/3');
    const drafts = await client.ideas.drafts(accepted.jobId);
    expect(drafts.drafts.map((d) => d.platform)).toEqual(['twitter', 'linkedin']);
    expect(drafts.drafts[0]!.posts).toHaveLength(3);
    expect(drafts.failures).toEqual([]);
    expect(drafts.tokensUsed).toBeGreaterThan(0);
  });
});

describe('agents', () => {
  it('creates an agent, runs it, reads its run, posts and stats, changes it and deletes it', async () => {
    const agent = await client.agents.create({
      name: 'Tips',
      platforms: ['linkedin', 'threads'],
      postsPerRun: 2,
      instructions: 'Share one tip about onboarding. Keep customers close.',
    });
    expect(agent).toMatchObject({ name: 'Tips', postsPerRun: 2, schedule: null, tone: 'professional', enabled: true, nextRunAt: null });

    const { runId } = await client.agents.run(agent.id);
    expect(runId).toMatch(/^run_/);
    const job = await client.waitFor(runId);
    expect(job).toMatchObject({ kind: 'agent.run', status: 'completed', progress: { done: 2, total: 2 } });

    const run = await client.agents.getRun(agent.id, runId, { wait: 5 });
    expect(run).toMatchObject({ id: runId, agentId: agent.id, status: 'completed', postsGenerated: 2, error: null });
    expect((await client.agents.runs(agent.id)).runs.map((r) => r.id)).toEqual([runId]);
    const outputs = await client.agents.outputs(agent.id, { runId });
    expect(outputs.outputs.map((p) => p.platform).sort()).toEqual(['linkedin', 'threads']);
    expect(outputs.outputs.every((p) => p.status === 'draft' && p.content.length > 0)).toBe(true);
    const stats = await client.agents.stats(agent.id);
    expect(stats).toMatchObject({ runs: { total: 1, completed: 1 }, postsGenerated: 2 });

    const changed = await client.agents.update(agent.id, { schedule: '0 9 * * 1-5', timezone: 'Europe/Paris', tone: 'casual' });
    expect(changed).toMatchObject({ schedule: '0 9 * * 1-5', tone: 'casual', nextRunAt: expect.any(String) });
    expect((await client.agents.list()).agents.map((a) => a.id)).toContain(agent.id);
    const bad = await client.agents.update(agent.id, { timezone: 'Mars/Olympus' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 422, code: 'validation_error' });
    expect((bad as LongrunError).message).toContain('timezone');

    expect(await client.agents.delete(agent.id)).toEqual({ id: agent.id, deleted: true });
  });
});
