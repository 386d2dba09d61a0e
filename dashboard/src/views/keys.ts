/**
 * API keys (`/keys`, a `keys:write` key): make a key with scopes the signed-in key holds (the
 * key is shown once), and revoke the others. The scope rules are the server's own
 * (src/scopes.ts), so the form offers only what the server would accept.
 */
import { client, LongrunError } from '../api.ts';
import { confirmButton } from '../components/confirm.ts';
import { field, formError, input, onSubmit } from '../components/form.ts';
import { shownOnce } from '../components/secret.ts';
import { stackTable } from '../components/table.ts';
import { h, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import { announce } from '../live.ts';
import type { ViewContext } from '../router.ts';
import { ALL_SCOPES, scopesNotHeld } from '../scopes.ts';
import type { ApiKey } from 'longrun/client';

function scopeList(scopes: string[]): string {
  return scopes.length === 0 ? 'every product scope' : scopes.join(', ');
}

function scopePicker(held: string[]): HTMLFieldSetElement {
  return h(
    'fieldset',
    { class: 'scopes' },
    h('legend', null, 'Scopes'),
    h('p', { class: 'hint', id: 'key-scopes-hint' }, 'None ticked: every product scope. Greyed out: this key does not hold it, so cannot pass it on.'),
    h(
      'div',
      { class: 'scope-grid' },
      ALL_SCOPES.map((scope) => {
        const id = `scope-${scope.replace(':', '-')}`;
        const allowed = scopesNotHeld(held, [scope]).length === 0;
        return h(
          'div',
          { class: 'pick' },
          h('input', { type: 'checkbox', id, name: 'scopes', value: scope, disabled: !allowed, 'aria-describedby': 'key-scopes-hint' }),
          h('label', { for: id }, scope),
        );
      }),
    ),
  );
}

export async function keysView({ root, signal }: ViewContext): Promise<void> {
  const me = await client().account.me({ signal });
  root.append(h('h1', { tabindex: -1 }, 'API keys'));
  if (scopesNotHeld(me.key.scopes, ['keys:write']).length > 0) {
    root.append(
      h(
        'p',
        null,
        'This key cannot manage keys: that needs the keys:write scope, which is granted by name only, e.g. ',
        h('code', null, 'npx longrun keys create --org <org> --scopes keys:write,… --name admin'),
        '.',
      ),
    );
    return;
  }

  const list = h('section', { 'aria-labelledby': 'keys-title' });
  const made = h('div');
  const message = h('p', { class: 'message', role: 'status' });

  const load = async () => {
    const { keys, total } = await client().keys.list({ limit: 100 }, { signal });
    const rows = keys.map((k: ApiKey) => [
      h('span', { class: 'wrap' }, k.name),
      h('code', { class: 'wrap' }, k.id),
      scopeList(k.scopes),
      when(k.createdAt),
      when(k.lastUsedAt),
      k.revokedAt ? h('span', null, 'revoked ', when(k.revokedAt)) : 'active',
      k.revokedAt
        ? null
        : k.id === me.key.id
          ? h('span', { class: 'muted' }, 'the key in use')
          : confirmButton(
              'Revoke',
              `Revoke ${k.name}? It stops working at once.`,
              async () => {
                try {
                  await client().keys.revoke(k.id, { signal });
                  message.textContent = `Key ${k.name} revoked.`;
                  await load();
                } catch (error) {
                  message.textContent = error instanceof LongrunError ? error.message : String(error);
                }
              },
              { 'aria-label': `Revoke ${k.name}`, 'data-key': `revoke-${k.id}` },
            ),
    ]);
    replaceChildren(
      list,
      h('h2', { id: 'keys-title' }, `Keys (${total})`),
      stackTable('API keys', ['Name', 'ID', 'Scopes', 'Created', 'Last used', 'State', 'Revoke'], rows),
    );
  };

  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-key' },
    h('h2', { id: 'new-key' }, 'New key'),
    field('key-name', 'Name', input('name', { required: true, maxlength: 100, placeholder: 'ci' })),
    scopePicker(me.key.scopes),
    h('button', { type: 'submit' }, 'Create key'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const scopes = data.getAll('scopes').map(String);
    const created = await client().keys.create({ name: String(data.get('name')).trim(), scopes }, { signal });
    form.reset();
    replaceChildren(made, shownOnce('new-key-value', `New key ${created.name}`, `Key ${created.name}`, created.key));
    made.querySelector<HTMLInputElement>('input')?.focus();
    announce(`Key ${created.name} created; copy it now.`);
    await load();
  });

  await load();
  root.append(message, made, form, list);
}
