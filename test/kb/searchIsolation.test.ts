/**
 * No side channel through search statistics: a knowledge base's search scores and ranks depend
 * only on that knowledge base's passages, and a talent-pool search only on the organisation's
 * own profiles — whatever other organisations (or the same organisation's other knowledge
 * bases) index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileImportMany } from '../../src/families/sourcing/talentPool/sql/profileImportMany.ts';
import { searchTerms } from '../../src/searchTerms.ts';
import { profileSearch } from '../../src/families/sourcing/talentPool/sql/profileSearch.ts';
import type { Resume } from '../../src/families/sourcing/talentPool/schemas.ts';
import { documentWhenIngested } from '../helpers/knowledge.ts';
import { resume } from '../helpers/sourcing.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function kbWith(key: string, documents: string[]): Promise<string> {
  const kb = (await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } })).body.data;
  const ids: string[] = [];
  for (const text of documents) {
    const response = await fetch(`${server.url}/kbs/${kb.id}/docs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
      body: text,
    });
    expect(response.status).toBe(202);
    ids.push((await response.json()).data.id);
  }
  for (const id of ids) expect((await documentWhenIngested(server.url, key, kb.id, id)).status, id).toBe('indexed');
  return kb.id;
}

/** Paragraphs long enough to be passages of their own, each saying `word` a few times. */
const manyPassages = (word: string, count: number) =>
  Array.from({ length: count }, (_, i) => `Note ${i}: ${`the ${word} sheet was reviewed again and the ${word} stayed as agreed. `.repeat(8)}`).join('\n\n');

describe('search statistics stay within their scope', () => {
  it('a knowledge base scores and ranks the same however many passages with the word other knowledge bases index', async () => {
    const a = await server.newOrg('kb-stats-a');
    const kbId = await kbWith(a.key, [
      'Our pricing page lists three plans; pricing changes need the pricing committee.',
      'A discount is given to schools.',
      'Pricing and discount rules for resellers: the discount stacks with pricing tiers.',
      'The office plants are watered on Mondays.',
    ]);
    const search = async () => (await call(`${server.url}/kbs/${kbId}/search`, { key: a.key, json: { query: 'pricing discount', limit: 10 } })).body.data;
    const before = await search();
    expect(before.total).toBe(3);
    expect(new Set(before.results.map((r: { score: number }) => r.score)).size).toBeGreaterThan(1);

    const b = await server.newOrg('kb-stats-b');
    await kbWith(b.key, [manyPassages('pricing', 30), manyPassages('pricing', 30)]);
    await kbWith(a.key, [manyPassages('pricing', 20)]); // the same organisation's other knowledge base

    expect(await search()).toEqual(before);
  });

  it('a talent-pool search gives the same relevance and order however many profiles with the word another organisation imports', async () => {
    const db = server.store.db;
    const a = await server.newOrg('pool-stats-a');
    await profileImportMany(db, a.org.id, [
      resume('Ada Kern', 'ada@example.com', {
        label: 'Rust engineer',
        skills: ['Rust'],
        work: [{ name: 'Acme', position: 'Rust Engineer', highlights: ['Wrote a Kafka consumer in Rust.'] }],
      }),
      resume('Bo Lind', 'bo@example.com', {
        label: 'Kafka operator',
        work: [{ name: 'Beta', position: 'Platform Engineer', highlights: ['Ran Kafka clusters.'] }],
      }),
      resume('Cy Dorn', 'cy@example.com', { label: 'Rust and Kafka', skills: ['Rust', 'Kafka'] }),
      resume('Di Falk', 'di@example.com', { label: 'Gardener' }),
    ] as Resume[]);
    const terms = searchTerms(['rust', 'kafka']);
    const before = await profileSearch(db, a.org.id, terms, 200);
    expect(before.found).toBe(3);
    expect(new Set(before.hits.map((h) => h.relevance)).size).toBeGreaterThan(1);

    const b = await server.newOrg('pool-stats-b');
    const crowd = Array.from({ length: 60 }, (_, i) =>
      resume(`Person ${i}`, `p${i}@example.org`, {
        label: 'Rust developer',
        skills: ['Rust'],
        work: [{ name: 'Crowd', position: 'Rust Developer', highlights: ['Rust, Rust and more Rust.'] }],
      }),
    );
    await profileImportMany(db, b.org.id, crowd as Resume[]);

    expect(await profileSearch(db, a.org.id, terms, 200)).toEqual(before);
  });
});
