/** A job's events in order, as they arrive from the event stream. */
import { h } from '../dom.ts';
import { when } from '../format.ts';
import type { JobEvent } from '../types.ts';

/** What a job's end says of its items: " (1 of 4 succeeded, 3 canceled)"; nothing when the event has no counts. */
function endCounts(d: Record<string, unknown>): string {
  if (d.total === undefined) return '';
  const failed = Number(d.failed ?? 0);
  const canceled = Number(d.canceled ?? 0);
  return ` (${String(d.succeeded ?? 0)} of ${String(d.total)} succeeded${failed > 0 ? `, ${failed} failed` : ''}${canceled > 0 ? `, ${canceled} canceled` : ''})`;
}

function describe(event: JobEvent): string {
  const d = event.data ?? {};
  switch (event.type) {
    case 'job.queued':
      return `Queued with ${String(d.items ?? '?')} items`;
    case 'job.started':
      return `Started (attempt ${String(d.attempt ?? 1)})`;
    case 'item.succeeded':
      return `Item ${String(d.key)} succeeded`;
    case 'item.failed':
      return `Item ${String(d.key)} failed: ${String(d.errorCode ?? '')} ${String(d.errorMessage ?? '')}`.trim();
    case 'job.progress':
      return `Progress ${Math.round(Number(d.fraction ?? 0) * 100)}%`;
    case 'job.completed':
      return `Completed${endCounts(d)}`;
    case 'job.failed':
      return `Failed${d.errorCode ? `: ${String(d.errorCode)}` : ''}${endCounts(d)}`;
    case 'job.canceled':
      return `Canceled${endCounts(d)}`;
    case 'stream.error':
      return 'Live updates stopped; reload the page to resume them.';
    default:
      return event.type;
  }
}

export function eventTimeline(): { element: HTMLElement; add(event: JobEvent): void } {
  const list = h('ol', { class: 'timeline', 'aria-label': 'Events' });
  const empty = h('p', { class: 'muted' }, 'Waiting for events…');
  const element = h('div', null, empty, list);
  return {
    element,
    add(event) {
      empty.remove();
      // Progress events of a long render come often: one line, updated, is enough.
      const last = list.lastElementChild;
      if (event.type === 'job.progress' && last?.getAttribute('data-type') === 'job.progress') last.remove();
      list.append(h('li', { 'data-type': event.type, class: `event-${event.type.replace('.', '-')}` }, h('span', { class: 'event-what' }, describe(event)), ' ', h('span', { class: 'muted' }, when(event.createdAt))));
    },
  };
}
