/** A knowledge base with one Markdown document, indexed and ready to search, made over HTTP. */
import { call, type TestServer } from './testServer.ts';

export async function knowledgeBaseWith(server: Pick<TestServer, 'url'>, key: string, markdown: string, uri: string): Promise<string> {
  const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } })).body.data;
  const doc = await fetch(`${server.url}/kbs/${kb.id}/docs?uri=${encodeURIComponent(uri)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/markdown' },
    body: markdown,
  });
  const docId = (await doc.json()).data.id;
  // Ingestion is a job: poll its document (a plain poll; documents have no long-poll).
  for (let i = 0; i < 200; i++) {
    const { status } = (await call(`${server.url}/kbs/${kb.id}/docs/${docId}`, { key })).body.data;
    if (status === 'indexed') return kb.id;
    if (status === 'failed') throw new Error(`document ${docId} failed to index`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`document ${docId} was not indexed in time`);
}
