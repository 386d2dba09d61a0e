/**
 * Deletes the rows of processes no longer alive (their alive-until passed by the database's
 * clock): killed ones never remove their own. A process that was only quiet writes its row
 * again at its next beat (processBeat.ts). Returns how many were deleted.
 */
import type { Db } from '../database.ts';
import { driverOf } from '../driver.ts';

export async function processesDeleteDead(db: Db): Promise<number> {
  const deleted = await db.deleteFrom('processes').where('alive_until', '<=', driverOf(db).now()).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
