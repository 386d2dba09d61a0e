/**
 * Jobs list: every job of the organisation, newest first, filtered by kind, status and the day
 * range they were created in (days of the browser's time zone), and a search box that opens a
 * job by its ID; rows selected to cancel or rerun several at once (jobBulkActions.ts). Live:
 * the event streams of the unfinished jobs on the page (a few, to leave the browser's
 * connections to other requests) trigger a refresh, and a light refresh every few seconds
 * brings in jobs submitted elsewhere.
 */
import { client } from '../api.ts';
import { newestOnly } from '../newest.ts';
import { jobBulkActions } from '../components/jobBulkActions.ts';
import { jobProgress } from '../components/progress.ts';
import { isUnfinished, KINDS, resultsLink } from '../components/jobLinks.ts';
import { pager } from '../components/pager.ts';
import { jobBadge, jobStatusText } from '../components/status.ts';
import { stackTable } from '../components/table.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import { announce } from '../live.ts';
import { navigate, replaceQuery, type ViewContext } from '../router.ts';
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

function dateField(name: string, label: string, value: string): HTMLElement {
  const id = `filter-${name}`;
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name, type: 'date', value }));
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A day of the date picker (`2026-12-06`, the browser's time zone) as the instant it starts; `next`: the one after. */
function dayStart(day: string, next = false): string | undefined {
  if (!DAY.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (next) date.setDate(date.getDate() + 1);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** "Find a job by ID": opens the job's page, which says so if there is no such job. */
function findById(): HTMLFormElement {
  const input = h('input', {
    id: 'find-job',
    name: 'id',
    type: 'search',
    required: true,
    maxlength: 100,
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'job_…',
  });
  const form = h(
    'form',
    { class: 'find', role: 'search', 'aria-label': 'Find a job' },
    h('label', { for: 'find-job' }, 'Find a job by ID'),
    h('div', { class: 'find-row' }, input, h('button', { type: 'submit' }, 'Open')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = input.value.trim();
    if (id) navigate(`/jobs/${encodeURIComponent(id)}`);
  });
  return form;
}

export async function jobsView({ root, query: q, signal }: ViewContext): Promise<void> {
  const state = {
    kind: q.get('kind') ?? '',
    status: q.get('status') ?? '',
    from: DAY.test(q.get('from') ?? '') ? q.get('from')! : '',
    to: DAY.test(q.get('to') ?? '') ? q.get('to')! : '',
    offset: Number(q.get('offset') ?? 0) || 0,
  };
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter jobs' },
    select('kind', 'Kind', KINDS, state.kind, 'All kinds'),
    select('status', 'Status', STATUSES, state.status, 'Any status'),
    dateField('from', 'Created from', state.from),
    dateField('to', 'Created until (inclusive)', state.to),
  );
  const results = h('div', { 'aria-busy': 'true' });
  const streams = new Map<string, AbortController>();
  const known = new Map<string, string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer));
  const bulk = jobBulkActions({ refresh: () => schedule(0), signal });
  root.append(h('h1', { tabindex: -1 }, 'Jobs'), findById(), form, bulk.element, results);

  /** Loads after `ms`, replacing any load already planned; a failed refresh is tried again later. */
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (signal.aborted) return;
    timer = setTimeout(() => {
      // Only while the tab is seen: a hidden tab looks again later.
      if (document.hidden) return schedule(REFRESH_MS);
      // A load the user asked for comes at once; a later one is a refresh of its own (a poll).
      load(ms > 0).catch(() => schedule(REFRESH_MS));
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

  const turn = newestOnly();
  const load = async (poll = false) => {
    const current = turn();
    const params = {
      kind: state.kind || undefined,
      status: (state.status || undefined) as JobStatus | undefined,
      createdFrom: dayStart(state.from),
      createdTo: dayStart(state.to, true),
      limit: PAGE,
      offset: state.offset,
    };
    if (params.createdFrom && params.createdTo && params.createdFrom >= params.createdTo) {
      replaceChildren(results, h('p', { class: 'error-text', role: 'alert' }, 'The date range ends before it starts.'));
      bulk.shown([]);
      return;
    }
    const { jobs, total } = await client(undefined, { poll }).jobs.list(params, { signal });
    // A slower answer to an earlier filter must not overwrite a newer one.
    if (signal.aborted || !current()) return;
    for (const job of jobs) {
      const before = known.get(job.id);
      if (before && before !== job.status && !isUnfinished(job)) announce(`Job ${job.id} ${jobStatusText(job)}.`);
      known.set(job.id, job.status);
    }
    const rows = jobs.map((job) => [
      bulk.checkbox(job),
      link(['jobs', job.id], h('code', null, job.id), { 'data-key': `job-${job.id}` }),
      job.kind,
      jobBadge(job),
      jobProgress(job, `Progress of ${job.id}`),
      when(job.createdAt),
      resultsLink(job) ?? '—',
    ]);
    replaceChildren(
      results,
      stackTable('Jobs', ['Select', 'Job', 'Kind', 'Status', 'Progress', 'Created', 'Results'], rows, 'No jobs match.'),
      pager(
        { offset: state.offset, limit: PAGE, total },
        (offset) => {
          state.offset = offset;
          bulk.clear();
          replaceQuery(state);
          schedule(0);
        },
        'Job pages',
      ),
    );
    results.setAttribute('aria-busy', 'false');
    bulk.shown(jobs);
    follow(jobs);
    schedule(REFRESH_MS);
  };

  form.addEventListener('change', () => {
    const data = new FormData(form);
    state.kind = String(data.get('kind') ?? '');
    state.status = String(data.get('status') ?? '');
    state.from = String(data.get('from') ?? '');
    state.to = String(data.get('to') ?? '');
    state.offset = 0;
    bulk.clear();
    replaceQuery(state);
    schedule(0);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  await load();
}
