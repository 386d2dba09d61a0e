/** Agents: each with its platforms, schedule and when it last and next runs. */
import { client } from '../api.ts';
import { pager } from '../components/pager.ts';
import { stackTable } from '../components/table.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import type { ViewContext } from '../router.ts';

const PAGE = 25;

export async function agentsView({ root, signal }: ViewContext): Promise<void> {
  const list = h('div');
  let offset = 0;
  const load = async () => {
    const { agents, total } = await client().agents.list({ limit: PAGE, offset }, { signal });
    const rows = agents.map((a) => [
      link(['agents', a.id], a.name, { 'data-key': a.id }),
      a.platforms.join(', '),
      a.schedule ? `${a.schedule} (${a.timezone})` : 'manual',
      a.enabled ? 'yes' : 'no',
      when(a.lastRunAt),
      when(a.nextRunAt),
    ]);
    replaceChildren(
      list,
      stackTable(
        'Agents',
        ['Agent', 'Platforms', 'Schedule', 'Enabled', 'Last run', 'Next run'],
        rows,
        'No agents yet. Create one with POST /agents (see the README).',
      ),
      pager(
        { offset, limit: PAGE, total },
        (o) => {
          offset = o;
          void load();
        },
        'Agent pages',
      ),
    );
  };
  await load();
  root.append(h('h1', { tabindex: -1 }, 'Agents'), list);
}
