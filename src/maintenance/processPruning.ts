/**
 * Process pruning: the heartbeat rows of processes that stopped beating (killed, or lost) are
 * deleted. A process that stops gracefully removes its own row; this is for the others.
 * Guarantees: a row is never deleted while its process counts as alive (its alive-until, by the
 * database's clock, is compared with the database's clock, not the `now` of the process that
 * takes the round, so a skewed clock cannot prune a live process); one pruned while its process
 * was only quiet comes back at that process's next beat. Dead rows are never listed even before
 * a round deletes them (processesListAlive.ts), so the period only bounds the table's size.
 */
import type { Db } from '../store/database.ts';
import { processesDeleteDead } from '../store/processes/processesDeleteDead.ts';
import { HOUR_MS, type MaintenanceTask } from './task.ts';

export function processPruning(db: Db): MaintenanceTask {
  return {
    name: 'processes.pruning',
    everyMs: HOUR_MS,
    run: () => processesDeleteDead(db),
  };
}
