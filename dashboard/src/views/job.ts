/**
 * Job detail: status, progress, credits, a cancel button (or, once finished with failed or
 * canceled items, a rerun button), the items with their results and errors, and the event timeline. The event stream drives everything live: each event is added
 * to the timeline and refreshes the job and its items, until the terminal event.
 */
import { client, LongrunError } from '../api.ts';
import { candidateCard } from '../components/candidate.ts';
import { isUnfinished, resultsLink } from '../components/jobLinks.ts';
import { jsonBlock } from '../components/json.ts';
import { pager } from '../components/pager.ts';
import { jobProgress } from '../components/progress.ts';
import { renderLabel, type RenderInput } from '../components/renderLabel.ts';
import { jobBadge, statusBadge } from '../components/status.ts';
import { eventTimeline } from '../components/timeline.ts';
import { actionButton, facts, h, link, replaceChildren } from '../dom.ts';
import { between, when } from '../format.ts';
import { announce } from '../live.ts';
import type { ViewContext } from '../router.ts';
import { followJobEvents, isTerminalEvent } from '../jobEvents.ts';
import { newestOnly } from '../newest.ts';
import type { Candidate, Job, JobItem } from 'longrun/client';

const ITEMS_PAGE = 50;

function itemResult(kind: string, item: JobItem): HTMLElement | null {
  if (item.error) return h('p', { class: 'error-text' }, h('code', null, item.error.code), ' ', item.error.message);
  if (item.result === null || item.result === undefined) return null;
  if (kind === 'enrichment') return candidateCard(item.result as Candidate, null);
  return jsonBlock('Result', item.result);
}

/** "1 attempt", "3 attempts (2 retries)". */
function attemptsText(attempts: number): string {
  const retries = attempts - 1;
  return `${attempts} attempt${attempts === 1 ? '' : 's'}${retries > 0 ? ` (${retries} ${retries === 1 ? 'retry' : 'retries'})` : ''}`;
}

/** An item put back after a failed attempt keeps that attempt's error until it runs again. */
function retryNote(item: JobItem): HTMLElement | null {
  if (item.status !== 'pending' || !item.error || item.attempts === 0) return null;
  return h(
    'p',
    { class: 'retry-note' },
    `Attempt ${item.attempts} failed with `,
    h('code', null, item.error.code),
    ` (${item.error.message}); waiting to retry.`,
  );
}

/** "Runs the 2 failed and 1 canceled items again as a new job, charging for those only." */
function rerunHint(job: Job): string {
  const parts = [job.counts.failed > 0 ? `${job.counts.failed} failed` : null, job.counts.canceled > 0 ? `${job.counts.canceled} canceled` : null];
  const items = job.counts.failed + job.counts.canceled;
  return `Runs the ${parts.filter(Boolean).join(' and ')} item${items === 1 ? '' : 's'} again as a new job, charging for those only.`;
}

function itemList(job: Job, items: JobItem[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, 'No items.');
  return h(
    'ul',
    { class: 'items', 'aria-label': 'Items' },
    items.map((item) =>
      h(
        'li',
        { class: 'item' },
        h(
          'div',
          { class: 'item-head' },
          h('code', null, item.key),
          statusBadge(item.status),
          h('span', { class: item.attempts > 1 ? 'retried' : 'muted' }, attemptsText(item.attempts)),
          item.finishedAt ? h('span', { class: 'muted' }, `took ${between(item.startedAt, item.finishedAt)}`) : null,
        ),
        retryNote(item) ?? itemResult(job.kind, item),
      ),
    ),
  );
}

export async function jobView({ root, params, signal }: ViewContext): Promise<void> {
  const id = params.id!;
  const summary = h('section', { 'aria-labelledby': 'job-summary' });
  const items = h('section', { 'aria-labelledby': 'job-items' });
  const timeline = eventTimeline();
  const message = h('p', { class: 'message', role: 'alert', tabindex: -1 });
  let itemsOffset = 0;
  let job: Job;
  // Refreshes follow the job's events and can be answered out of order; a cancel draws too.
  const summaryTurn = newestOnly();
  const itemsTurn = newestOnly();
  /** A render's segment and template, read once (its clip's candidates name the segment). */
  let render: string | null = null;

  const cancel = async () => {
    message.textContent = '';
    try {
      const current = summaryTurn();
      const canceled = await client().jobs.cancel(id, { signal });
      if (current()) {
        job = canceled;
        drawSummary();
      }
      // The button is gone: focus goes to the outcome, which the alert role also reads out.
      message.textContent = 'Job canceled. Finished items keep their results and charges; the others are canceled.';
      message.focus();
    } catch (error) {
      if (!(error instanceof LongrunError)) throw error;
      message.textContent = error.message;
    }
  };

  /** Runs the failed and canceled items again as a new job; the message links to it, with focus. */
  const rerun = async () => {
    message.textContent = '';
    try {
      const next = await client().jobs.rerun(id, {}, { signal });
      const open = link(['jobs', next.jobId], `Open job ${next.jobId}`, { 'data-key': 'rerun-open' });
      replaceChildren(message, `Rerun queued: ${next.items} item${next.items === 1 ? '' : 's'} run again as a new job. `, open);
      open.focus();
    } catch (error) {
      if (!(error instanceof LongrunError)) throw error;
      // 409 for a kind that cannot be rerun, or for nothing left to rerun: the API says which.
      message.textContent = error.message;
      message.focus();
    }
  };

  const drawSummary = () => {
    const toRerun = isUnfinished(job) ? 0 : job.counts.failed + job.counts.canceled;
    const results = resultsLink(job);
    replaceChildren(
      summary,
      h('h2', { id: 'job-summary', class: 'visually-hidden' }, 'Summary'),
      facts([
        ['Kind', job.kind],
        ['Render', render],
        ['Status', jobBadge(job)],
        ['Created', when(job.createdAt)],
        ['Started', when(job.startedAt)],
        ['Finished', job.completedAt ? when(job.completedAt) : null],
        ['Took', job.completedAt ? between(job.startedAt ?? job.createdAt, job.completedAt) : null],
        ['Credits', `${job.credits.charged} charged${job.credits.reserved > 0 ? `, ${job.credits.reserved} reserved` : ''}`],
        ['Attempts', String(job.attempts)],
        ['Error', job.error ? h('span', { class: 'error-text' }, h('code', null, job.error.code), ' ', job.error.message) : null],
      ]),
      jobProgress(job),
      h(
        'div',
        { class: 'actions' },
        isUnfinished(job) ? h('button', { type: 'button', class: 'danger', 'data-key': 'cancel', onclick: () => void cancel() }, 'Cancel job') : null,
        toRerun > 0 ? actionButton('Rerun failed items', rerun, { 'data-key': 'rerun', 'aria-describedby': 'rerun-hint' }) : null,
        toRerun > 0 ? h('span', { id: 'rerun-hint', class: 'hint' }, rerunHint(job)) : null,
        results,
      ),
      message,
    );
  };

  /** `poll`: a refresh after the job's events, not the user's (api.ts). */
  const loadItems = async (poll = false) => {
    const current = itemsTurn();
    const page = await client(undefined, { poll }).jobs.items(id, { limit: ITEMS_PAGE, offset: itemsOffset }, { signal });
    if (!current()) return;
    replaceChildren(
      items,
      h('h2', { id: 'job-items' }, `Items (${page.total})`),
      itemList(job, page.items),
      pager(
        { offset: itemsOffset, limit: ITEMS_PAGE, total: page.total },
        (offset) => {
          itemsOffset = offset;
          void loadItems();
        },
        'Item pages',
      ),
    );
  };

  const load = async (poll = false) => {
    // 202 while the job runs, 200 once it ended: both carry the job.
    const current = summaryTurn();
    const read = await client(undefined, { poll }).jobs.get(id, { signal });
    if (!current()) return;
    job = read;
    if (job.kind === 'clip.render' && render === null) {
      const clipId = (job.input as RenderInput | null)?.clipId;
      const candidates = clipId
        ? await client()
            .clips.get(clipId, { signal })
            .then(
              (c) => c.candidates,
              () => [],
            )
        : [];
      render = renderLabel(job.input, candidates);
      if (!current()) return;
    }
    drawSummary();
    await loadItems(poll);
  };

  await load();
  root.prepend(h('h1', { tabindex: -1 }, 'Job ', h('code', null, id)));
  root.append(
    summary,
    items,
    h('section', { 'aria-labelledby': 'job-events' }, h('h2', { id: 'job-events' }, 'Events'), timeline.element),
    h(
      'section',
      { class: 'raw', 'aria-labelledby': 'job-data' },
      h('h2', { id: 'job-data' }, 'Input and output'),
      jsonBlock('Input', job!.input),
      jsonBlock('Output', job!.output) ?? h('p', { class: 'muted' }, isUnfinished(job!) ? 'No output yet.' : 'No output.'),
    ),
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer));
  void followJobEvents(
    id,
    (event) => {
      timeline.add(event);
      clearTimeout(timer);
      // Events come in bursts (an item, then the job's end): one refresh per burst.
      timer = setTimeout(() => void load(true).catch(() => undefined), isTerminalEvent(event.type) ? 0 : 200);
      if (isTerminalEvent(event.type) && isUnfinished(job)) announce(`Job ${id} ${event.type.replace('job.', '')}.`);
    },
    signal,
  ).catch(() => timeline.stopped());
}
