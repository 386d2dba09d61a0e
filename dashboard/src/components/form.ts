/** Labelled form fields, and a form's error line (read out when it appears). */
import { h, type Attrs } from '../dom.ts';

export function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null);
}

export function input(name: string, attrs: Attrs = {}): HTMLInputElement {
  return h('input', { name, type: 'text', ...attrs });
}

export function textarea(name: string, attrs: Attrs = {}): HTMLTextAreaElement {
  return h('textarea', { name, rows: 4, ...attrs });
}

export function formError(): HTMLParagraphElement {
  return h('p', { class: 'message error-text', role: 'alert' });
}

/**
 * Runs `submit` on the form's submit event with the button disabled meanwhile; an error's
 * message is shown in `error`.
 */
export function onSubmit(form: HTMLFormElement, error: HTMLElement, submit: (data: FormData) => Promise<void>): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (button?.disabled) return;
    if (button) button.disabled = true;
    error.textContent = '';
    try {
      await submit(new FormData(form));
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      if (button) button.disabled = false;
    }
  });
}
