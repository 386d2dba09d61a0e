/**
 * Ends the unfinished items of jobs that end without them (a cancel, a fault outside the items):
 * every `pending` or `running` item becomes `canceled`, in one statement, in the transaction
 * that ends the jobs, so no finished job keeps an item that looks as if it were still to run.
 * An error left by an earlier attempt (a TIMEOUT before a retry) is cleared: the item did not
 * fail, its job ended. A worker still processing such an item finds its lease gone at its
 * checkpoint and records nothing (`itemCheckpoints`), so a canceled item stays canceled.
 */
import type { Db } from '../../store/database.ts';
import { idsMatch } from '../../store/dialect.ts';

export async function itemsCancelOpenMany(trx: Db, jobIds: string[], now: string): Promise<void> {
  if (jobIds.length === 0) return;
  await trx
    .updateTable('job_items')
    .set({ status: 'canceled', error_code: null, error_message: null, finished_at: now })
    .where(idsMatch(trx, 'job_id', jobIds))
    // The same condition as the partial index `job_items_open` (migration 0010): only the open items are read.
    .where('status', 'in', ['pending', 'running'])
    .execute();
}
