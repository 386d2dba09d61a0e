/**
 * An enrichment run: progress while it runs (live, from the job's event stream), then each
 * profile's result — candidates ranked by match score with their fit points and red flags, and
 * the profiles that failed with their reason (never billed).
 */
import { client } from '../api.ts';
import { candidateCard } from '../components/candidate.ts';
import { jobProgress } from '../components/progress.ts';
import { runWatchNote } from '../components/runNote.ts';
import { watchRun } from '../components/runWatch.ts';
import { newestOnly } from '../newest.ts';
import { jobBadge, statusBadge } from '../components/status.ts';
import { facts, h, link, replaceChildren } from '../dom.ts';
import { between, plural } from '../format.ts';
import { announce } from '../live.ts';
import type { ViewContext } from '../router.ts';
import type { EnrichmentProfileResult as ProfileResult, EnrichmentResults } from 'longrun/client';

type Failure = Extract<ProfileResult, { success: false }>;
type Success = Extract<ProfileResult, { success: true }>;

function failures(list: Failure[]): HTMLElement | null {
  if (list.length === 0) return null;
  return h(
    'section',
    { 'aria-labelledby': 'enrich-failures' },
    h('h2', { id: 'enrich-failures' }, 'Not enriched'),
    h(
      'ul',
      { class: 'failures' },
      list.map((f) => h('li', null, h('code', null, f.profileId), ': ', h('code', null, f.errorCode), ' ', f.errorMessage)),
    ),
  );
}

export async function enrichmentRunView({ root, params, signal }: ViewContext): Promise<void> {
  const id = params.id!;
  const status = h('div', { class: 'run-status' });
  const body = h('div', { 'aria-busy': 'true' });

  // A progress read sent while the run went on can be answered after the results that ended it.
  const turn = newestOnly();

  const showProgress = async () => {
    const current = turn();
    const job = await client().jobs.get(id, { signal });
    if (!current()) return;
    replaceChildren(status, h('p', null, 'Status: ', jobBadge(job)), jobProgress(job));
  };

  const load = async (): Promise<EnrichmentResults> => {
    const current = turn();
    const results = await client().sourcing.enrichResults(id, { signal });
    if (!current()) return results;
    if (results.status === 'processing') {
      await showProgress();
      replaceChildren(body, runWatchNote(id));
      return results;
    }
    if (results.status === 'failed') {
      replaceChildren(status, h('p', null, 'Status: ', statusBadge('failed')));
      replaceChildren(body, h('p', { class: 'error-text' }, h('code', null, results.errorCode), ' ', results.errorMessage), link(['jobs', id], 'Job detail'));
    } else {
      const succeeded = results.data.filter((r): r is Success => r.success).sort((a, b) => b.candidate.matchScore - a.candidate.matchScore);
      replaceChildren(
        status,
        h('p', null, 'Status: ', jobBadge({ status: 'completed', counts: { succeeded: results.enrichedCount, failed: results.failureCount } })),
      );
      replaceChildren(
        body,
        facts([
          ['Enriched', String(results.enrichedCount)],
          ['Failed', String(results.failureCount)],
          ['Credits', String(results.creditsConsumed)],
          ['Took', between(results.createdAt, results.completedAt)],
        ]),
        h('h2', null, 'Candidates, best first'),
        succeeded.length > 0
          ? h(
              'ol',
              { class: 'candidates' },
              succeeded.map((r, i) => h('li', null, candidateCard(r.candidate, i + 1))),
            )
          : h('p', { class: 'muted' }, 'No profile could be enriched.'),
        failures(results.data.filter((r): r is Failure => !r.success)),
        h('p', null, link(['jobs', id], 'Job detail: items and events')),
      );
    }
    body.setAttribute('aria-busy', 'false');
    return results;
  };

  root.append(h('h1', { tabindex: -1 }, 'Enrichment run'), h('p', { class: 'muted' }, h('code', null, id)), status, body);
  if ((await load()).status === 'processing') {
    watchRun(id, signal, {
      onChange: () => void showProgress().catch(() => undefined),
      onEnd: () =>
        void load()
          .then((r) => {
            if (r.status === 'completed') announce(`Enrichment run completed: ${plural(r.enrichedCount, 'profile')} enriched, ${r.failureCount} failed.`);
            else if (r.status === 'failed') announce(`Enrichment run failed: ${r.errorMessage}`);
          })
          .catch(() => undefined),
    });
  }
}
