/** Previous/next buttons over a `limit`/`offset` list, with "21–40 of 75". */
import { h } from '../dom.ts';

export function pager(page: { offset: number; limit: number; total: number }, go: (offset: number) => void, label = 'Pages'): HTMLElement | null {
  const { offset, limit, total } = page;
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return h(
    'nav',
    { class: 'pager', 'aria-label': label },
    h('button', { type: 'button', disabled: offset === 0, 'data-key': 'pager-prev', onclick: () => go(Math.max(0, offset - limit)) }, 'Previous'),
    h('span', null, `${first}–${last} of ${total}`),
    h('button', { type: 'button', disabled: last >= total, 'data-key': 'pager-next', onclick: () => go(offset + limit) }, 'Next'),
  );
}
