/**
 * A secret the server shows once (a new API key, a webhook signing secret): in a read-only field
 * to select or copy, with a plain warning that it will not be shown again.
 */
import { h } from '../dom.ts';
import { announce } from '../live.ts';

/** `title` heads the box; `label` names the field that holds the secret. */
export function shownOnce(id: string, title: string, label: string, secret: string): HTMLElement {
  const field = h('input', { id, type: 'text', readonly: true, value: secret, spellcheck: 'false', class: 'secret-value' });
  const copy = h('button', { type: 'button' }, 'Copy');
  copy.addEventListener('click', async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(secret);
      announce('Copied.');
    } catch {
      announce('Copy it by hand: the text is selected.');
    }
  });
  return h(
    'div',
    { class: 'card secret', role: 'region', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    h('p', null, h('strong', null, 'Copy it now: it is not shown again.')),
    h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'pick' }, field, copy)),
  );
}
