/**
 * `enrichment`: an enrichment run, one item per profile. Each profile is scored in full against
 * the role of the latest sourcing run of the organisation that returned it, as of that run's
 * creation time (so enriching twice gives the same candidate unless the profile changed).
 *
 * Guarantees: each profile is independent and has a 10 s budget; a profile that no sourcing run
 * of the organisation returned fails with PROFILE_NOT_FOUND; an unexpected fault fails only its
 * profile. Only enriched profiles are charged (1 credit each). A run none of whose profiles
 * could be processed because of faults (not because they were unknown) ends `failed` with
 * INTERNAL_ERROR, as does a run whose kind code faults.
 */
import { defineKind, type JobKind, type JobOutcome, PermanentError } from '../../../engine/index.ts';
import { uuidv7 } from '../../../ids.ts';
import { parseRole, type Role } from '../scoring/requirements.ts';
import { scoreProfile } from '../scoring/score.ts';
import type { Db } from '../../../store/database.ts';
import type { Resume } from '../talentPool/schemas.ts';
import { profileGetForOrg } from '../talentPool/sql/profilesRead.ts';
import { sourcingRunLatestForProfile } from '../runs/sourcingRunProfiles.ts';
import { EnrichmentInput } from './schemas.ts';

export const PROFILE_NOT_FOUND_MESSAGE = 'Profile not found in any sourcing session for this company.';
export const ENRICHMENT_FAILED_MESSAGE = 'An unexpected error occurred during enrichment.';

/** Codes that mean "this profile could not be processed" rather than "this profile is unknown". */
const FAULTS = new Set(['INTERNAL_ERROR', 'TIMEOUT']);

export function enrichmentKind(db: Db): JobKind<EnrichmentInput> {
  return defineKind<EnrichmentInput>({
    name: 'enrichment',
    rerunnable: true,
    scope: 'enrich',
    inputSchema: EnrichmentInput,
    newJobId: () => `enr_${uuidv7()}`,
    creditsPerItem: 1,
    maxAttempts: 2,
    itemTimeoutMs: 10_000,
    faultMessage: ENRICHMENT_FAILED_MESSAGE,
    webhooks: { completed: 'ENRICH_COMPLETED', failed: 'ENRICH_FAILED', resultsPath: (id) => `/sourcing/enrich/${id}/results` },
    items: (input) => input.profileIds.map((id) => ({ key: id })),
    async process({ orgId, item }) {
      const run = await sourcingRunLatestForProfile(db, orgId, item.key);
      const profile = run && (await profileGetForOrg(db, orgId, item.key));
      if (!run || !profile) throw new PermanentError('PROFILE_NOT_FOUND', PROFILE_NOT_FOUND_MESSAGE);
      const role = parseRole(JSON.parse(run.input) as Role);
      const resume = JSON.parse(profile.resume) as Resume;
      const emails = JSON.parse(profile.emails) as string[];
      return scoreProfile(role, { profileId: profile.id, resume, linkedinUrl: profile.linkedin_url, emails }, new Date(run.createdAt)).candidate;
    },
    finish(_input, items): JobOutcome {
      const faulted = items.every((i) => i.status === 'failed' && FAULTS.has(i.errorCode ?? ''));
      return faulted ? { status: 'failed', errorCode: 'INTERNAL_ERROR', errorMessage: ENRICHMENT_FAILED_MESSAGE } : { status: 'completed' };
    },
  });
}
