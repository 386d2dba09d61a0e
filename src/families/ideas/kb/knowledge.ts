/** The knowledge bases as other families read them (ports.ts `KnowledgeReader`): agents write about their passages. */
import type { KnowledgeReader } from '../../ports.ts';
import { passagesInKb, passagesSearch } from './sql/chunks.ts';
import { kbFindForOrg } from './sql/kbs.ts';

export const knowledgeReader: KnowledgeReader = {
  async kbExists(db, orgId, kbId) {
    return (await kbFindForOrg(db, orgId, kbId)) !== undefined;
  },
  passagesInOrder: passagesInKb,
  async passagesRanked(db, kbId, terms, limit) {
    // Only a ranking, no passage is shown: a section whose heading names the subject counts.
    const { hits } = await passagesSearch(db, kbId, terms, limit, 'text-or-heading');
    return hits.map((hit) => ({ passageId: hit.chunkId, score: hit.score }));
  },
};
