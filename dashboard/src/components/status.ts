/** A status word as a badge. The word is always shown, so colour is never the only signal. */
import { h } from '../dom.ts';

export function statusBadge(status: string): HTMLSpanElement {
  return h('span', { class: `badge status-${status.replace(/[^a-z]/g, '')}` }, status);
}
