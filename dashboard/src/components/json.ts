/**
 * Any JSON value, shown folded: inputs, outputs and results of kinds without a view of their
 * own. Inside, a tree: objects and arrays are native disclosures (open to two levels), values
 * are coloured by type and always written out, so colour is never the only signal; "Copy JSON"
 * puts the whole value on the clipboard.
 */
import { h } from '../dom.ts';

/** Past this many entries an object or array shows the first ones and says how many are left. */
const MAX_ENTRIES = 200;
const OPEN_DEPTH = 2;

function leaf(value: unknown): HTMLElement {
  if (value === null) return h('span', { class: 'json-null' }, 'null');
  if (typeof value === 'string') return h('span', { class: 'json-string' }, JSON.stringify(value));
  if (typeof value === 'number') return h('span', { class: 'json-number' }, String(value));
  if (typeof value === 'boolean') return h('span', { class: 'json-boolean' }, String(value));
  return h('span', null, String(value));
}

function node(name: string | null, value: unknown, depth: number): HTMLElement {
  const label = name === null ? null : h('span', { class: 'json-key' }, `${name}: `);
  if (value === null || typeof value !== 'object') return h('li', null, label, leaf(value));
  const array = Array.isArray(value);
  const entries: [string, unknown][] = array ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const size = array ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0) return h('li', null, label, h('span', { class: 'json-null' }, array ? '[]' : '{}'));
  const shown = entries.slice(0, MAX_ENTRIES);
  return h(
    'li',
    null,
    h(
      'details',
      { open: depth < OPEN_DEPTH },
      h('summary', null, label, h('span', { class: 'muted' }, size)),
      h(
        'ul',
        { class: 'json-tree' },
        shown.map(([k, v]) => node(k, v, depth + 1)),
        entries.length > shown.length ? h('li', { class: 'muted' }, `… ${entries.length - shown.length} more`) : null,
      ),
    ),
  );
}

export function jsonBlock(title: string, value: unknown): HTMLElement | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(value, null, 2);
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = h('button', { type: 'button', class: 'link-button' }, 'Copy JSON');
  copy.addEventListener('click', () => {
    navigator.clipboard?.writeText(text).then(
      () => (copied.textContent = 'Copied.'),
      () => (copied.textContent = 'Copying is not allowed here.'),
    );
  });
  return h(
    'details',
    { class: 'json' },
    h('summary', null, title),
    h('div', { class: 'json-tools' }, copy, ' ', copied),
    h('ul', { class: 'json-tree json-root', 'aria-label': title }, node(null, value, 0)),
  );
}
