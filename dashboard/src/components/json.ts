/** Any JSON value, shown folded: inputs, outputs and results of kinds without a view of their own. */
import { h } from '../dom.ts';

export function jsonBlock(title: string, value: unknown): HTMLElement | null {
  if (value === null || value === undefined) return null;
  return h('details', { class: 'json' }, h('summary', null, title), h('pre', null, JSON.stringify(value, null, 2)));
}
