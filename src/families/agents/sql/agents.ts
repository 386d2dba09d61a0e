/** Agent rows: one organisation's agents, and the due ones the scheduler fires. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../../store/database.ts';
import type { AgentsTable } from '../../../store/schema.ts';

export type AgentRow = Selectable<AgentsTable>;

export async function agentInsert(db: Db, row: Insertable<AgentsTable>): Promise<void> {
  await db.insertInto('agents').values(row).execute();
}

export async function agentFindForOrg(db: Db, orgId: string, agentId: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', agentId).where('org_id', '=', orgId).executeTakeFirst();
}

export async function agentsListForOrg(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<{ rows: AgentRow[]; total: number }> {
  const rows = await db.selectFrom('agents').selectAll().where('org_id', '=', orgId).orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
  const { n } = await db
    .selectFrom('agents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

export async function agentUpdate(db: Db, agentId: string, changes: Updateable<AgentsTable>): Promise<AgentRow> {
  return db.updateTable('agents').set(changes).where('id', '=', agentId).returningAll().executeTakeFirstOrThrow();
}

export async function agentDelete(db: Db, agentId: string): Promise<void> {
  await db.deleteFrom('agents').where('id', '=', agentId).execute(); // runs and posts cascade
}

/** Agents whose next tick is due, soonest first (index `agents_due`). */
export async function agentsDue(db: Db, now: string, limit: number): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().where('next_run_at', 'is not', null).where('next_run_at', '<=', now).orderBy('next_run_at').limit(limit).execute();
}

/**
 * Moves an agent past the tick `due` to `next`, only if `due` is still its next tick
 * (compare-and-set): of several schedulers that saw the same tick, exactly one gets the row
 * back (as it is now, edits included).
 * On PostgreSQL the loser waits on the row lock and then finds the value changed.
 */
export async function agentAdvanceIfDue(trx: Db, agentId: string, due: string, next: string | null): Promise<AgentRow | undefined> {
  return trx.updateTable('agents').set({ next_run_at: next }).where('id', '=', agentId).where('next_run_at', '=', due).returningAll().executeTakeFirst();
}

/** `lastRunAt`: when a run of the agent was last started (or, on schedule, refused). */
export async function agentLastRunSet(trx: Db, agentId: string, at: string): Promise<void> {
  await trx.updateTable('agents').set({ last_run_at: at }).where('id', '=', agentId).execute();
}
