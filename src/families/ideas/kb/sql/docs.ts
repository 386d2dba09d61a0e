/**
 * Deleting one document of a knowledge base with its passages and their full-text entries, in
 * one transaction. A document still `processing` is refused: its ingestion would be writing
 * passages for it, and once it has ended (indexed or failed) the row no longer changes.
 */
import { inTransaction, type Db } from '../../../../store/database.ts';
import { driverOf } from '../../../../store/driver.ts';

export type DocDeleteOutcome = 'deleted' | 'not_found' | 'processing';

export async function docDeleteIfSettled(db: Db, kbId: string, docId: string): Promise<DocDeleteOutcome> {
  return inTransaction(db, async (trx) => {
    const doc = await trx.selectFrom('kb_docs').select('status').where('id', '=', docId).where('kb_id', '=', kbId).executeTakeFirst();
    if (!doc) return 'not_found';
    if (doc.status === 'processing') return 'processing';
    await driverOf(trx).passagesIndexDeleteForDoc(trx, kbId, docId);
    // Its passages go by cascade.
    await trx.deleteFrom('kb_docs').where('id', '=', docId).where('kb_id', '=', kbId).execute();
    return 'deleted';
  });
}
