/**
 * `idea.enrich`: drafts for an idea, one item per requested platform (so each draft is charged
 * on its own: 1 credit when it succeeds). Each item finds the knowledge-base passages for the
 * idea (when `kbId` is given), asks the text-generation provider, and fits the text to the
 * platform. A provider failure fails that draft with its code (LLM_TIMEOUT, LLM_RATE_LIMITED, …),
 * uncharged; when every draft failed the job fails with the first one's code.
 */
import { defineKind, type JobKind, type JobOutcome, PermanentError } from '../../../engine/index.ts';
import { newId } from '../../../ids.ts';
import { passagesSearch } from '../kb/sql/chunks.ts';
import { LlmError, type TextProvider } from '../../../llm/provider.ts';
import type { Db } from '../../../store/database.ts';
import { searchTerms } from '../../../searchTerms.ts';
import { writeDraft, type PlatformRequest } from '../../../content/draft.ts';
import { IdeaEnrichInput } from './schemas.ts';

export function ideaEnrichKind(db: Db, provider: TextProvider): JobKind<IdeaEnrichInput> {
  return defineKind<IdeaEnrichInput>({
    name: 'idea.enrich',
    rerunnable: true,
    scope: 'kb',
    newJobId: () => newId('enrich_job'),
    creditsPerItem: 1,
    maxAttempts: 2,
    itemTimeoutMs: 5 * 60_000,
    faultMessage: 'An unexpected error occurred while writing the drafts.',
    webhooks: { completed: 'idea.enrich.completed', failed: 'idea.enrich.failed', resultsPath: (id) => `/ideas/enrich/${id}` },
    items: (input) => input.platforms.map((p, i) => ({ key: `${i + 1}-${p.platform}`, input: p })),
    async process({ input, item, signal }) {
      const { idea } = input;
      const passages = input.kbId
        ? (await passagesSearch(db, input.kbId, searchTerms([idea.title, idea.hook ?? '', idea.angle ?? ''].join(' ').split(/[^\p{L}\p{N}]+/u)), 3)).hits
        : [];
      try {
        return await writeDraft(provider, idea, passages, item.input as PlatformRequest, signal);
      } catch (error) {
        if (error instanceof LlmError) throw new PermanentError(error.code, error.message);
        throw error;
      }
    },
    finish(_input, items): JobOutcome {
      const failed = items.filter((i) => i.status === 'failed');
      if (failed.length === items.length)
        return { status: 'failed', errorCode: failed[0]!.errorCode ?? 'INTERNAL_ERROR', errorMessage: failed[0]!.errorMessage ?? 'No draft could be written.' };
      return { status: 'completed' };
    },
  });
}
