/** Clips: the organisation's videos with their status and how many candidate segments were found. */
import { client } from '../api.ts';
import { pager } from '../components/pager.ts';
import { statusBadge } from '../components/status.ts';
import { stackTable } from '../components/table.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { bytes, clock, when } from '../format.ts';
import type { ViewContext } from '../router.ts';

const PAGE = 25;

export async function clipsView({ root, signal }: ViewContext): Promise<void> {
  const list = h('div');
  let offset = 0;
  const load = async () => {
    const { clips, total } = await client().clips.list({ limit: PAGE, offset }, { signal });
    const rows = clips.map((c) => [
      link(['clips', c.id], c.name, { 'data-key': c.id }),
      statusBadge(c.status),
      c.duration === null ? '—' : clock(c.duration * 1000),
      bytes(c.fileSize),
      String(c.candidates.length),
      when(c.createdAt),
    ]);
    replaceChildren(
      list,
      stackTable('Clips', ['Clip', 'Status', 'Length', 'Size', 'Segments', 'Uploaded'], rows, 'No clips yet. Upload one with POST /clips (see the README).'),
      pager(
        { offset, limit: PAGE, total },
        (o) => {
          offset = o;
          void load();
        },
        'Clip pages',
      ),
    );
  };
  await load();
  root.append(h('h1', { tabindex: -1 }, 'Clips'), list);
}
