/**
 * Acting on several jobs of the jobs list at once: a labelled checkbox per row, one that
 * selects the page, and "Cancel selected" (confirmed first) and "Rerun selected". The selection
 * outlives the list's live refreshes (the rows are drawn again every few seconds); the view
 * clears it when the filters or the page change, so nothing unseen stays selected. The API
 * answers per job: the answers are listed under the buttons, with focus on them, and the list is
 * refreshed.
 */
import { client, LongrunError } from '../api.ts';
import { h, replaceChildren } from '../dom.ts';
import { announce } from '../live.ts';
import { outcomeList, outcomeSummary } from './bulkOutcome.ts';
import { confirmButton } from './confirm.ts';
import type { BulkResults, Job } from 'longrun/client';

export interface JobBulkActions {
  /** The select-all box, the count and the buttons, then what the last action did. */
  element: HTMLElement;
  /** The checkbox of a row, checked when the job is selected. */
  checkbox(job: Pick<Job, 'id' | 'kind'>): HTMLElement;
  /** The jobs now shown (after each load): the select-all box follows them. */
  shown(jobs: Pick<Job, 'id'>[]): void;
  /** Forgets the selection (the filters or the page changed). */
  clear(): void;
}

export function jobBulkActions({ refresh, signal }: { refresh: () => void; signal: AbortSignal }): JobBulkActions {
  const selected = new Set<string>();
  /** Each job's kind, to say which kind cannot be rerun. */
  const kinds = new Map<string, string>();
  let rows = new Map<string, HTMLInputElement>();
  let busy = false;

  const all = h('input', { type: 'checkbox', id: 'select-page', 'data-key': 'select-page' });
  const count = h('span', { class: 'muted' });
  const rerun = h('button', { type: 'button', 'data-key': 'rerun-selected' }, 'Rerun selected');
  const cancelBox = confirmButton(
    'Cancel selected',
    'Cancel the selected jobs? Their unfinished items are canceled; finished items keep their results.',
    () => act('Cancel', (ids) => client().jobs.cancelMany({ ids }, { signal })),
    { 'data-key': 'cancel-selected' },
  );
  // The confirm box swaps its buttons; its first one is the "Cancel selected" that asks.
  const cancel = cancelBox.querySelector('button')!;
  const outcome = h('section', { class: 'card bulk-outcome', 'aria-labelledby': 'bulk-outcome', tabindex: -1, hidden: true });

  const update = () => {
    const onPage = [...rows.keys()];
    const picked = onPage.filter((id) => selected.has(id)).length;
    all.checked = onPage.length > 0 && picked === onPage.length;
    all.indeterminate = picked > 0 && picked < onPage.length;
    all.disabled = onPage.length === 0;
    count.textContent = selected.size === 0 ? 'No job selected' : `${selected.size} selected`;
    cancel.disabled = busy || selected.size === 0;
    rerun.disabled = busy || selected.size === 0;
  };

  async function act(verb: 'Cancel' | 'Rerun', call: (ids: string[]) => Promise<BulkResults>): Promise<void> {
    const ids = [...selected];
    if (ids.length === 0 || busy) return;
    busy = true;
    update();
    try {
      const { results } = await call(ids);
      replaceChildren(
        outcome,
        h('h2', { id: 'bulk-outcome' }, `${verb} selected: ${results.length} job${results.length === 1 ? '' : 's'}`),
        outcomeList(results, kinds),
      );
      announce(`${verb} selected: ${outcomeSummary(results)}.`);
      selected.clear();
      for (const box of rows.values()) box.checked = false;
    } catch (error) {
      if (!(error instanceof LongrunError)) throw error;
      replaceChildren(outcome, h('h2', { id: 'bulk-outcome' }, `${verb} selected`), h('p', { class: 'error-text', role: 'alert' }, error.message));
    } finally {
      busy = false;
      update();
    }
    outcome.hidden = false;
    outcome.focus();
    refresh();
  }
  rerun.addEventListener('click', () => void act('Rerun', (ids) => client().jobs.rerunMany({ ids }, { signal })));

  all.addEventListener('change', () => {
    for (const [id, box] of rows) {
      box.checked = all.checked;
      if (all.checked) selected.add(id);
      else selected.delete(id);
    }
    update();
  });

  update();
  return {
    element: h(
      'div',
      null,
      h(
        'div',
        { class: 'actions bulk', role: 'group', 'aria-label': 'Selected jobs' },
        h('span', { class: 'pick' }, all, h('label', { for: 'select-page' }, 'Select all on this page')),
        count,
        cancelBox,
        rerun,
      ),
      outcome,
    ),
    checkbox(job) {
      kinds.set(job.id, job.kind);
      const id = `select-${job.id}`;
      const box = h('input', { type: 'checkbox', id, 'data-key': id, checked: selected.has(job.id) });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(job.id);
        else selected.delete(job.id);
        update();
      });
      rows.set(job.id, box);
      return h('span', { class: 'pick' }, box, h('label', { for: id, class: 'visually-hidden' }, `Select ${job.id}`));
    },
    shown(jobs) {
      const ids = new Set(jobs.map((j) => j.id));
      rows = new Map([...rows].filter(([id]) => ids.has(id)));
      update();
    },
    clear() {
      selected.clear();
      rows.clear();
      update();
    },
  };
}
