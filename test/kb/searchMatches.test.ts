/**
 * A knowledge-base search never returns a passage that holds none of the query's words: a word
 * found only in a section's heading is not a hit for that section's passage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeBaseWith } from '../helpers/knowledge.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let kbId: string;
const PLAYBOOK = [
  '# Refund playbook',
  '',
  'Customers write in when an order arrives late. Answer within a day.',
  '',
  '## Escalation',
  '',
  'A manager signs off every refund above fifty euros.',
  '',
  '## Tone',
  '',
  'Be warm and brief; never promise what the warehouse cannot do.',
].join('\n');

beforeAll(async () => {
  server = await startTestServer();
  kbId = await knowledgeBaseWith(server, server.key, PLAYBOOK, 'playbook.md');
});
afterAll(() => server?.close());

const search = async (query: string) => (await call(`${server.url}/kbs/${kbId}/search`, { key: server.key, json: { query, limit: 10 } })).body.data;
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

describe('knowledge-base search', () => {
  it('does not return a passage for a word only its heading has', async () => {
    // "Escalation" and "Tone" are headings; their passages do not use the words.
    expect((await search('escalation')).results).toEqual([]);
    expect((await search('tone')).total).toBe(0);
    // The heading "Refund playbook" is over every passage, "refund" is in one passage's text.
    const refund = await search('refund');
    expect(refund.results.map((r: { content: string }) => r.content)).toEqual(['A manager signs off every refund above fifty euros.']);
    expect(refund.total).toBe(1);
  });

  it('returns only passages holding at least one of the query’s words, for any mix of words', async () => {
    for (const query of ['playbook warehouse', 'escalation manager', 'tone warm', 'late order', 'Refund Playbook Escalation Tone', 'EUROS', 'customers']) {
      const { results } = await search(query);
      expect(results.length, query).toBeGreaterThan(0);
      const words = fold(query)
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length >= 2);
      for (const r of results as { content: string; matchReason: string }[]) {
        const text = ` ${fold(r.content).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
        expect(
          words.some((w) => text.includes(` ${w} `)),
          `${query}: ${r.content}`,
        ).toBe(true);
        expect(r.matchReason, query).toMatch(/^matched: /);
      }
    }
  });
});
