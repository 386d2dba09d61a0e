/**
 * `sourcing`: a sourcing run. One unit of work: search the organisation's pool for the role
 * (full text over headlines, titles, skills and highlights), score the best matches with the
 * scoring model, and keep the top `limit`.
 *
 * Credits: `limit` is reserved at submission; 1 credit per candidate returned is charged, the
 * rest released. The profiles returned are recorded with the result (same transaction), which
 * is what makes them enrichable.
 */
import { defineKind, type JobKind } from '../../../engine/index.ts';
import { uuidv7 } from '../../../ids.ts';
import type { Candidate } from '../scoring/schemas.ts';
import { parseRole, type RoleRequirements } from '../scoring/requirements.ts';
import { scoreProfile } from '../scoring/score.ts';
import { skillToken } from '../scoring/skills.ts';
import { isRoleNoun, titleWords } from '../scoring/titles.ts';
import type { Db } from '../../../store/database.ts';
import { searchTerms } from '../../../searchTerms.ts';
import { profileSearch } from '../talentPool/sql/profileSearch.ts';
import { profilesGetManyForOrg } from '../talentPool/sql/profilesRead.ts';
import type { Resume } from '../talentPool/schemas.ts';
import { SourcingInput } from './schemas.ts';
import { sourcingRunProfilesInsertMany } from './sourcingRunProfiles.ts';

export interface SourcingResult {
  foundCount: number;
  scoredCount: number;
  candidates: Candidate[];
}

/** How many search hits are scored: enough that the scoring model, not bm25, picks the top. */
export function scoringPoolSize(limit: number): number {
  return Math.max(200, limit * 10);
}

/**
 * What a run searches the pool for: the title's words and the role's skills (as index tokens),
 * and the `query` words. Seniority words are left out ("Senior" would find every senior
 * accountant), and so are role nouns ("engineer" matches 57% of `npm run bench -- sourcing`'s
 * 100k pool, and the search would rank most of it) unless the role gives
 * fewer than three other words.
 */
export function searchWordsFor(input: SourcingInput, role: RoleRequirements): string[] {
  const skills = [...role.mustHave, ...role.niceToHave].flatMap((r) => r.anyOf.map(skillToken));
  const title = titleWords(input.title);
  const specific = [...title.filter((w) => !isRoleNoun(w)), ...skills];
  return [...(specific.length >= 3 ? specific : [...title, ...skills]), ...(input.query ?? '').split(/\W+/)];
}

export function sourcingKind(db: Db): JobKind<SourcingInput> {
  return defineKind<SourcingInput>({
    name: 'sourcing',
    rerunnable: true,
    scope: 'sourcing',
    inputSchema: SourcingInput,
    newJobId: () => `req_${uuidv7()}`,
    maxAttempts: 3,
    itemTimeoutMs: 60_000,
    faultMessage: 'An unexpected error occurred during sourcing.',
    webhooks: { completed: 'SOURCING_COMPLETED', failed: 'SOURCING_FAILED', resultsPath: (id) => `/sourcing/${id}/results` },
    pricing: {
      maxPerItem: (input) => input.limit,
      forResult: (result) => (result as SourcingResult).candidates.length,
    },
    async process({ orgId, input, createdAt, signal }): Promise<SourcingResult> {
      const role = parseRole(input);
      const { hits, found } = await profileSearch(db, orgId, searchTerms(searchWordsFor(input, role)), scoringPoolSize(input.limit));
      signal.throwIfAborted();
      const relevance = new Map(hits.map((h) => [h.profileId, h.relevance]));
      const rows = await profilesGetManyForOrg(
        db,
        orgId,
        hits.map((h) => h.profileId),
      );
      const asOf = new Date(createdAt);
      const scored = rows.map((row) => ({
        candidate: scoreProfile(
          role,
          { profileId: row.id, resume: JSON.parse(row.resume) as Resume, linkedinUrl: row.linkedin_url, emails: JSON.parse(row.emails) as string[] },
          asOf,
        ).candidate,
        relevance: relevance.get(row.id) ?? 0,
      }));
      // Best score first; ties by search relevance, then by ID, so a run's order never varies.
      scored.sort(
        (a, b) => b.candidate.matchScore - a.candidate.matchScore || b.relevance - a.relevance || a.candidate.profileId.localeCompare(b.candidate.profileId),
      );
      return { foundCount: found, scoredCount: scored.length, candidates: scored.slice(0, input.limit).map((s) => s.candidate) };
    },
    async commitResult(trx, { jobId, orgId, createdAt, result }) {
      await sourcingRunProfilesInsertMany(trx, { runId: jobId, orgId, createdAt }, (result as SourcingResult).candidates);
    },
  });
}
