/**
 * Jobs list: every job of the organisation, newest first, filtered by kind and status. Live:
 * the event streams of the unfinished jobs on the page (a few, to leave the browser's
 * connections to other requests) trigger a refresh, and a light refresh every few seconds
 * brings in jobs submitted elsewhere.
 */
import { client } from '../api.ts';
import { jobProgress } from '../components/progress.ts';
import { isUnfinished, KINDS, resultsLink } from '../components/jobLinks.ts';
import { pager } from '../components/pager.ts';
import { jobBadge, jobStatusText } from '../components/status.ts';
import { stackTable } from '../components/table.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import { announce } from '../live.ts';
import { replaceQuery, type ViewContext } from '../router.ts';
import { followJobEvents } from '../jobEvents.ts';
import type { Job, JobStatus } from 'longrun/client';

const PAGE = 25;
const STREAMS = 3;
const REFRESH_MS = 5_000;
const STATUSES = ['queued', 'running', 'completed', 'failed', 'canceled'];

function select(name: string, label: string, options: string[], value: string, any: string): HTMLElement {
  const id = `filter-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name },
      h('option', { value: '' }, any),
      options.map((o) => h('option', { value: o, selected: o === value }, o)),
    ),
  );
}

export async function jobsView({ root, query: q, signal }: ViewContext): Promise<void> {
  const state = { kind: q.get('kind') ?? '', status: q.get('status') ?? '', offset: Number(q.get('offset') ?? 0) || 0 };
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter jobs' },
    select('kind', 'Kind', KINDS, state.kind, 'All kinds'),
    select('status', 'Status', STATUSES, state.status, 'Any status'),
  );
  const results = h('div', { 'aria-busy': 'true' });
  root.append(h('h1', { tabindex: -1 }, 'Jobs'), form, results);

  const streams = new Map<string, AbortController>();
  const known = new Map<string, string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer));

  /** Loads after `ms`, replacing any load already planned; a failed refresh is tried again later. */
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (signal.aborted) return;
    timer = setTimeout(() => {
      // Only while the tab is seen: a hidden tab looks again later.
      if (document.hidden) return schedule(REFRESH_MS);
      load().catch(() => schedule(REFRESH_MS));
    }, ms);
  };
  const refreshSoon = () => schedule(250);

  /** Streams for the first unfinished jobs shown; each event refreshes the list. */
  const follow = (jobs: Job[]) => {
    const wanted = new Set(
      jobs
        .filter(isUnfinished)
        .slice(0, STREAMS)
        .map((j) => j.id),
    );
    for (const [id, controller] of streams) {
      if (wanted.has(id)) continue;
      controller.abort();
      streams.delete(id);
    }
    for (const id of wanted) {
      if (streams.has(id)) continue;
      const controller = new AbortController();
      signal.addEventListener('abort', () => controller.abort());
      streams.set(id, controller);
      void followJobEvents(id, refreshSoon, controller.signal).catch(() => undefined);
    }
  };

  let latest = 0;
  const load = async () => {
    const mine = ++latest;
    const params = { kind: state.kind || undefined, status: (state.status || undefined) as JobStatus | undefined, limit: PAGE, offset: state.offset };
    const { jobs, total } = await client().jobs.list(params, { signal });
    // A slower answer to an earlier filter must not overwrite a newer one.
    if (signal.aborted || mine !== latest) return;
    for (const job of jobs) {
      const before = known.get(job.id);
      if (before && before !== job.status && !isUnfinished(job)) announce(`Job ${job.id} ${jobStatusText(job)}.`);
      known.set(job.id, job.status);
    }
    const rows = jobs.map((job) => [
      link(['jobs', job.id], h('code', null, job.id), { 'data-key': `job-${job.id}` }),
      job.kind,
      jobBadge(job),
      jobProgress(job, `Progress of ${job.id}`),
      when(job.createdAt),
      resultsLink(job) ?? '—',
    ]);
    replaceChildren(
      results,
      stackTable('Jobs', ['Job', 'Kind', 'Status', 'Progress', 'Created', 'Results'], rows, 'No jobs match.'),
      pager(
        { offset: state.offset, limit: PAGE, total },
        (offset) => {
          state.offset = offset;
          replaceQuery(state);
          schedule(0);
        },
        'Job pages',
      ),
    );
    results.setAttribute('aria-busy', 'false');
    follow(jobs);
    schedule(REFRESH_MS);
  };

  form.addEventListener('change', () => {
    const data = new FormData(form);
    state.kind = String(data.get('kind') ?? '');
    state.status = String(data.get('status') ?? '');
    state.offset = 0;
    replaceQuery(state);
    schedule(0);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  await load();
}
