/**
 * Which profiles a sourcing run returned. Written in the transaction that records the run's
 * result, so a profile counts as "found in a sourcing run" exactly when that run's result is
 * stored. Rows go with their run (retention) and with their profile (deletion).
 */
import type { Db } from '../../../store/database.ts';

export async function sourcingRunProfilesInsertMany(
  trx: Db,
  run: { runId: string; orgId: string; createdAt: string },
  candidates: { profileId: string; matchScore: number }[],
): Promise<void> {
  if (candidates.length === 0) return;
  await trx
    .insertInto('sourcing_run_profiles')
    .values(
      candidates.map((c, rank) => ({
        run_id: run.runId,
        org_id: run.orgId,
        profile_id: c.profileId,
        rank: rank + 1,
        match_score: c.matchScore,
        created_at: run.createdAt,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export interface ProfileRunContext {
  runId: string;
  /** The run's submitted input: the role. */
  input: string;
  createdAt: string;
}

/** The latest sourcing run of the organisation that returned the profile, if any. */
export async function sourcingRunLatestForProfile(db: Db, orgId: string, profileId: string): Promise<ProfileRunContext | undefined> {
  const row = await db
    .selectFrom('sourcing_run_profiles as s')
    .innerJoin('jobs as j', 'j.id', 's.run_id')
    .select(['s.run_id', 'j.input', 'j.created_at'])
    .where('s.org_id', '=', orgId)
    .where('s.profile_id', '=', profileId)
    .orderBy('s.created_at', 'desc')
    .orderBy('s.run_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { runId: row.run_id, input: row.input, createdAt: row.created_at };
}
