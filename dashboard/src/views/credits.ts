/**
 * Credits: the balance (available and reserved), the balance over the last day, week or month
 * as a chart (`GET /credits/history`), and the ledger grouped by job (`GET /credits/ledger/jobs`),
 * newest first: one row per job with what it reserved, was charged (for how many items) and
 * released, which opens onto the job's own entries (`GET /credits/ledger?ref=`).
 */
import { client } from '../api.ts';
import { lineChart } from '../components/chart.ts';
import { pager } from '../components/pager.ts';
import { facts, h, link, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import { replaceQuery, type ViewContext } from '../router.ts';
import type { CreditHistory, LedgerGroup } from 'longrun/client';

const PAGE = 25;
const WINDOWS = { day: 'Last day', week: 'Last week', month: 'Last month' } as const;
type Window = keyof typeof WINDOWS;

function pointLabel(iso: string, window: Window): string {
  const date = new Date(iso);
  if (window === 'day') return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (window === 'month') return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return date.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

function balanceChart(history: CreditHistory): HTMLElement {
  const points = history.points;
  const first = points[0]?.available ?? 0;
  const last = points.at(-1)?.available ?? 0;
  const granted = points.reduce((n, p) => n + p.granted, 0);
  const charged = points.reduce((n, p) => n + p.charged, 0);
  return lineChart({
    id: 'chart-balance',
    title: `Balance, ${WINDOWS[history.window].toLowerCase()}`,
    summary: `Available credits went from ${first} to ${last}: ${granted} granted and ${charged} spent in this period.`,
    labels: points.map((p) => pointLabel(p.start, history.window)),
    labelHeading: 'From',
    series: [
      { name: 'Available', className: 'chart-accent', values: points.map((p) => p.available) },
      { name: 'Reserved', className: 'chart-muted', values: points.map((p) => p.reserved) },
    ],
  });
}

function windowPicker(current: Window, change: (w: Window) => void): HTMLElement {
  return h(
    'fieldset',
    { class: 'window-picker' },
    h('legend', null, 'Period'),
    (Object.keys(WINDOWS) as Window[]).map((w) =>
      h(
        'label',
        { class: 'pick' },
        h('input', { type: 'radio', name: 'window', value: w, checked: w === current, onchange: () => change(w) }),
        h('span', null, WINDOWS[w]),
      ),
    ),
  );
}

/** A job's own entries: its reservation, a charge per item, its release. */
async function entriesOf(ref: string, signal: AbortSignal): Promise<HTMLElement> {
  const { entries, total } = await client().account.ledger({ ref, limit: 100 }, { signal });
  return h(
    'div',
    { class: 'ledger-entries' },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, `Entries of ${ref}`),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['When', 'Entry', 'Item', 'Amount'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        entries.map((e) =>
          h(
            'tr',
            null,
            h('td', null, when(e.createdAt)),
            h('td', null, e.kind),
            h('td', null, e.itemRef ? h('code', null, e.itemRef) : '—'),
            h('td', null, h('span', { class: `amount ${e.kind}` }, String(e.amount))),
          ),
        ),
      ),
    ),
    total > entries.length ? h('p', { class: 'muted' }, `The newest ${entries.length} of ${total} entries.`) : null,
  );
}

function groupRows(group: LedgerGroup, index: number, signal: AbortSignal): HTMLTableRowElement[] {
  const detailId = `ledger-detail-${index}`;
  const detail = h('tr', { id: detailId, class: 'ledger-detail', hidden: true }, h('td', { colspan: 7 }));
  const cells: [string, HTMLElement | string][] = group.ref
    ? [
        ['Job', link(['jobs', group.ref], h('code', null, group.ref))],
        ['Reserved', String(group.reserved)],
        ['Charged', `${group.charged}${group.items > 0 ? ` (${group.items} item${group.items === 1 ? '' : 's'})` : ''}`],
        ['Released', String(group.released)],
        ['Net', h('span', { class: 'amount charge' }, group.charged > 0 ? `−${group.charged}` : '0')],
      ]
    : [
        ['Job', h('span', null, 'grant', group.note ? h('span', { class: 'muted' }, ` · ${group.note}`) : null)],
        ['Reserved', '—'],
        ['Charged', '—'],
        ['Released', '—'],
        ['Net', h('span', { class: 'amount grant' }, `+${group.granted}`)],
      ];
  let toggle: HTMLButtonElement | null = null;
  if (group.ref) {
    const ref = group.ref;
    toggle = h('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'aria-controls': detailId, 'data-key': `ledger-${ref}` }, 'Entries');
    toggle.setAttribute('aria-label', `Entries of ${ref}`);
    toggle.addEventListener('click', async () => {
      const open = toggle!.getAttribute('aria-expanded') === 'true';
      toggle!.setAttribute('aria-expanded', String(!open));
      detail.hidden = open;
      if (!open && !detail.dataset.loaded) {
        detail.dataset.loaded = 'yes';
        replaceChildren(detail.firstElementChild!, h('p', { class: 'muted' }, 'Loading…'));
        replaceChildren(detail.firstElementChild!, await entriesOf(ref, signal).catch((e: Error) => h('p', { class: 'error-text' }, e.message)));
      }
    });
  }
  const row = h(
    'tr',
    null,
    h('td', { 'data-label': 'When' }, when(group.lastAt)),
    cells.map(([label, value]) => h('td', { 'data-label': label }, value)),
    h('td', { 'data-label': 'Entries' }, toggle ?? '—'),
  );
  return [row, detail];
}

export async function creditsView({ root, query, signal }: ViewContext): Promise<void> {
  let window: Window = query.get('window') === 'day' || query.get('window') === 'month' ? (query.get('window') as Window) : 'week';
  const chart = h('div');
  const ledger = h('section', { 'aria-labelledby': 'ledger' });
  let offset = 0;

  const loadChart = async () => {
    const history = await client().account.history({ window }, { signal });
    replaceChildren(chart, balanceChart(history));
  };
  const loadLedger = async () => {
    const { groups, total } = await client().account.ledgerByJob({ limit: PAGE, offset }, { signal });
    replaceChildren(
      ledger,
      h('h2', { id: 'ledger' }, 'Ledger by job'),
      groups.length === 0
        ? h('p', { class: 'muted' }, 'No entries yet.')
        : h(
            'table',
            { class: 'stack ledger' },
            h('caption', { class: 'visually-hidden' }, 'Credit ledger'),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Last entry', 'Job', 'Reserved', 'Charged', 'Released', 'Net', 'Entries'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              groups.flatMap((g, i) => groupRows(g, offset + i, signal)),
            ),
          ),
      pager(
        { offset, limit: PAGE, total },
        (o) => {
          offset = o;
          void loadLedger();
        },
        'Ledger pages',
      ),
    );
  };
  const [balance] = await Promise.all([client().account.credits({ signal }), loadChart(), loadLedger()]);
  root.append(
    h('h1', { tabindex: -1 }, 'Credits'),
    h(
      'div',
      { class: 'balance' },
      facts([
        ['Available', h('strong', { class: 'big' }, String(balance.available))],
        ['Reserved for work in progress', String(balance.reserved)],
      ]),
    ),
    h(
      'section',
      { 'aria-labelledby': 'balance-history' },
      h('h2', { id: 'balance-history' }, 'Balance over time'),
      windowPicker(window, (w) => {
        window = w;
        replaceQuery({ window: w === 'week' ? undefined : w });
        void loadChart();
      }),
      chart,
    ),
    ledger,
  );
}
