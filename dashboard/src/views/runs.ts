/**
 * Sourcing: start a sourcing run (search and score the talent pool for a role) or an
 * enrichment run (score given profiles in full), and the recent runs of both.
 */
import { client } from '../api.ts';
import { field, formError, input, onSubmit, textarea } from '../components/form.ts';
import { jobBadge } from '../components/status.ts';
import { stackTable } from '../components/table.ts';
import { h, link } from '../dom.ts';
import { when } from '../format.ts';
import { navigate, type ViewContext } from '../router.ts';
import type { SourcingInput } from 'longrun/client';

function sourcingForm(): HTMLElement {
  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-sourcing' },
    h('h2', { id: 'new-sourcing' }, 'New sourcing run'),
    field('sourcing-title', 'Role title', input('title', { required: true, maxlength: 200, placeholder: 'Senior Backend Engineer' })),
    field(
      'sourcing-description',
      'Job description',
      textarea('jobDescription', { required: true, maxlength: 10000, rows: 6 }),
      'Requirements are read from it: "Requirements:" and "Nice to have:" headings, years, skills.',
    ),
    field('sourcing-location', 'Location', input('location', { required: true, maxlength: 200, placeholder: 'Berlin, Germany or Remote (EU)' })),
    field(
      'sourcing-limit',
      'Candidates to return',
      input('limit', { type: 'number', min: 1, max: 50, value: 10, required: true }),
      'Also the credits reserved; 1 is charged per candidate returned.',
    ),
    h('button', { type: 'submit' }, 'Start sourcing run'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const body = {
      title: String(data.get('title')).trim(),
      jobDescription: String(data.get('jobDescription')).trim(),
      location: String(data.get('location')).trim(),
      limit: Number(data.get('limit')),
    };
    const started = await client().sourcing.start(body);
    navigate(`/sourcing/${encodeURIComponent(started.requestId)}`);
  });
  return form;
}

/** Profile IDs as typed: one per line, or separated by commas or spaces. */
export function profileIdsOf(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

function enrichmentForm(): HTMLElement {
  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-enrichment' },
    h('h2', { id: 'new-enrichment' }, 'New enrichment run'),
    field(
      'enrich-profiles',
      'Profile IDs',
      textarea('profileIds', { required: true, rows: 4, spellcheck: 'false' }),
      '1 to 10 prof_… IDs returned by sourcing runs, one per line. Or pick candidates on a sourcing run.',
    ),
    h('button', { type: 'submit' }, 'Start enrichment run'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const profileIds = profileIdsOf(String(data.get('profileIds')));
    if (profileIds.length < 1 || profileIds.length > 10) throw new Error(`Give 1 to 10 profile IDs (${profileIds.length} given).`);
    const started = await client().sourcing.enrich({ profileIds });
    navigate(`/enrich/${encodeURIComponent(started.requestId)}`);
  });
  return form;
}

async function recent(kind: 'sourcing' | 'enrichment', signal: AbortSignal): Promise<HTMLElement> {
  const { jobs } = await client().jobs.list({ kind, limit: 10 }, { signal });
  const route = kind === 'sourcing' ? 'sourcing' : 'enrich';
  const rows = jobs.map((job) => [
    link([route, job.id], kind === 'sourcing' ? ((job.input as SourcingInput).title ?? job.id) : `${job.progress.total} profiles`, { 'data-key': job.id }),
    jobBadge(job),
    when(job.createdAt),
  ]);
  const title = kind === 'sourcing' ? 'Recent sourcing runs' : 'Recent enrichment runs';
  return h(
    'section',
    { 'aria-label': title },
    h('h2', null, title),
    stackTable(title, [kind === 'sourcing' ? 'Role' : 'Run', 'Status', 'Created'], rows, 'None yet.'),
  );
}

export async function runsView({ root, signal }: ViewContext): Promise<void> {
  const lists = await Promise.all([recent('sourcing', signal), recent('enrichment', signal)]);
  root.append(h('h1', { tabindex: -1 }, 'Sourcing'), h('div', { class: 'columns' }, sourcingForm(), enrichmentForm()), ...lists);
}
