/**
 * Progress within a job's running item (a render's percentage), reported by its processor.
 * Written only while the reporter still holds the lease; each crossing of a 10 % step is also a
 * `job.progress` event, so event streams show it.
 */
import type { Db } from '../../store/database.ts';
import { eventAppend } from './eventAppend.ts';

export async function jobProgressSetIfOwner(db: Db, jobId: string, owner: string, fraction: number, stepEvent: boolean, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('jobs')
      .set({ progress: fraction, updated_at: now })
      .where('id', '=', jobId)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1 && stepEvent) await eventAppend(trx, jobId, 'job.progress', { fraction }, now);
  });
}
