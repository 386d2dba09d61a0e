/** Credits: the balance (available and reserved) and the ledger, newest first. */
import { client } from '../api.ts';
import { pager } from '../components/pager.ts';
import { stackTable } from '../components/table.ts';
import { facts, h, link, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import type { ViewContext } from '../router.ts';

const PAGE = 50;

export async function creditsView({ root, signal }: ViewContext): Promise<void> {
  const ledger = h('section', { 'aria-labelledby': 'ledger' });
  let offset = 0;
  const loadLedger = async () => {
    const { entries, total } = await client().account.ledger({ limit: PAGE, offset }, { signal });
    const rows = entries.map((e) => [
      when(e.createdAt),
      e.kind,
      h('span', { class: `amount ${e.kind}` }, String(e.amount)),
      e.ref ? link(['jobs', e.ref], h('code', null, e.ref)) : '—',
      e.itemRef ? h('code', null, e.itemRef) : '—',
      e.note ?? '',
    ]);
    replaceChildren(
      ledger,
      h('h2', { id: 'ledger' }, 'Ledger'),
      stackTable('Credit ledger', ['When', 'Entry', 'Amount', 'Job', 'Item', 'Note'], rows, 'No entries yet.'),
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
  const [balance] = await Promise.all([client().account.credits({ signal }), loadLedger()]);
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
    ledger,
  );
}
