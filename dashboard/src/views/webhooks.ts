/**
 * Webhook endpoints: where they deliver, what they subscribe to, whether they are enabled; and a
 * form to register one, whose signing secret is shown once.
 */
import { client } from '../api.ts';
import { endpointFields, endpointValues } from '../components/endpointFields.ts';
import { formError, onSubmit } from '../components/form.ts';
import { shownOnce } from '../components/secret.ts';
import { stackTable } from '../components/table.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import { announce } from '../live.ts';
import type { ViewContext } from '../router.ts';

export async function webhooksView({ root, signal }: ViewContext): Promise<void> {
  const list = h('section', { 'aria-label': 'Endpoints' });
  const made = h('div');

  const load = async () => {
    const { webhooks } = await client().webhooks.list({ limit: 100 }, { signal });
    const rows = webhooks.map((w) => [
      link(['webhooks', w.id], w.name ?? w.url, { class: 'wrap' }),
      w.events.join(', '),
      w.enabled ? 'enabled' : h('span', { class: 'error-text' }, `disabled: ${w.disabledReason ?? ''}`),
      String(w.consecutiveFailures),
      when(w.createdAt),
    ]);
    replaceChildren(
      list,
      stackTable('Webhook endpoints', ['Endpoint', 'Events', 'State', 'Failures in a row', 'Created'], rows, 'No endpoints yet. Register one below.'),
    );
  };

  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-endpoint' },
    h('h2', { id: 'new-endpoint' }, 'New endpoint'),
    endpointFields('new-endpoint'),
    h('button', { type: 'submit' }, 'Create endpoint'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const { name, url, events } = endpointValues(data);
    const created = await client().webhooks.create({ url, events, ...(name ? { name } : {}) }, { signal });
    form.reset();
    replaceChildren(
      made,
      shownOnce('new-endpoint-secret', `New endpoint ${created.name ?? created.url}`, 'Signing secret', created.signingSecret ?? ''),
      h('p', null, link(['webhooks', created.id], `Open ${created.name ?? created.url}`)),
    );
    made.querySelector<HTMLInputElement>('input')?.focus();
    announce('Endpoint created; copy its signing secret now.');
    await load();
  });

  await load();
  root.append(h('h1', { tabindex: -1 }, 'Webhooks'), list, made, form);
}
