/**
 * What has been failing: an organisation's failed items and failed jobs since an instant,
 * counted per kind and error code. An item counts when it failed (`finished_at`), a job when it
 * ended `failed` (its own code: a failure outside its items, or every item failed). Read-only;
 * scoped to the organisation and to the kinds asked for.
 */
import type { Db } from '../../store/database.ts';

export interface FailureCount {
  kind: string;
  errorCode: string;
  items: number;
  jobs: number;
}

/** A failure recorded without a code (none is expected; older rows): counted under this one. */
const NO_CODE = 'UNKNOWN';

export async function failuresCountByCode(db: Db, orgId: string, filter: { kinds: string[]; since: string }): Promise<FailureCount[]> {
  if (filter.kinds.length === 0) return [];
  const [items, jobs] = await Promise.all([
    db
      .selectFrom('job_items')
      .innerJoin('jobs', 'jobs.id', 'job_items.job_id')
      .select(['jobs.kind as kind', 'job_items.error_code as code', (eb) => eb.fn.countAll<number>().as('n')])
      .where('jobs.org_id', '=', orgId)
      .where('jobs.kind', 'in', filter.kinds)
      .where('job_items.status', '=', 'failed')
      .where('job_items.finished_at', '>=', filter.since)
      .groupBy(['jobs.kind', 'job_items.error_code'])
      .execute(),
    db
      .selectFrom('jobs')
      .select(['kind', 'error_code as code', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .where('kind', 'in', filter.kinds)
      .where('status', '=', 'failed')
      .where('completed_at', '>=', filter.since)
      .groupBy(['kind', 'error_code'])
      .execute(),
  ]);
  const counts = new Map<string, FailureCount>();
  const at = (kind: string, code: string | null) => {
    const errorCode = code ?? NO_CODE;
    const id = `${kind}\n${errorCode}`;
    let count = counts.get(id);
    if (!count) counts.set(id, (count = { kind, errorCode, items: 0, jobs: 0 }));
    return count;
  };
  for (const row of items) at(row.kind, row.code).items += Number(row.n);
  for (const row of jobs) at(row.kind, row.code).jobs += Number(row.n);
  // Most frequent first; ties in a stable order.
  return [...counts.values()].sort((a, b) => b.items + b.jobs - (a.items + a.jobs) || a.kind.localeCompare(b.kind) || a.errorCode.localeCompare(b.errorCode));
}
