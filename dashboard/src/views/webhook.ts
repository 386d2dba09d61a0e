/**
 * One webhook endpoint: its settings (edit the name, URL and events), a test ping, disable and
 * enable (which also closes an open circuit), rotating the signing secret (the new one shown
 * once), deleting it, and its delivery log with a retry button per ended delivery.
 */
import { client, LongrunError } from '../api.ts';
import { confirmButton } from '../components/confirm.ts';
import { endpointFields, endpointValues } from '../components/endpointFields.ts';
import { formError, onSubmit } from '../components/form.ts';
import { jsonBlock } from '../components/json.ts';
import { pager } from '../components/pager.ts';
import { shownOnce } from '../components/secret.ts';
import { statusBadge } from '../components/status.ts';
import { actionButton, facts, h, replaceChildren } from '../dom.ts';
import { duration, when } from '../format.ts';
import { announce } from '../live.ts';
import { navigate, type ViewContext } from '../router.ts';
import type { WebhookDelivery, WebhookEndpoint } from 'longrun/client';

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

  const secretBox = h('div');
  const editor = h('section', { 'aria-labelledby': 'edit-endpoint' });

  const editForm = (w: WebhookEndpoint): HTMLElement => {
    const error = formError();
    const form = h(
      'form',
      { class: 'card' },
      endpointFields('edit-endpoint', { name: w.name ?? '', url: w.url, events: w.events }),
      h('button', { type: 'submit' }, 'Save changes'),
      error,
    );
    onSubmit(form, error, async (data) => {
      const { name, url, events } = endpointValues(data);
      await client().webhooks.update(id, { url, events, name: name || null }, { signal });
      say('Changes saved.');
      await loadEndpoint();
    });
    return form;
  };

  const act = (label: string, run: () => Promise<void>, attrs: Record<string, string> = {}) =>
    actionButton(
      label,
      async () => {
        try {
          await run();
        } catch (error) {
          failed(error);
        }
      },
      attrs,
    );

  const loadEndpoint = async () => {
    const w = await client().webhooks.get(id, { signal });
    replaceChildren(
      summary,
      facts([
        ['Name', w.name],
        ['URL', h('code', { class: 'wrap' }, w.url)],
        ['Events', w.events.join(', ')],
        ['State', w.enabled ? 'enabled' : h('span', { class: 'error-text' }, `disabled: ${w.disabledReason ?? ''}`)],
        ['Failures in a row', String(w.consecutiveFailures)],
        ['Previous secret signs until', w.secretRotationEndsAt ? when(w.secretRotationEndsAt) : null],
        ['Created', when(w.createdAt)],
      ]),
      h(
        'div',
        { class: 'actions' },
        act(
          'Send a test ping',
          async () => {
            const r = await client().webhooks.test(id, { signal });
            say(r.delivered ? `Ping delivered (HTTP ${r.httpStatus}).` : `Ping not delivered: ${r.error ?? 'no answer'}.`);
          },
          { 'data-key': 'ping' },
        ),
        act(
          w.enabled ? 'Disable' : 'Enable',
          async () => {
            await client().webhooks.update(id, { enabled: !w.enabled }, { signal });
            say(w.enabled ? 'Endpoint disabled.' : 'Endpoint enabled.');
            await loadEndpoint();
          },
          { 'data-key': 'toggle' },
        ),
        confirmButton('Rotate secret', 'Rotate the signing secret? The old one keeps signing for 24 hours.', async () => {
          try {
            const rotated = await client().webhooks.update(id, { rotateSecret: true }, { signal });
            replaceChildren(secretBox, shownOnce('rotated-secret', 'New signing secret', 'Signing secret', rotated.signingSecret ?? ''));
            secretBox.querySelector<HTMLInputElement>('input')?.focus();
            announce('Secret rotated; copy the new one now.');
            await loadEndpoint();
          } catch (error) {
            failed(error);
          }
        }),
        confirmButton('Delete endpoint', 'Delete this endpoint and its delivery log?', async () => {
          try {
            await client().webhooks.delete(id, { signal });
            announce('Endpoint deleted.');
            navigate('/webhooks');
          } catch (error) {
            failed(error);
          }
        }),
      ),
      message,
    );
    replaceChildren(editor, h('h2', { id: 'edit-endpoint' }, 'Edit endpoint'), editForm(w));
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
  root.append(h('h1', { tabindex: -1 }, 'Webhook endpoint'), summary, secretBox, editor, log);
}
