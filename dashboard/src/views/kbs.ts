/** Knowledge bases: the organisation's, with their document counts, and a form to create one. */
import { client } from '../api.ts';
import { field, formError, input, onSubmit, textarea } from '../components/form.ts';
import { stackTable } from '../components/table.ts';
import { h, link } from '../dom.ts';
import { when } from '../format.ts';
import { navigate, type ViewContext } from '../router.ts';

export async function kbsView({ root, signal }: ViewContext): Promise<void> {
  const { kbs } = await client().kbs.list({ limit: 100 }, { signal });
  const rows = kbs.map((kb) => [link(['kbs', kb.id], kb.name, { 'data-key': kb.id }), String(kb.documents), kb.description ?? '', when(kb.createdAt)]);
  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-kb' },
    h('h2', { id: 'new-kb' }, 'New knowledge base'),
    field('kb-name', 'Name', input('name', { required: true, maxlength: 200, placeholder: 'Product docs' })),
    field('kb-description', 'Description', textarea('description', { maxlength: 2000, rows: 2 })),
    h('button', { type: 'submit' }, 'Create knowledge base'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const description = String(data.get('description') ?? '').trim();
    const kb = await client().kbs.create({ name: String(data.get('name')).trim(), ...(description ? { description } : {}) }, { signal });
    navigate(`/kbs/${encodeURIComponent(kb.id)}`);
  });
  root.append(
    h('h1', { tabindex: -1 }, 'Knowledge bases'),
    stackTable('Knowledge bases', ['Name', 'Documents', 'Description', 'Created'], rows, 'No knowledge bases yet. Create one below.'),
    form,
  );
}
