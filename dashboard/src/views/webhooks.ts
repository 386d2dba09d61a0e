/** Webhook endpoints: where they deliver, what they subscribe to, and whether they are enabled. */
import { client } from '../api.ts';
import { stackTable } from '../components/table.ts';
import { h, link } from '../dom.ts';
import { when } from '../format.ts';
import type { ViewContext } from '../router.ts';

export async function webhooksView({ root, signal }: ViewContext): Promise<void> {
  const { webhooks } = await client().webhooks.list({ limit: 100 }, { signal });
  const rows = webhooks.map((w) => [
    link(['webhooks', w.id], w.name ?? w.url, { class: 'wrap' }),
    w.events.join(', '),
    w.enabled ? 'enabled' : h('span', { class: 'error-text' }, `disabled: ${w.disabledReason ?? ''}`),
    String(w.consecutiveFailures),
    when(w.createdAt),
  ]);
  root.append(
    h('h1', { tabindex: -1 }, 'Webhooks'),
    stackTable(
      'Webhook endpoints',
      ['Endpoint', 'Events', 'State', 'Failures in a row', 'Created'],
      rows,
      'No endpoints yet. Register one with POST /webhooks (see the README).',
    ),
  );
}
