/** A job's events in order, as they arrive from the event stream. */
import { h } from '../dom.ts';
import { when } from '../format.ts';
import type { JobEndData, JobEvent } from 'longrun/client';

/** What a job's end says of its items: " (1 of 4 succeeded, 3 canceled)"; nothing when the event has no counts. */
function endCounts(d: Partial<JobEndData> | null): string {
  if (d?.total === undefined) return '';
  const failed = d.failed ?? 0;
  const canceled = d.canceled ?? 0;
  return ` (${d.succeeded ?? 0} of ${d.total} succeeded${failed > 0 ? `, ${failed} failed` : ''}${canceled > 0 ? `, ${canceled} canceled` : ''})`;
}

// `data` is read defensively: events written by older servers may lack a field.
function describe(event: JobEvent): string {
  switch (event.type) {
    case 'job.queued':
      return `Queued with ${event.data?.items ?? '?'} items`;
    case 'job.started':
      return `Started (attempt ${event.data?.attempt ?? 1})`;
    case 'item.retrying':
      return `Item ${event.data?.key} attempt ${event.data?.attempt ?? '?'} failed: ${event.data?.errorCode ?? ''} ${event.data?.errorMessage ?? ''}`.trim();
    case 'item.succeeded':
      return `Item ${event.data?.key} succeeded`;
    case 'item.failed':
      return `Item ${event.data?.key} failed: ${event.data?.errorCode ?? ''} ${event.data?.errorMessage ?? ''}`.trim();
    case 'job.progress':
      return `Progress ${Math.round((event.data?.fraction ?? 0) * 100)}%`;
    case 'job.completed':
      return `Completed${endCounts(event.data)}`;
    case 'job.failed':
      return `Failed${event.data?.errorCode ? `: ${event.data.errorCode}` : ''}${endCounts(event.data)}`;
    case 'job.canceled':
      return `Canceled${endCounts(event.data)}`;
    default:
      return (event as { type: string }).type;
  }
}

/** When a retrying item runs again: " — retries at <time>". */
function retryAt(event: JobEvent): Array<string | HTMLElement> {
  if (event.type !== 'item.retrying' || !event.data?.retryAt) return [];
  return [h('span', { class: 'event-retries' }, ' — retries at ', when(event.data.retryAt))];
}

/**
 * The timeline. A retry is an event of its own (`item.retrying`, with the attempt, the error and
 * when the item runs again); jobs that retried before that event existed show their attempts
 * on their items only.
 */
export function eventTimeline(): { element: HTMLElement; add(event: JobEvent): void; stopped(): void } {
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
      const item = event.type.startsWith('item.') ? String((event.data as { key?: string } | null)?.key ?? '') : null;
      list.append(
        h(
          'li',
          { 'data-type': event.type, 'data-item': item, class: `event-${event.type.replace('.', '-')}` },
          h('span', { class: 'event-what' }, describe(event)),
          ...retryAt(event),
          ' ',
          h('span', { class: 'muted' }, when(event.createdAt)),
        ),
      );
    },
    /** The event stream broke off for good. */
    stopped() {
      empty.remove();
      list.append(
        h(
          'li',
          { 'data-type': 'stream.error', class: 'event-stream-error' },
          h('span', { class: 'event-what' }, 'Live updates stopped; reload the page to resume them.'),
          ' ',
          h('span', { class: 'muted' }, when(new Date().toISOString())),
        ),
      );
    },
  };
}
