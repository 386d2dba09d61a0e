/** Agents: each with its platforms, schedule and when it last and next runs; and a form to create one. */
import { client } from '../api.ts';
import { agentFields, agentValues } from '../components/agentForm.ts';
import { formError, onSubmit } from '../components/form.ts';
import { pager } from '../components/pager.ts';
import { stackTable } from '../components/table.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import { navigate, type ViewContext } from '../router.ts';

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
      stackTable('Agents', ['Agent', 'Platforms', 'Schedule', 'Enabled', 'Last run', 'Next run'], rows, 'No agents yet. Create one below.'),
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
  const { kbs } = await client().kbs.list({ limit: 100 }, { signal });
  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-agent' },
    h('h2', { id: 'new-agent' }, 'New agent'),
    agentFields('new-agent', kbs, signal),
    h('button', { type: 'submit' }, 'Create agent'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const { kbId, ...rest } = agentValues(data);
    const agent = await client().agents.create({ ...rest, ...(kbId ? { kbId } : {}) }, { signal });
    navigate(`/agents/${encodeURIComponent(agent.id)}`);
  });
  await load();
  root.append(h('h1', { tabindex: -1 }, 'Agents'), list, form);
}
