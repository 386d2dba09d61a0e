/**
 * A destructive action in two steps: the first button asks, and only "Yes, …" acts. No
 * `window.confirm`, which screen readers and tests handle badly and which blocks the page.
 */
import { h } from '../dom.ts';

export function confirmButton(label: string, question: string, action: () => Promise<void>, attrs: Record<string, string> = {}): HTMLElement {
  const box = h('span', { class: 'confirm' });
  const ask = h('button', { type: 'button', ...attrs }, label);
  const showAsk = () => {
    box.replaceChildren(ask);
  };
  ask.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'danger' }, `Yes, ${label.toLowerCase()}`);
    const no = h('button', { type: 'button' }, 'Keep');
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      no.disabled = true;
      try {
        await action();
      } finally {
        showAsk();
      }
    });
    no.addEventListener('click', () => {
      showAsk();
      ask.focus();
    });
    box.replaceChildren(h('span', { role: 'group', 'aria-label': question }, h('span', null, question, ' '), yes, ' ', no));
    yes.focus();
  });
  showAsk();
  return box;
}
