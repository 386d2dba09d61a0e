/**
 * Rerunning what did not succeed: a finished job's failed and canceled items (all, or those of
 * the keys asked for) are submitted again as a new job of the same kind and input, in one
 * transaction with its reservation (for those items only) and its `job_reruns` row. The
 * original is not touched: its results, charges and events stay as they were.
 *
 * Not guaranteed: that the new job succeeds where the old one failed, nor that two reruns of
 * one job are refused (each is a job; `Idempotency-Key` makes a retried request one rerun).
 */
import { type Db, inTransaction } from '../store/database.ts';
import type { ItemStatus } from '../store/schema.ts';
import type { JobKind } from './kind.ts';
import type { SubmitRequest } from './submit.ts';
import type { ItemRow, JobRow } from './types.ts';
import { isFinished } from './views.ts';

/** What a rerun did. */
export type RerunOutcome =
  | { type: 'rerun'; job: JobRow; items: number }
  | { type: 'not_found' }
  | { type: 'not_finished'; status: JobRow['status'] }
  | { type: 'not_rerunnable'; kind: string }
  | { type: 'nothing_to_rerun' }
  | { type: 'unknown_keys'; keys: string[] };

/** What a rerun needs of the engine: its kinds, and a submission inside a transaction. */
export interface RerunHost {
  kind(name: string): JobKind | undefined;
  submitIn<Input>(trx: Db, request: SubmitRequest<Input>): Promise<JobRow>;
}

const RERUN_STATUSES: ItemStatus[] = ['failed', 'canceled'];

export async function jobRerun(
  db: Db,
  host: RerunHost,
  orgId: string,
  jobId: string,
  options: { keys?: string[]; idempotency?: SubmitRequest<unknown>['idempotency'] } = {},
): Promise<RerunOutcome> {
  return inTransaction(db, async (trx) => {
    const job = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).where('org_id', '=', orgId).executeTakeFirst();
    if (!job) return { type: 'not_found' };
    // A finished job never changes (finishedBodies.ts): no lock needed to read its items.
    if (!isFinished(job)) return { type: 'not_finished', status: job.status };
    const kind = host.kind(job.kind);
    if (!kind?.rerunnable) return { type: 'not_rerunnable', kind: job.kind };
    let items = await trx.selectFrom('job_items').selectAll().where('job_id', '=', job.id).where('status', 'in', RERUN_STATUSES).orderBy('seq').execute();
    if (options.keys) {
      const wanted = new Set(options.keys);
      const unknown = [...wanted].filter((key) => !items.some((item) => item.key === key));
      if (unknown.length > 0) return { type: 'unknown_keys', keys: unknown };
      items = items.filter((item) => wanted.has(item.key));
    }
    if (items.length === 0) return { type: 'nothing_to_rerun' };
    const next = await host.submitIn(trx, {
      orgId,
      kind,
      input: JSON.parse(job.input) as unknown,
      items: items.map((item) => ({ key: item.key, input: item.input === null ? undefined : (JSON.parse(item.input) as unknown) })),
      idempotency: options.idempotency,
    });
    await trx.insertInto('job_reruns').values({ job_id: next.id, rerun_of: job.id, org_id: orgId }).execute();
    return { type: 'rerun', job: next, items: items.length };
  });
}

/** The job a rerun reran, or undefined for a job that is no rerun (or whose original is gone). */
export async function jobRerunOf(db: Db, jobId: string): Promise<string | undefined> {
  const row = await db.selectFrom('job_reruns').select('rerun_of').where('job_id', '=', jobId).executeTakeFirst();
  return row?.rerun_of;
}

/** How many reruns deep `itemsWithReruns` looks back; a longer chain shows its latest reruns only. */
const MAX_CHAIN = 20;

/**
 * A rerun's items with those of the jobs it reran: per key, the latest attempt (this job's, else
 * its original's, and so on back), in the first job's order. For a job that is no rerun: its own
 * items. Items the earlier jobs charged for are shown, not charged again.
 */
export async function itemsWithReruns(db: Db, job: JobRow): Promise<ItemRow[]> {
  const chain: string[] = [job.id];
  for (let id: string | undefined = job.id; chain.length <= MAX_CHAIN;) {
    id = await jobRerunOf(db, id);
    if (!id) break;
    const original = await db.selectFrom('jobs').select('id').where('id', '=', id).where('org_id', '=', job.org_id).executeTakeFirst();
    if (!original) break;
    chain.push(id);
  }
  if (chain.length === 1) return db.selectFrom('job_items').selectAll().where('job_id', '=', job.id).orderBy('seq').execute();
  const latest = new Map<string, ItemRow>();
  const order: string[] = [];
  // Oldest first, so each later job's item replaces its key's earlier one.
  for (const id of chain.reverse()) {
    for (const item of await db.selectFrom('job_items').selectAll().where('job_id', '=', id).orderBy('seq').execute()) {
      if (!latest.has(item.key)) order.push(item.key);
      latest.set(item.key, item);
    }
  }
  return order.map((key) => latest.get(key)!);
}
