/**
 * A webhook endpoint's name, URL and events, as the create and edit forms ask for them;
 * "All events" is `*`.
 */
import { h } from '../dom.ts';
import { field, input } from './form.ts';

/**
 * EVENT_TYPES of src/families/webhooks/schemas.ts, written out: importing that module would
 * bundle TypeBox. test/browser/manageWebhooks.test.ts checks the form offers exactly these.
 */
const EVENT_TYPES = [
  'SOURCING_COMPLETED',
  'SOURCING_FAILED',
  'ENRICH_COMPLETED',
  'ENRICH_FAILED',
  'idea.enrich.completed',
  'idea.enrich.failed',
  'clip.render.completed',
  'clip.render.failed',
  'agent.run.completed',
  'agent.run.failed',
];
const ALL_EVENTS = '*';

export interface EndpointFields {
  name: string;
  url: string;
  events: string[];
}

export function endpointFields(prefix: string, current?: EndpointFields): HTMLElement[] {
  const chosen = new Set(current?.events ?? [ALL_EVENTS]);
  const box = (value: string, label: string) => {
    const id = `${prefix}-event-${value.replace(/[^\w-]/g, '_')}`;
    return h('div', { class: 'pick' }, h('input', { type: 'checkbox', id, name: 'events', value, checked: chosen.has(value) }), h('label', { for: id }, label));
  };
  return [
    field(`${prefix}-name`, 'Name', input('name', { maxlength: 100, value: current?.name ?? '', placeholder: 'Billing receiver' })),
    field(
      `${prefix}-url`,
      'URL',
      input('url', { type: 'url', required: true, maxlength: 2000, value: current?.url ?? '', placeholder: 'https://example.com/hooks/longrun' }),
      'HTTPS, on a public address (the server refuses private ones unless its settings allow them).',
    ),
    h(
      'fieldset',
      { class: 'scopes' },
      h('legend', null, 'Events'),
      h(
        'div',
        { class: 'scope-grid' },
        box(ALL_EVENTS, 'All events (*)'),
        EVENT_TYPES.map((type) => box(type, type)),
      ),
    ),
  ];
}

/** The form's values; at least one event, else an error the form shows. */
export function endpointValues(data: FormData): EndpointFields {
  const events = data.getAll('events').map(String);
  if (events.length === 0) throw new Error('Choose at least one event, or All events.');
  return {
    name: String(data.get('name') ?? '').trim(),
    url: String(data.get('url') ?? '').trim(),
    events: events.includes(ALL_EVENTS) ? [ALL_EVENTS] : events,
  };
}
