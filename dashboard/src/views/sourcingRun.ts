/**
 * A sourcing run: the role, then the candidates ranked by match score with their fit points
 * and red flags. Candidates can be picked (up to 10) for an enrichment run. While the run is
 * processing, its event stream says when to load the results.
 */
import { client } from '../api.ts';
import { candidateCard } from '../components/candidate.ts';
import { formError, onSubmit } from '../components/form.ts';
import { runWatchNote } from '../components/runNote.ts';
import { watchRun } from '../components/runWatch.ts';
import { statusBadge } from '../components/status.ts';
import { facts, h, replaceChildren } from '../dom.ts';
import { between } from '../format.ts';
import { announce } from '../live.ts';
import { navigate, type ViewContext } from '../router.ts';
import type { Candidate, SourcingInput } from 'longrun/client';

const MAX_ENRICH = 10;

function pickForm(candidates: Candidate[]): HTMLElement {
  const error = formError();
  const count = h('span', null, '0');
  const list = h(
    'ol',
    { class: 'candidates' },
    candidates.map((c, i) =>
      h(
        'li',
        null,
        h(
          'label',
          { class: 'pick' },
          h('input', { type: 'checkbox', name: 'profileIds', value: c.profileId }),
          h('span', null, `Select ${c.name} for enrichment`),
        ),
        candidateCard(c, i + 1),
      ),
    ),
  );
  const form = h(
    'form',
    { 'aria-label': 'Candidates' },
    list,
    h(
      'div',
      { class: 'actions sticky' },
      h('button', { type: 'submit' }, 'Enrich selected (', count, ')'),
      h('span', { class: 'hint' }, `Up to ${MAX_ENRICH}; 1 credit each.`),
    ),
    error,
  );
  form.addEventListener('change', () => (count.textContent = String(new FormData(form).getAll('profileIds').length)));
  onSubmit(form, error, async (data) => {
    const profileIds = data.getAll('profileIds').map(String);
    if (profileIds.length === 0 || profileIds.length > MAX_ENRICH) throw new Error(`Select 1 to ${MAX_ENRICH} candidates (${profileIds.length} selected).`);
    const started = await client().sourcing.enrich({ profileIds });
    navigate(`/enrich/${encodeURIComponent(started.requestId)}`);
  });
  return form;
}

export async function sourcingRunView({ root, params, signal }: ViewContext): Promise<void> {
  const id = params.id!;
  const job = await client().jobs.get(id, { signal });
  const role = job.input as SourcingInput;
  const body = h('div', { 'aria-busy': 'true' });

  const load = async () => {
    const results = await client().sourcing.results(id, { signal });
    if (results.status === 'processing') {
      replaceChildren(body, h('p', null, statusBadge('processing'), ' ', results.message), runWatchNote(id));
      return false;
    }
    if (results.status === 'failed') {
      replaceChildren(
        body,
        h('p', null, statusBadge('failed'), ' ', h('span', { class: 'error-text' }, h('code', null, results.errorCode), ' ', results.errorMessage)),
      );
    } else {
      replaceChildren(
        body,
        facts([
          ['Status', statusBadge('completed')],
          ['Matched the search', String(results.foundCount)],
          ['Scored', String(results.scoredCount)],
          ['Returned', String(results.candidates.length)],
          ['Credits', String(results.creditsConsumed)],
          ['Took', between(results.createdAt, results.completedAt)],
        ]),
        h('h2', null, 'Candidates, best first'),
        results.candidates.length > 0 ? pickForm(results.candidates) : h('p', { class: 'muted' }, 'No profile of the pool matched this role.'),
      );
    }
    body.setAttribute('aria-busy', 'false');
    return true;
  };

  root.append(
    h('h1', { tabindex: -1 }, 'Sourcing run: ', role.title),
    h('p', { class: 'muted' }, h('code', null, id), ' · ', role.location),
    h('details', { class: 'json' }, h('summary', null, 'Job description'), h('pre', null, role.jobDescription)),
    body,
  );
  if (!(await load())) {
    watchRun(id, signal, {
      onEnd: () =>
        void load()
          .then(() => announce('Sourcing run finished.'))
          .catch(() => undefined),
    });
  }
}
