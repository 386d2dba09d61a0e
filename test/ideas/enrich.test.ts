/**
 * Idea enrichment over HTTP: the seed's GET /ideas/enrich/{jobId} from a real run, platform
 * limits over a table of ideas, and the openai provider against a local chat-completions stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDraft, type PlatformRequest } from '../../src/content/draft.ts';
import { characterLength, twitterLength } from '../../src/content/platforms.ts';
import { localProvider } from '../../src/llm/local.ts';
import { completion, startChatStandIn, type ChatStandIn } from '../helpers/chatStandIn.ts';
import { MARKDOWN } from '../helpers/documents.ts';
import { knowledgeBaseWith } from '../helpers/knowledge.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let remote: TestServer;
let standIn: ChatStandIn;
beforeAll(async () => {
  server = await startTestServer();
  standIn = await startChatStandIn();
  remote = await startTestServer({
    env: {
      LONGRUN_LLM_PROVIDER: 'openai',
      LONGRUN_LLM_BASE_URL: standIn.baseUrl,
      LONGRUN_LLM_MODEL: 'stand-in-1',
      // Far above a loopback answer on a loaded machine; the timeout case is held, not slow.
      LONGRUN_LLM_TIMEOUT_MS: '2000',
      LONGRUN_LLM_MAX_ATTEMPTS: '2',
    },
  });
});
afterAll(async () => {
  await server?.close();
  await remote?.close();
  await standIn?.close();
});

const idea = {
  title: 'Why onboarding decides retention',
  hook: 'Most founders underestimate the cost of bad onboarding.',
  angle: 'Activation is a product problem, not a marketing one.',
};

async function finished(s: TestServer, key: string, jobId: string) {
  let answer = await call(`${s.url}/ideas/enrich/${jobId}?wait=20`, { key });
  while (['queued', 'running'].includes(answer.body.data.status)) answer = await call(`${s.url}/ideas/enrich/${jobId}?wait=20`, { key });
  return answer;
}

describe('idea enrichment', () => {
  it('answers GET /ideas/enrich/{jobId} as the seed shows, drafts cite the knowledge base, 1 credit per draft', async () => {
    const { key } = await server.newOrg('ideas', { credits: 10 });
    const kb = { id: await knowledgeBaseWith(server, key, MARKDOWN, 'https://notes.example.com/onboarding') };

    const accepted = await call(`${server.url}/ideas/enrich`, {
      key,
      json: { idea, kbId: kb.id, platforms: [{ platform: 'twitter', mode: 'thread', threadCount: 3 }, { platform: 'linkedin' }] },
    });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.body).toEqual({ success: true, data: { jobId: expect.stringMatching(/^enrich_job_[0-9A-Z]{26}$/), status: 'queued' } });
    const done = await finished(server, key, accepted.body.data.jobId);
    expect(done.status).toBe(200);
    expect(Object.keys(done.body)).toEqual(['success', 'data']);
    expect(Object.keys(done.body.data).sort()).toEqual(['createdAt', 'enrichedContent', 'jobId', 'status']);
    expect(done.body.data).toMatchObject({ jobId: accepted.body.data.jobId, status: 'completed', createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    const content = done.body.data.enrichedContent as string;
    expect(content).toMatch(/^X \(thread\)\n1\/3 Most founders underestimate the cost of bad onboarding\./);
    expect(content).toMatch(/LinkedIn \(standard\)\n/);
    expect(content).toContain('Sources: Onboarding playbook (https://notes.example.com/onboarding)');

    const drafts = (await call(`${server.url}/ideas/enrich/${accepted.body.data.jobId}/drafts`, { key })).body.data;
    expect(drafts.drafts.map((d: { platform: string; posts: string[] }) => [d.platform, d.posts.length])).toEqual([
      ['twitter', 3],
      ['linkedin', 1],
    ]);
    expect(drafts.drafts[0].sources).toEqual(['https://notes.example.com/onboarding']);
    expect(drafts.tokensUsed).toBeGreaterThan(50);
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 8, reserved: 0 });

    const anonymous = await call(`${server.url}/ideas/enrich/${accepted.body.data.jobId}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ success: false, error: 'unauthorized', message: 'Missing or invalid API key.' });
    const stranger = await server.newOrg('ideas-stranger');
    expect((await call(`${server.url}/ideas/enrich/${accepted.body.data.jobId}`, { key: stranger.key })).status).toBe(404);
  });

  it('keeps every platform limit for every draft, whatever the idea is made of', async () => {
    const ideas = [
      { title: 'Short' },
      { title: 'Long ' + 'onboarding '.repeat(60), hook: 'A very long hook sentence that goes on and on. '.repeat(30), angle: 'An angle. '.repeat(100) },
      { title: 'Émigré café naïveté', hook: 'Ünïcödé everywhere — “quoted” and accented, déjà vu. '.repeat(20) },
      { title: '日本語のアイデア', hook: '日本語の文章です。'.repeat(80) },
      { title: 'Emoji 🚀 launch', hook: 'Ship it 🚀🔥✨ and celebrate 👩🏽‍💻👨‍👩‍👧! '.repeat(40) },
      { title: 'Links', hook: `Read https://example.com/${'x'.repeat(300)} now. `.repeat(10) },
    ];
    const requests: PlatformRequest[] = [
      { platform: 'twitter' },
      { platform: 'twitter', mode: 'premium' },
      { platform: 'twitter', mode: 'thread', threadCount: 5 },
      { platform: 'linkedin' },
      { platform: 'linkedin', targetLength: 120 },
      { platform: 'threads' },
      { platform: 'instagram' },
      { platform: 'youtube', mode: 'video' },
    ];
    const limits: Record<string, number> = { twitter: 280, linkedin: 3000, threads: 500, instagram: 2200, youtube: 5000 };
    for (const i of ideas) {
      for (const r of requests) {
        const draft = await writeDraft(localProvider(), i, [], r);
        const measure = r.platform === 'twitter' ? twitterLength : characterLength;
        const limit = r.targetLength ?? (r.mode === 'premium' ? 25_000 : limits[r.platform]!);
        for (const post of draft.posts) expect(measure(post), `${r.platform}/${r.mode} ${i.title.slice(0, 20)}`).toBeLessThanOrEqual(limit);
        if (r.mode === 'thread') {
          expect(draft.posts).toHaveLength(5);
          draft.posts.forEach((p, n) => expect(p.startsWith(`${n + 1}/5 `)).toBe(true));
        }
        if (r.platform === 'youtube') expect(characterLength(draft.title!)).toBeLessThanOrEqual(100);
      }
    }
  });
});

describe('idea enrichment with the openai provider', () => {
  const submit = (key: string) => call(`${remote.url}/ideas/enrich`, { key, json: { idea, platforms: [{ platform: 'threads' }] } });

  it('writes with the remote service, counts its reported tokens, and survives a 429', async () => {
    const { key } = await remote.newOrg('remote', { credits: 5 });
    standIn.requests.length = 0;
    standIn.answer = (n) =>
      n === 1
        ? { status: 429, headers: { 'retry-after': '0' } }
        : { body: completion('Onboarding is where retention is decided. Cut the form; keep the checklist.', { prompt_tokens: 120, completion_tokens: 30 }) };
    const done = await finished(remote, key, (await submit(key)).body.data.jobId);
    expect(done.body.data).toMatchObject({
      status: 'completed',
      enrichedContent: 'Threads (standard)\nOnboarding is where retention is decided. Cut the form; keep the checklist.',
    });
    const drafts = (await call(`${remote.url}/ideas/enrich/${done.body.data.jobId}/drafts`, { key })).body.data;
    expect(drafts.tokensUsed).toBe(150);
    expect(standIn.requests).toHaveLength(2);
    expect(standIn.requests[1]!.body.model).toBe('stand-in-1');
    expect(standIn.requests[1]!.body.messages[1]!.content).toContain('- Most founders underestimate the cost of bad onboarding.');
    expect((await call(`${remote.url}/credits`, { key })).body.data).toEqual({ available: 4, reserved: 0 });
  });

  it('fails the job with a clear code and charges nothing when the service misbehaves', async () => {
    for (const [answer, code] of [
      [{ body: 'not json at all' }, 'LLM_BAD_RESPONSE'],
      [{ after: new Promise(() => {}) }, 'LLM_TIMEOUT'],
      [{ status: 503 }, 'LLM_UNAVAILABLE'],
    ] as const) {
      const { key } = await remote.newOrg(`remote-${code}`, { credits: 5 });
      standIn.answer = () => answer;
      const done = await finished(remote, key, (await submit(key)).body.data.jobId);
      expect(done.body.data.status, code).toBe('failed');
      expect(done.body.data.enrichedContent).toBeUndefined();
      const job = (await call(`${remote.url}/jobs/${done.body.data.jobId}`, { key })).body.data;
      expect(job.error.code).toBe(code);
      expect((await call(`${remote.url}/credits`, { key })).body.data).toEqual({ available: 5, reserved: 0 });
    }
  });
});
