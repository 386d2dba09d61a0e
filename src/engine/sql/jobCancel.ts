/**
 * Cancels a job of an organisation. A queued job, or a running one, ends `canceled` at once:
 * finished items keep their results and charges, unfinished ones (pending or running) end
 * `canceled` too, in the same transaction (`jobFinalize`), and the rest of the reservation is
 * released. A
 * worker running it finds out at its next heartbeat or checkpoint (its lease check fails) and
 * aborts the processor's signal; what that item produced is not recorded.
 */
import type { Db } from '../../store/database.ts';
import type { JobFinishedHook, JobRow } from '../types.ts';
import { jobFinalize } from './jobFinalize.ts';

export type CancelResult = { job: JobRow; canceled: boolean } | undefined;

export async function jobCancel(db: Db, orgId: string, jobId: string, now: string, hooks: readonly JobFinishedHook[]): Promise<CancelResult> {
  return db.transaction().execute(async (trx) => {
    // The no-op update locks the row (on PostgreSQL) so a checkpoint cannot interleave.
    const open = await trx
      .updateTable('jobs')
      .set({ updated_at: now })
      .where('id', '=', jobId)
      .where('org_id', '=', orgId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    const canceled = Number(open.numUpdatedRows) === 1;
    if (canceled) await jobFinalize(trx, jobId, { status: 'canceled' }, now, hooks);
    // The whole row, as it is now, for the caller's answer.
    const job = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).where('org_id', '=', orgId).executeTakeFirst();
    return job ? { job, canceled } : undefined;
  });
}
