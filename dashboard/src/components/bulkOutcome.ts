/**
 * What a bulk cancel or rerun did, job by job, as the API reports it (`POST /jobs/cancel`,
 * `POST /jobs/rerun`): a list under a heading, and a one-line summary to announce.
 */
import { h, link, type Child } from '../dom.ts';
import type { BulkResults } from 'longrun/client';

export type BulkResult = BulkResults['results'][number];

/** One job's outcome in words; `kind` (from the list) names what cannot be rerun. */
export function outcomeText(result: BulkResult, kind: string | undefined): Child {
  switch (result.outcome) {
    case 'canceled':
      return 'canceled';
    case 'already_finished':
      return `not canceled: already ${result.status ?? 'finished'}`;
    case 'rerun':
      return result.rerunId ? ['rerun as ', link(['jobs', result.rerunId], h('code', null, result.rerunId))] : 'rerun';
    case 'nothing_to_rerun':
      return 'nothing to rerun: no failed or canceled items';
    case 'not_rerunnable':
      return `not rerun: ${kind ? `${kind} jobs` : 'jobs of its kind'} cannot be rerun`;
    case 'not_finished':
      return `not rerun: still ${result.status ?? 'running'} (only a finished job can be rerun)`;
    case 'insufficient_credits':
      return 'not rerun: not enough credits';
    case 'not_found':
      return 'not found';
    case 'forbidden':
      return 'not allowed: this key may not change jobs of its kind';
  }
}

/** "2 canceled, 1 not canceled: already completed" — the counts of each outcome, in order of first appearance. */
export function outcomeSummary(results: BulkResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome.replaceAll('_', ' ')}`).join(', ');
}

/** The list: each job's ID (a link to it) and what happened to it. */
export function outcomeList(results: BulkResult[], kinds: ReadonlyMap<string, string>): HTMLElement {
  return h(
    'ul',
    { class: 'bulk-results' },
    results.map((r) =>
      h('li', { 'data-outcome': r.outcome, 'data-job': r.id }, link(['jobs', r.id], h('code', null, r.id)), ': ', outcomeText(r, kinds.get(r.id))),
    ),
  );
}
