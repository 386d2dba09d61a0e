/**
 * A job's progress: a bar in parts — succeeded, failed, canceled, and the running item's share
 * — with the counts written out beside it. An ARIA progressbar (a native <progress> has one
 * colour, so a job whose every item failed showed a full bar of success), named by its label
 * and read out as the same counts as the text.
 */
import { h } from '../dom.ts';
import type { Job } from 'longrun/client';

/** One part of the bar, `share` of its width (0–1), set through the CSSOM (the CSP allows no style attributes). */
function part(kind: string, share: number): HTMLSpanElement | null {
  if (share <= 0) return null;
  const el = h('span', { class: `bar-part bar-${kind}` });
  el.style.width = `${Math.min(1, share) * 100}%`;
  return el;
}

export function jobProgress(job: Job, labelText = 'Progress'): HTMLElement {
  const { done, total, fraction } = job.progress;
  const { succeeded, failed, canceled } = job.counts;
  const id = `progress-${job.id}`;
  const runningShare = job.status === 'running' && fraction !== null && done < total ? fraction : 0;
  const running = runningShare > 0 ? ` · current item ${Math.round(fraction! * 100)}%` : '';
  const notes = `${failed > 0 ? `, ${failed} failed` : ''}${canceled > 0 ? `, ${canceled} canceled` : ''}`;
  const text = `${done} of ${total} items done${notes}${running}`;
  const of = (n: number) => (total === 0 ? 0 : n / total);
  return h(
    'div',
    { class: 'progress' },
    h('span', { class: 'progress-label', id: `${id}-label` }, labelText),
    h(
      'div',
      {
        class: 'bar',
        id,
        role: 'progressbar',
        'aria-labelledby': `${id}-label`,
        'aria-valuemin': 0,
        'aria-valuemax': total,
        'aria-valuenow': done + runningShare,
        'aria-valuetext': text,
      },
      part('succeeded', of(succeeded)),
      part('failed', of(failed)),
      part('canceled', of(canceled)),
      part('running', of(runningShare)),
    ),
    h('span', { class: 'progress-text' }, text),
  );
}
