import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML, MARKDOWN, TEXT, makePdf } from '../helpers/documents.ts';
import { documentWhenIngested } from '../helpers/knowledge.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function upload(key: string, kbId: string, body: string | Buffer, type: string, title?: string) {
  const query = title ? `?title=${encodeURIComponent(title)}` : '';
  const response = await fetch(`${server.url}/kbs/${kbId}/docs${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const json = await response.json();
  expect(response.status, JSON.stringify(json)).toBe(202);
  return json.data as { id: string; status: string };
}

const settled = (key: string, kbId: string, docId: string) => documentWhenIngested(server.url, key, kbId, docId);

const search = (key: string, kbId: string, query: string) => call(`${server.url}/kbs/${kbId}/search`, { key, json: { query, limit: 5 } });

describe('knowledge bases', () => {
  it('ingests text, Markdown, HTML and PDF, and finds a passage by a word only it has', async () => {
    const { key } = await server.newOrg('kb');
    const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'Growth notes', description: 'What we learned' } })).body.data;
    expect(kb).toMatchObject({ id: expect.stringMatching(/^kb_/), name: 'Growth notes', documents: 0 });

    const docs = {
      text: await upload(key, kb.id, TEXT, 'text/plain', 'Support'),
      markdown: await upload(key, kb.id, MARKDOWN, 'text/markdown'),
      html: await upload(key, kb.id, HTML, 'text/html'),
      pdf: await upload(key, kb.id, makePdf(['Quarterly review', 'The xylophonic metric rose by 12 percent.']), 'application/pdf', 'Q3'),
    };
    for (const [type, doc] of Object.entries(docs)) {
      const done = await settled(key, kb.id, doc.id);
      expect(done.status, `${type}: ${done.error}`).toBe('indexed');
      expect(done.passages).toBeGreaterThanOrEqual(1);
    }
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${docs.markdown.id}`, { key })).body.data).toMatchObject({ title: 'Onboarding playbook', passages: 3 });
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${docs.html.id}`, { key })).body.data.title).toBe('Pricing notes');

    for (const [word, expected] of [
      ['kumquatish', /three fields/],
      ['zeppelinesque', /onboarding tour/],
      ['quillwort', /discount of 20%/],
      ['xylophonic', /rose by 12 percent/],
    ] as const) {
      const found = await search(key, kb.id, word);
      expect(found.body.data.total, word).toBe(1);
      expect(found.body.data.results[0]).toMatchObject({ content: expect.stringMatching(expected), score: 1, matchReason: `matched: ${word}` });
    }
    // Words of any script, with or without their accents.
    const intl = await upload(key, kb.id, 'Приветствие клиентов важно. Un café crème pour l’équipe.', 'text/plain');
    expect((await settled(key, kb.id, intl.id)).status).toBe('indexed');
    expect((await search(key, kb.id, 'Приветствие')).body.data.results[0].content).toMatch(/клиентов/);
    expect((await search(key, kb.id, 'equipe')).body.data.total).toBe(1);
    expect((await search(key, kb.id, 'crème')).body.data.total).toBe(1);
    // Scripts and styles are not text.
    expect((await search(key, kb.id, 'secretscriptword secretstyleword')).body.data.total).toBe(0);
    // Several words: best first, each result says which words it has.
    const both = await search(key, kb.id, 'onboarding churn');
    expect(both.body.data.results.length).toBeGreaterThanOrEqual(2);
    expect(both.body.data.results.every((r: { matchReason: string }) => /onboarding|churn/.test(r.matchReason))).toBe(true);
    expect((await call(`${server.url}/kbs/${kb.id}`, { key })).body.data.documents).toBe(5);
  });

  it('fails a PDF that is not a PDF with a clear reason', async () => {
    const { key } = await server.newOrg('kb-bad');
    const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'x' } })).body.data;
    const doc = await upload(key, kb.id, 'this is certainly not a pdf', 'application/pdf');
    const done = await settled(key, kb.id, doc.id);
    expect(done).toMatchObject({ status: 'failed', passages: 0, error: 'The file is not a PDF (it does not start with %PDF-).' });
    const broken = await upload(key, kb.id, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200, 1)]), 'application/pdf');
    expect((await settled(key, kb.id, broken.id)).error).toMatch(/^The PDF could not be read/);
  });

  it('deletes a document with its passages once ingested, not while it is processing', async () => {
    const { key } = await server.newOrg('kb-doc-delete');
    const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'two docs' } })).body.data;
    const kept = await upload(key, kb.id, TEXT, 'text/plain');
    const gone = await upload(key, kb.id, MARKDOWN, 'text/markdown');
    await settled(key, kb.id, kept.id);
    await settled(key, kb.id, gone.id);
    expect((await search(key, kb.id, 'kumquatish')).body.data.total).toBe(1);

    const other = await server.newOrg('kb-doc-delete-other');
    const foreign = await call(`${server.url}/kbs/${kb.id}/docs/${gone.id}`, { key: other.key, method: 'DELETE' });
    expect(foreign.status).toBe(404);

    const deleted = await call(`${server.url}/kbs/${kb.id}/docs/${gone.id}`, { key, method: 'DELETE' });
    expect(deleted.body.data).toEqual({ id: gone.id, deleted: true });
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${gone.id}`, { key })).status).toBe(404);
    expect((await search(key, kb.id, 'kumquatish')).body.data.total).toBe(0);
    expect((await search(key, kb.id, 'zeppelinesque')).body.data.total).toBe(1);
    expect((await call(`${server.url}/kbs/${kb.id}`, { key })).body.data.documents).toBe(1);
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${gone.id}`, { key, method: 'DELETE' })).status).toBe(404);

    // Workers paused: the new document stays processing, and is not deleted under its ingestion.
    await server.engine.stop();
    try {
      const pending = await upload(key, kb.id, TEXT, 'text/plain');
      const refused = await call(`${server.url}/kbs/${kb.id}/docs/${pending.id}`, { key, method: 'DELETE' });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toBe('conflict');
    } finally {
      server.engine.start();
    }
  });

  it('keeps knowledge bases apart, refuses private URLs, and deletes', async () => {
    const { key } = await server.newOrg('kb-owner');
    const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'mine' } })).body.data;
    await settled(key, kb.id, (await upload(key, kb.id, TEXT, 'text/plain')).id);
    const other = await server.newOrg('kb-other');
    expect((await call(`${server.url}/kbs/${kb.id}`, { key: other.key })).status).toBe(404);
    expect((await search(other.key, kb.id, 'zeppelinesque')).status).toBe(404);
    const theirs = (await call(`${server.url}/kbs`, { key: other.key, json: { name: 'theirs' } })).body.data;
    expect((await search(other.key, theirs.id, 'zeppelinesque')).body.data.total).toBe(0);

    const refused = await call(`${server.url}/kbs/${kb.id}/docs`, { key, json: { url: 'https://169.254.169.254/latest/meta-data' } });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/refused/);

    expect((await call(`${server.url}/kbs/${kb.id}`, { key, method: 'DELETE' })).body.data).toEqual({ id: kb.id, deleted: true });
    expect((await call(`${server.url}/kbs/${kb.id}`, { key })).status).toBe(404);
    expect((await call(`${server.url}/kbs`, { key })).body.data.total).toBe(0);
  });
});
