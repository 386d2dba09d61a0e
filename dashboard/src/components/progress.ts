/**
 * A job's progress: a native <progress> (announced by screen readers as a progress bar) with
 * the counts written out beside it.
 */
import { h } from '../dom.ts';
import type { Job } from '../types.ts';

export function jobProgress(job: Job, labelText = 'Progress'): HTMLElement {
  const { done, total, fraction } = job.progress;
  const id = `progress-${job.id}`;
  const running = job.status === 'running' && fraction !== null ? ` · current item ${Math.round(fraction * 100)}%` : '';
  const failed = job.counts.failed > 0 ? `, ${job.counts.failed} failed` : '';
  // A render is one item: its fraction is the only measure of how far it is.
  const value = total === 1 && fraction !== null && job.status === 'running' ? fraction : total === 0 ? 0 : done / total;
  return h(
    'div',
    { class: 'progress' },
    h('label', { for: id }, labelText),
    h('progress', { id, max: 1, value: job.status === 'completed' ? 1 : value }),
    h('span', { class: 'progress-text' }, `${done} of ${total} items done${failed}${running}`),
  );
}
