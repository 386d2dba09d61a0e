/**
 * Agent runs. A run's status is its job's while the job is queued or running, and the copy made
 * when the job ended afterwards (`runFinalize`), so a run outlives the pruning of its job.
 * `postsGenerated` and `tokensUsed` are counted from the posts stored.
 */
import { sql, type Insertable } from 'kysely';
import type { Db } from '../../../store/database.ts';
import type { AgentRunsTable } from '../../../store/schema.ts';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface RunRow {
  id: string;
  agent_id: string;
  job_id: string | null;
  created_at: string;
  completed_at: string | null;
  final_status: 'completed' | 'failed' | null;
  error: string | null;
  job_status: string | null;
  posts: number;
  tokens: number;
}

/** Inserts a run; false when the agent already has a run for this tick (`agent_runs_tick`). */
export async function runInsertUnlessTickTaken(trx: Db, row: Insertable<AgentRunsTable>): Promise<boolean> {
  const inserted = await trx
    .insertInto('agent_runs')
    .values(row)
    .onConflict((oc) => oc.columns(['agent_id', 'scheduled_for']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Copies a job's end onto its run, in the transaction that ends the job. */
export async function runFinalize(trx: Db, jobId: string, final: { status: 'completed' | 'failed'; error: string | null; completedAt: string }): Promise<void> {
  await trx
    .updateTable('agent_runs')
    .set({ final_status: final.status, error: final.error, completed_at: final.completedAt })
    .where('id', '=', jobId)
    .execute(); // a run's ID is its job's
}

function runsWithCounts(db: Db) {
  return db
    .selectFrom('agent_runs as r')
    .leftJoin('jobs as j', 'j.id', 'r.job_id')
    .select([
      'r.id',
      'r.agent_id',
      'r.job_id',
      'r.created_at',
      'r.completed_at',
      'r.final_status',
      'r.error',
      'j.status as job_status',
      sql<number>`(select count(*) from agent_posts p where p.run_id = r.id)`.as('posts'),
      sql<number>`(select coalesce(sum(p.tokens_used), 0) from agent_posts p where p.run_id = r.id)`.as('tokens'),
    ]);
}

const normalise = (row: RunRow): RunRow => ({ ...row, posts: Number(row.posts), tokens: Number(row.tokens) });

export async function runFindForAgent(db: Db, agentId: string, runId: string): Promise<RunRow | undefined> {
  const row = await runsWithCounts(db).where('r.agent_id', '=', agentId).where('r.id', '=', runId).executeTakeFirst();
  return row ? normalise(row as RunRow) : undefined;
}

/** Newest first (run IDs are ULIDs). */
export async function runsListForAgent(db: Db, agentId: string, page: { limit: number; offset: number }): Promise<{ rows: RunRow[]; total: number }> {
  const rows = await runsWithCounts(db).where('r.agent_id', '=', agentId).orderBy('r.id', 'desc').limit(page.limit).offset(page.offset).execute();
  const { n } = await db
    .selectFrom('agent_runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('agent_id', '=', agentId)
    .executeTakeFirstOrThrow();
  return { rows: rows.map((r) => normalise(r as RunRow)), total: Number(n) };
}

/** The runs triggered within [from, to), with their counts, for stats. */
export async function runsBetween(db: Db, agentId: string, from: string, to: string): Promise<RunRow[]> {
  const rows = await runsWithCounts(db).where('r.agent_id', '=', agentId).where('r.created_at', '>=', from).where('r.created_at', '<', to).execute();
  return rows.map((r) => normalise(r as RunRow));
}

/** How many runs the agent has had (to take the instructions' sentences in turn). */
export async function runsCountForAgent(db: Db, agentId: string): Promise<number> {
  const { n } = await db
    .selectFrom('agent_runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('agent_id', '=', agentId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** When each passage was last written about, over the agent's `recent` latest runs. */
export async function runsPassagesLastUsed(db: Db, agentId: string, recent: number): Promise<Map<string, string>> {
  const rows = await db.selectFrom('agent_runs').select(['passages', 'id']).where('agent_id', '=', agentId).orderBy('id', 'desc').limit(recent).execute();
  const lastUsed = new Map<string, string>();
  // Oldest first, so a later use overwrites an earlier one; run IDs sort in trigger order.
  for (const row of rows.reverse()) for (const id of JSON.parse(row.passages) as string[]) lastUsed.set(id, row.id);
  return lastUsed;
}

/** What a run reads as: the seed's status, and why a failed run failed. */
export function runStatusOf(row: RunRow): { status: RunStatus; error: string | null } {
  if (row.final_status) return { status: row.final_status, error: row.error };
  if (row.job_status === 'queued' || row.job_status === 'running') return { status: row.job_status, error: null };
  return { status: 'failed', error: row.error ?? 'The run ended without a record of how.' };
}
