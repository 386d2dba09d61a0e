/** Knowledge-base documents made over HTTP, and waiting for their ingestion. */
import { call, type Answer, type TestServer } from './testServer.ts';
import { until } from './wait.ts';

/**
 * A document once its ingestion (a job) has ended: `indexed` or `failed`. Documents have no
 * long-poll, so this asks the document route again until it has.
 */
export async function documentWhenIngested(url: string, key: string, kbId: string, docId: string): Promise<Answer['body']> {
  let doc: Answer['body'];
  await until(
    `document ${docId} is ingested`,
    async () => {
      doc = (await call(`${url}/kbs/${kbId}/docs/${docId}`, { key })).body.data;
      return doc.status !== 'processing';
    },
    { timeoutMs: 20_000 },
  );
  return doc;
}

/** A knowledge base with one Markdown document, indexed and ready to search. */
export async function knowledgeBaseWith(server: Pick<TestServer, 'url'>, key: string, markdown: string, uri: string): Promise<string> {
  const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } })).body.data;
  const doc = await fetch(`${server.url}/kbs/${kb.id}/docs?uri=${encodeURIComponent(uri)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/markdown' },
    body: markdown,
  });
  const docId = (await doc.json()).data.id;
  const ingested = await documentWhenIngested(server.url, key, kb.id, docId);
  if (ingested.status !== 'indexed') throw new Error(`document ${docId} is ${ingested.status}: ${JSON.stringify(ingested.error)}`);
  return kb.id;
}
