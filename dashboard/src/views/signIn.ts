/**
 * Sign-in: the user pastes an API key, which is checked with `GET /me` and then kept in this
 * tab's sessionStorage. The key goes only to this server, in the Authorization header.
 */
import { client, LongrunError } from '../api.ts';
import { field, formError, input, onSubmit } from '../components/form.ts';
import { h } from '../dom.ts';
import { saveKey } from '../session.ts';
import type { Me } from 'longrun/client';

export function signInView(root: HTMLElement, signedIn: (me: Me) => void): void {
  const error = formError();
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title', tabindex: -1 }, 'Sign in to longrun'),
    field(
      'api-key',
      'API key',
      input('key', { type: 'password', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'lr_…' }),
      'Kept in this browser tab only, and sent only to this server. Create one with: npx longrun keys create --org <name>',
    ),
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const key = String(data.get('key')).trim();
    try {
      const me = await client(key).account.me();
      saveKey(key);
      signedIn(me);
    } catch (e) {
      if (e instanceof LongrunError && e.status === 401) throw new Error('That key was not accepted: it is unknown or revoked.');
      throw e;
    }
  });
  root.replaceChildren(h('main', { id: 'main', class: 'narrow' }, form));
  form.querySelector('input')?.focus();
}
