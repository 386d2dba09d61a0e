/**
 * One webhook endpoint: its settings, a test ping, re-enabling after the circuit opened, and its
 * delivery log with a retry button per ended delivery.
 */
import { client, LongrunError } from '../api.ts';
import { jsonBlock } from '../components/json.ts';
import { pager } from '../components/pager.ts';
import { statusBadge } from '../components/status.ts';
import { actionButton, facts, h, replaceChildren } from '../dom.ts';
import { duration, when } from '../format.ts';
import { announce } from '../live.ts';
import type { ViewContext } from '../router.ts';
import type { WebhookDelivery } from 'longrun/client';

const PAGE = 25;

function attempts(d: WebhookDelivery): HTMLElement | null {
  if (d.history.length === 0) return null;
  return h(
    'details',
    { class: 'json' },
    h('summary', null, `Attempts (${d.history.length})`),
    h(
      'ol',
      null,
      d.history.map((a) => h('li', null, when(a.at), ` · ${a.statusCode ?? 'no answer'} · ${duration(a.durationMs)}`, a.error ? ` · ${a.error}` : '')),
    ),
  );
}

export async function webhookView({ root, params, signal }: ViewContext): Promise<void> {
  const id = params.id!;
  const summary = h('section', { 'aria-label': 'Endpoint' });
  const log = h('section', { 'aria-labelledby': 'deliveries' });
  const message = h('p', { class: 'message', role: 'status' });
  let offset = 0;

  const say = (text: string) => {
    message.textContent = text;
  };
  const failed = (error: unknown) => say(error instanceof LongrunError ? error.message : String(error));

  const loadEndpoint = async () => {
    const w = await client().webhooks.get(id, { signal });
    replaceChildren(
      summary,
      facts([
        ['URL', h('code', { class: 'wrap' }, w.url)],
        ['Events', w.events.join(', ')],
        ['State', w.enabled ? 'enabled' : h('span', { class: 'error-text' }, `disabled: ${w.disabledReason ?? ''}`)],
        ['Failures in a row', String(w.consecutiveFailures)],
        ['Created', when(w.createdAt)],
      ]),
      h(
        'div',
        { class: 'actions' },
        actionButton(
          'Send a test ping',
          async () => {
            try {
              const r = await client().webhooks.test(id, { signal });
              say(r.delivered ? `Ping delivered (HTTP ${r.httpStatus}).` : `Ping not delivered: ${r.error ?? 'no answer'}.`);
            } catch (error) {
              failed(error);
            }
          },
          { 'data-key': 'ping' },
        ),
        w.enabled
          ? null
          : actionButton('Enable again', async () => {
              try {
                await client().webhooks.update(id, { enabled: true }, { signal });
                say('Endpoint enabled.');
                await loadEndpoint();
              } catch (error) {
                failed(error);
              }
            }),
      ),
      message,
    );
  };

  const loadLog = async () => {
    const page = await client().webhooks.deliveries(id, { limit: PAGE, offset }, { signal });
    const items = page.deliveries.map((d) =>
      h(
        'li',
        { class: 'card delivery' },
        h('p', null, h('code', null, d.id), ' ', h('strong', null, d.eventType), ' ', statusBadge(d.status)),
        facts([
          ['Attempts', String(d.attempts)],
          ['Last answer', d.lastStatusCode === null ? null : `HTTP ${d.lastStatusCode}`],
          ['Last error', d.lastError ? h('span', { class: 'error-text' }, d.lastError) : null],
          ['Next attempt', d.status === 'pending' && d.nextAttemptAt ? when(d.nextAttemptAt) : null],
          ['Delivered', d.deliveredAt ? when(d.deliveredAt) : null],
          ['Created', when(d.createdAt)],
        ]),
        attempts(d),
        jsonBlock('Payload', d.payload),
        d.responseSnippet ? h('details', { class: 'json' }, h('summary', null, 'Answer (first KiB)'), h('pre', null, d.responseSnippet)) : null,
        // A pending delivery is still being tried: the API refuses a retry then (409).
        d.status === 'pending'
          ? null
          : actionButton(
              `Retry ${d.id}`,
              async () => {
                try {
                  await client().webhooks.retry(id, d.id, { signal });
                  announce(`Delivery ${d.id} queued again.`);
                  await loadLog();
                } catch (error) {
                  failed(error);
                }
              },
              { 'data-key': `retry-${d.id}` },
            ),
      ),
    );
    replaceChildren(
      log,
      h('h2', { id: 'deliveries' }, `Deliveries (${page.total})`),
      items.length > 0 ? h('ul', { class: 'deliveries' }, items) : h('p', { class: 'muted' }, 'No deliveries yet.'),
      pager(
        { offset, limit: PAGE, total: page.total },
        (o) => {
          offset = o;
          void loadLog();
        },
        'Delivery pages',
      ),
    );
  };

  await Promise.all([loadEndpoint(), loadLog()]);
  root.append(h('h1', { tabindex: -1 }, 'Webhook endpoint'), summary, log);
}
