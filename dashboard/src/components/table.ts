/**
 * A table that becomes a stack of labelled rows at phone width (see `.stack` in style.css):
 * each cell carries its column name, so the page never scrolls sideways.
 */
import { h, type Child } from '../dom.ts';

export function stackTable(caption: string, columns: string[], rows: Child[][], empty = 'Nothing yet.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    { class: 'stack' },
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((cells) =>
        h(
          'tr',
          null,
          cells.map((cell, i) => h('td', { 'data-label': columns[i] ?? '' }, cell)),
        ),
      ),
    ),
  );
}
