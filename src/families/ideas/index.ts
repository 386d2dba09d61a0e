/**
 * Ideas: knowledge bases (documents uploaded or fetched, cut into passages, searchable) and
 * drafts of an idea for each social platform, written from the passages found for it.
 */
import type { Family, FamilyDeps } from '../family.ts';
import { ideaEnrichKind } from './drafts/kind.ts';
import { ideaRoutes } from './drafts/routes.ts';
import { ingestKind } from './kb/ingestKind.ts';
import { kbRoutes } from './kb/routes.ts';

export { knowledgeReader } from './kb/knowledge.ts';

/** Largest knowledge-base document, uploaded or fetched. */
const KB_DOC_MAX_BYTES = 20 * 1024 * 1024;

export function ideasFamily({ store, engine, urlGuard, text, storage }: FamilyDeps): Family {
  const { db } = store;
  const ingest = ingestKind(db, { ...urlGuard, maxBytes: KB_DOC_MAX_BYTES }, storage);
  const enrich = ideaEnrichKind(db, text);
  return {
    name: 'ideas',
    kinds: [ingest, enrich],
    async routes(app) {
      await app.register(kbRoutes, { db, engine, ingest, guard: urlGuard, maxDocBytes: KB_DOC_MAX_BYTES, storage });
      await app.register(ideaRoutes, { db, engine, kind: enrich });
    },
  };
}
