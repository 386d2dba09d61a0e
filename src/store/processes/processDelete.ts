/** A process leaving gracefully removes its own row, so it drops out of the list at once. */
import type { Db } from '../database.ts';

export async function processDelete(db: Db, id: string): Promise<void> {
  await db.deleteFrom('processes').where('id', '=', id).execute();
}
