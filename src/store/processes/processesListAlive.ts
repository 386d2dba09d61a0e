/**
 * The processes alive now: those whose last beat's alive-until is still ahead of the database's
 * clock. A process killed, stuck, or cut off from the database drops out once that passes,
 * whether or not its row has been pruned yet. API processes first, then by host and start.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../database.ts';
import { driverOf } from '../driver.ts';
import type { ProcessesTable } from '../tables/processes.ts';

export type ProcessRow = Selectable<ProcessesTable>;

export async function processesListAlive(db: Db): Promise<ProcessRow[]> {
  return db
    .selectFrom('processes')
    .selectAll()
    .where('alive_until', '>', driverOf(db).now())
    .orderBy('role')
    .orderBy('host')
    .orderBy('started_at')
    .orderBy('id')
    .execute();
}
