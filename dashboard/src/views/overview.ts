/**
 * Overview, the landing page: jobs by kind and status now, throughput and failure rate over the
 * last hour or day (`GET /stats/jobs`), the queued job waiting longest, failures by error code,
 * and the worker processes alive (`GET /workers`, which needs a key granted `workers:read`).
 * Refreshed every few seconds while the tab is seen.
 */
import { client, LongrunError } from '../api.ts';
import { newestOnly } from '../newest.ts';
import { lineChart, stackedBars } from '../components/chart.ts';
import { stackTable } from '../components/table.ts';
import { facts, h, link, replaceChildren } from '../dom.ts';
import { duration, when } from '../format.ts';
import { replaceQuery, type ViewContext } from '../router.ts';
import type { JobStats, WorkerProcess } from 'longrun/client';

const REFRESH_MS = 10_000;
const WINDOWS = { hour: 'Last hour', day: 'Last day' } as const;
type Window = keyof typeof WINDOWS;

function bucketLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function windowPicker(current: Window, change: (w: Window) => void): HTMLElement {
  const options = (Object.keys(WINDOWS) as Window[]).map((w) =>
    h(
      'label',
      { class: 'pick' },
      h('input', { type: 'radio', name: 'window', value: w, checked: w === current, onchange: () => change(w) }),
      h('span', null, WINDOWS[w]),
    ),
  );
  return h('fieldset', { class: 'window-picker' }, h('legend', null, 'Period'), options);
}

function charts(stats: JobStats): HTMLElement {
  const labels = stats.buckets.map((b) => bucketLabel(b.start));
  const per = stats.window === 'hour' ? '5 minutes' : 'hour';
  const ended = stats.buckets.reduce((n, b) => n + b.completed + b.failed + b.canceled, 0);
  const rates = stats.buckets.map((b) => (b.itemsSucceeded + b.itemsFailed === 0 ? NaN : (100 * b.itemsFailed) / (b.itemsSucceeded + b.itemsFailed)));
  const items = stats.buckets.reduce((n, b) => n + b.itemsSucceeded + b.itemsFailed, 0);
  const failedItems = stats.buckets.reduce((n, b) => n + b.itemsFailed, 0);
  const overall = items === 0 ? 'no items ended' : `${Math.round((100 * failedItems) / items)} % of ${items} items failed`;
  return h(
    'div',
    { class: 'columns' },
    stackedBars({
      id: 'chart-throughput',
      title: `Jobs ended per ${per}`,
      summary: `${ended} jobs ended in the ${WINDOWS[stats.window].toLowerCase()}: ${stats.buckets.reduce((n, b) => n + b.completed, 0)} completed, ${stats.buckets.reduce((n, b) => n + b.failed, 0)} failed, ${stats.buckets.reduce((n, b) => n + b.canceled, 0)} canceled.`,
      labels,
      labelHeading: 'From',
      series: [
        { name: 'Completed', className: 'chart-ok', values: stats.buckets.map((b) => b.completed) },
        { name: 'Failed', className: 'chart-bad', values: stats.buckets.map((b) => b.failed) },
        { name: 'Canceled', className: 'chart-muted', values: stats.buckets.map((b) => b.canceled) },
      ],
    }),
    lineChart({
      id: 'chart-failure-rate',
      title: `Item failure rate per ${per}`,
      summary: `Of the items of jobs that ended in the ${WINDOWS[stats.window].toLowerCase()}, ${overall}.`,
      labels,
      labelHeading: 'From',
      max: 100,
      format: (v) => `${Math.round(v)} %`,
      series: [{ name: 'Items failed', className: 'chart-bad', values: rates }],
    }),
  );
}

function kindsTable(stats: JobStats): HTMLElement {
  const rows = stats.kinds.map((k) => [
    h('a', { href: `#/jobs?kind=${encodeURIComponent(k.kind)}` }, h('code', null, k.kind)),
    String(k.queued),
    String(k.running),
    String(k.completed),
    String(k.failed),
    String(k.canceled),
  ]);
  return stackTable('Jobs by kind and status', ['Kind', 'Queued now', 'Running now', 'Completed', 'Failed', 'Canceled'], rows, 'No jobs in this period.');
}

function oldestQueued(stats: JobStats): HTMLElement | string {
  const job = stats.oldestQueued;
  if (!job) return 'None waiting';
  const waited = Math.max(0, Date.now() - new Date(job.dueAt).getTime());
  return h('span', null, link(['jobs', job.id], h('code', null, job.id)), ` (${job.kind}), waiting ${duration(waited)} since `, when(job.dueAt));
}

function failuresTable(stats: JobStats): HTMLElement {
  const rows = stats.failures.map((f) => [h('code', null, f.code), String(f.jobs), String(f.items)]);
  return stackTable('Failures by error code', ['Error code', 'Failed jobs', 'Failed items'], rows, 'No failures in this period.');
}

function workersPart(workers: WorkerProcess[] | 'forbidden'): HTMLElement {
  if (workers === 'forbidden') {
    return h('p', { class: 'muted' }, 'Listing the worker processes needs a key granted the ', h('code', null, 'workers:read'), ' scope by name.');
  }
  const rows = workers.map((w) => [
    w.role,
    h('span', { class: 'wrap' }, `${w.host} (pid ${w.pid})`),
    w.version,
    when(w.lastBeatAt),
    String(w.jobsHeld),
    String(w.workerSlots),
  ]);
  return stackTable('Worker processes alive', ['Role', 'Host', 'Version', 'Last beat', 'Jobs held', 'Slots'], rows, 'No process is alive.');
}

async function workersOrForbidden(signal: AbortSignal, poll: boolean): Promise<WorkerProcess[] | 'forbidden'> {
  try {
    return (await client(undefined, { poll }).workers.list({ signal })).processes;
  } catch (error) {
    if (error instanceof LongrunError && error.status === 403) return 'forbidden';
    throw error;
  }
}

export async function overviewView({ root, query, signal }: ViewContext): Promise<void> {
  let window: Window = query.get('window') === 'day' ? 'day' : 'hour';
  const body = h('div');
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer));

  const draw = (stats: JobStats, workers: WorkerProcess[] | 'forbidden') => {
    const queued = stats.kinds.reduce((n, k) => n + k.queued, 0);
    const running = stats.kinds.reduce((n, k) => n + k.running, 0);
    // A refresh must not close a chart's table the user opened.
    const opened = [...body.querySelectorAll('figure[id] details[open]')].map((d) => d.closest('figure')!.id);
    replaceChildren(
      body,
      h(
        'section',
        { 'aria-labelledby': 'overview-now', class: 'card' },
        h('h2', { id: 'overview-now' }, 'Now'),
        facts([
          ['Queued', h('strong', { class: 'big' }, String(queued))],
          ['Running', h('strong', { class: 'big' }, String(running))],
          ['Workers alive', workers === 'forbidden' ? '—' : h('strong', { class: 'big' }, String(workers.length))],
          ['Oldest queued job', oldestQueued(stats)],
        ]),
      ),
      h(
        'section',
        { 'aria-labelledby': 'overview-throughput' },
        h('h2', { id: 'overview-throughput' }, `Throughput and failures, ${WINDOWS[stats.window].toLowerCase()}`),
        charts(stats),
      ),
      h('section', { 'aria-labelledby': 'overview-kinds' }, h('h2', { id: 'overview-kinds' }, 'Jobs by kind'), kindsTable(stats)),
      h('section', { 'aria-labelledby': 'overview-failures' }, h('h2', { id: 'overview-failures' }, 'Failures by error code'), failuresTable(stats)),
      h('section', { 'aria-labelledby': 'overview-workers' }, h('h2', { id: 'overview-workers' }, 'Workers'), workersPart(workers)),
      h('p', { class: 'muted' }, 'Counts of the kinds this key may read; updated every 10 seconds. ', 'Read at ', when(new Date().toISOString()), '.'),
    );
    for (const id of opened) body.querySelector(`#${CSS.escape(id)} details`)?.setAttribute('open', '');
  };

  const turn = newestOnly();
  /** `poll`: a refresh on the timer, not the user's (api.ts). */
  const load = async (poll = false) => {
    const current = turn();
    const [stats, workers] = await Promise.all([client(undefined, { poll }).jobs.stats({ window }, { signal }), workersOrForbidden(signal, poll)]);
    if (signal.aborted || !current()) return;
    draw(stats, workers);
  };
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (signal.aborted) return;
    timer = setTimeout(() => {
      if (document.hidden) return schedule(REFRESH_MS);
      load(ms > 0).then(
        () => schedule(REFRESH_MS),
        () => schedule(REFRESH_MS),
      );
    }, ms);
  };

  root.append(
    h('h1', { tabindex: -1 }, 'Overview'),
    windowPicker(window, (w) => {
      window = w;
      replaceQuery({ window: w === 'hour' ? undefined : w });
      schedule(0);
    }),
    body,
  );
  await load();
  schedule(REFRESH_MS);
}
