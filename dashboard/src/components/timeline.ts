/** A job's events in order, as they arrive from the event stream. */
import { h } from '../dom.ts';
import { when } from '../format.ts';
import type { JobEvent } from '../types.ts';

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
      return 'Completed';
    case 'job.failed':
      return `Failed${d.errorCode ? `: ${String(d.errorCode)}` : ''}`;
    case 'job.canceled':
      return 'Canceled';
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
