/** The posts agent runs write, stored as drafts in the transaction that charges them. */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../../store/database.ts';
import type { AgentPostsTable } from '../../../store/schema.ts';

export type PostRow = Selectable<AgentPostsTable>;

export async function postInsert(trx: Db, row: Insertable<AgentPostsTable>): Promise<void> {
  await trx.insertInto('agent_posts').values(row).execute();
}

export async function postsListForAgent(
  db: Db,
  agentId: string,
  filter: { runId?: string; platform?: string },
  page: { limit: number; offset: number },
): Promise<{ rows: PostRow[]; total: number }> {
  let query = db.selectFrom('agent_posts').where('agent_id', '=', agentId);
  if (filter.runId) query = query.where('run_id', '=', filter.runId);
  if (filter.platform) query = query.where('platform', '=', filter.platform);
  const rows = await query.selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
  const { n } = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}
