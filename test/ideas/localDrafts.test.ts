/**
 * Text written without a model (the `local` provider) reads like a post on every platform: no
 * post that is only a heading, "Sources:" once, and sources named by their document's title
 * (with the URL for a document from the web), never `upload://doc_…`. Also over HTTP: an agent
 * writing from an uploaded Markdown playbook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceLabel, writeDraft, type PassageInput, type PlatformRequest } from '../../src/content/draft.ts';
import type { TextProvider } from '../../src/llm/provider.ts';
import { localProvider } from '../../src/llm/local.ts';
import { documentWhenIngested } from '../helpers/knowledge.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

const REQUESTS: PlatformRequest[] = [
  { platform: 'twitter' },
  { platform: 'twitter', mode: 'thread', threadCount: 3 },
  { platform: 'twitter', mode: 'thread', threadCount: 5 },
  { platform: 'linkedin' },
  { platform: 'instagram' },
  { platform: 'youtube' },
  { platform: 'threads' },
  { platform: 'threads', targetLength: 200 },
];

const LONG =
  'A manager signs off every refund above fifty euros, and the support lead keeps a weekly log of each one so that finance can reconcile the refunds ' +
  'against the orders and the warehouse returns, which takes a while but keeps everyone honest about what was promised to whom and when. ' +
  'Refunds below that go out the same day.';
const uploaded: PassageInput = { uri: 'upload://doc_01JABCDEFGHJKMNPQRSTVWXYZ0', title: 'Refund playbook', content: LONG };
const fromTheWeb: PassageInput = { uri: 'https://notes.example.com/refunds', title: 'Refund notes', content: 'Refunds are logged weekly.' };

/** A post's words, without a thread's "n/N" and the Sources line. */
const body = (post: string) =>
  post
    .replace(/^\d+\/\d+ /, '')
    .replace(/\s*Sources: .*$/s, '')
    .trim();

describe('local drafts', () => {
  it.each(REQUESTS.map((r) => [`${r.platform} ${r.mode ?? ''} ${r.threadCount ?? r.targetLength ?? ''}`.trim(), r] as const))(
    '%s: no post is only a heading, and "Sources:" is there once, naming the document',
    async (_name, request) => {
      const draft = await writeDraft(localProvider(), { title: 'Escalation' }, [uploaded], request);
      for (const post of draft.posts) {
        expect(body(post), post).not.toMatch(/^Escalation[.:]?$/);
        expect(body(post).split(/\s+/).length, post).toBeGreaterThanOrEqual(5);
      }
      const text = draft.posts.join('\n');
      expect(text.match(/Sources:/g) ?? [], text).toHaveLength(1);
      expect(text).toContain('Sources: Refund playbook');
      expect(text).not.toContain('upload://');
      expect(draft.sources).toEqual([uploaded.uri]); // the field keeps the URI, for machines
    },
  );

  it('opens with a heading as a lead-in, not as a sentence of its own', async () => {
    const draft = await writeDraft(localProvider(), { title: 'Escalation' }, [{ ...uploaded, content: 'Refunds above fifty euros need a manager.' }], {
      platform: 'linkedin',
    });
    expect(draft.posts[0]).toMatch(/^Escalation: Refunds above fifty euros need a manager\./);
  });

  it('names a web document by its title and URL, an untitled upload without its internal URI', () => {
    expect(sourceLabel(fromTheWeb)).toBe('Refund notes (https://notes.example.com/refunds)');
    expect(sourceLabel({ uri: 'https://notes.example.com/x', title: null })).toBe('https://notes.example.com/x');
    expect(sourceLabel(uploaded)).toBe('Refund playbook');
    expect(sourceLabel({ uri: 'upload://doc_01JABCDEFGHJKMNPQRSTVWXYZ0', title: null })).toBe('an uploaded document');
    expect(sourceLabel({ uri: 'handbook.md', title: null })).toBe('handbook.md');
  });

  it('keeps one "Sources:" line when the provider wrote its own', async () => {
    const echoing: TextProvider = {
      name: 'openai', // a remote model's answer, as a stand-in
      generate: async () => ({ text: 'Refunds above fifty euros need a manager.\nSources: [1] upload://doc_01JABCDEFGHJKMNPQRSTVWXYZ0', tokensUsed: 10 }),
    };
    for (const request of REQUESTS) {
      const draft = await writeDraft(echoing, { title: 'Escalation' }, [uploaded, fromTheWeb], request);
      const text = draft.posts.join('\n');
      expect(text.match(/Sources:/g) ?? [], text).toHaveLength(1);
      expect(text).not.toContain('upload://');
    }
    const linkedin = await writeDraft(echoing, { title: 'Escalation' }, [uploaded, fromTheWeb], { platform: 'linkedin' });
    expect(linkedin.posts[0]).toMatch(/\n\nSources: Refund playbook; Refund notes \(https:\/\/notes\.example\.com\/refunds\)$/);
  });
});

describe('an agent writing from an uploaded playbook', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('names the playbook by its title in every post, not by upload://', async () => {
    const { key } = await server.newOrg('playbook', { credits: 20 });
    const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'Support' } })).body.data;
    const markdown = [
      '# Refund playbook',
      '',
      '## Escalation',
      '',
      LONG,
      '',
      '## Tone',
      '',
      'Be warm and brief; never promise what the warehouse cannot do.',
    ].join('\n');
    const uploadAnswer = await fetch(`${server.url}/kbs/${kb.id}/docs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/markdown' },
      body: markdown,
    });
    const doc = (await uploadAnswer.json()).data;
    expect(doc.uri).toMatch(/^upload:\/\//);
    expect((await documentWhenIngested(server.url, key, kb.id, doc.id)).status).toBe('indexed');

    const agent = (
      await call(`${server.url}/agents`, {
        key,
        json: { name: 'Writer', kbId: kb.id, platforms: ['twitter', 'threads'], postsPerRun: 2, instructions: 'Escalation and tone.' },
      })
    ).body.data;
    const run = await call(`${server.url}/agents/${agent.id}/run`, { key, method: 'POST' });
    expect(run.status, run.text).toBe(202);
    const runId = run.body.data.runId ?? run.body.data.id;
    let answer = await call(`${server.url}/agents/${agent.id}/runs/${runId}?wait=20`, { key });
    while (['queued', 'running'].includes(answer.body.data.status)) answer = await call(`${server.url}/agents/${agent.id}/runs/${runId}?wait=20`, { key });
    expect(answer.body.data.status).toBe('completed');

    const outputs = (await call(`${server.url}/agents/${agent.id}/outputs`, { key })).body.data.outputs as { topic: string; content: string }[];
    expect(outputs).toHaveLength(2);
    for (const post of outputs) {
      expect(post.content.match(/Sources:/g) ?? [], post.content).toHaveLength(1);
      expect(post.content).toContain('Sources: Refund playbook');
      expect(post.content).not.toContain('upload://');
      expect(body(post.content).length, post.content).toBeGreaterThan(post.topic.length + 20);
    }
  });
});
