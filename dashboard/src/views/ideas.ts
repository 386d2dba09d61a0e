/** Ideas: start drafting an idea for some platforms, and the recent idea jobs. */
import { PLATFORMS } from '../../../src/content/schemas.ts';
import { client } from '../api.ts';
import { field, formError, input, onSubmit, textarea } from '../components/form.ts';
import { jobBadge } from '../components/status.ts';
import { stackTable } from '../components/table.ts';
import { h, link } from '../dom.ts';
import { when } from '../format.ts';
import { navigate, type ViewContext } from '../router.ts';
import type { IdeaEnrichInput } from 'longrun/client';

/** X's modes (src/content/platforms.ts sets their limits). */
const X_MODES: [string, string][] = [
  ['short', 'Short post'],
  ['premium', 'Premium (long) post'],
  ['thread', 'Thread'],
];

export async function ideasView({ root, signal }: ViewContext): Promise<void> {
  const [{ jobs }, { kbs }] = await Promise.all([
    client().jobs.list({ kind: 'idea.enrich', limit: 20 }, { signal }),
    client().kbs.list({ limit: 100 }, { signal }),
  ]);
  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-idea' },
    h('h2', { id: 'new-idea' }, 'New idea'),
    field('idea-title', 'Title', input('title', { required: true, maxlength: 500, placeholder: 'Why onboarding emails fail' })),
    field('idea-hook', 'Hook', textarea('hook', { maxlength: 2000, rows: 2 })),
    field('idea-angle', 'Angle', textarea('angle', { maxlength: 2000, rows: 2 })),
    h(
      'fieldset',
      { class: 'scopes' },
      h('legend', null, 'Platforms'),
      h(
        'div',
        { class: 'scope-grid' },
        PLATFORMS.map((p) =>
          h(
            'div',
            { class: 'pick' },
            h('input', { type: 'checkbox', id: `idea-platform-${p}`, name: 'platforms', value: p, checked: p === 'linkedin' }),
            h('label', { for: `idea-platform-${p}` }, p),
          ),
        ),
      ),
    ),
    field(
      'idea-x-mode',
      'X mode',
      h(
        'select',
        { name: 'twitterMode' },
        X_MODES.map(([value, label]) => h('option', { value }, label)),
      ),
      'For X only: one post of 280, a premium post of 25,000, or a thread of 3 posts of 280.',
    ),
    field(
      'idea-kb',
      'Knowledge base',
      h(
        'select',
        { name: 'kbId' },
        h('option', { value: '' }, 'None'),
        kbs.map((kb) => h('option', { value: kb.id }, kb.name)),
      ),
      'Passages of it are cited in the drafts.',
    ),
    h('button', { type: 'submit' }, 'Write drafts'),
    error,
  );
  onSubmit(form, error, async (data) => {
    const twitterMode = String(data.get('twitterMode') ?? 'short');
    const platforms = data
      .getAll('platforms')
      .map((p) => (p === 'twitter' ? { platform: p, mode: twitterMode } : { platform: String(p) })) as IdeaEnrichInput['platforms'];
    if (platforms.length === 0) throw new Error('Choose at least one platform.');
    const text = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    const kbId = text('kbId');
    const { jobId } = await client().ideas.enrich(
      { idea: { title: String(data.get('title')).trim(), hook: text('hook'), angle: text('angle') }, platforms, ...(kbId ? { kbId } : {}) },
      { signal },
    );
    navigate(`/ideas/${encodeURIComponent(jobId)}`);
  });
  const rows = jobs.map((job) => [
    link(['ideas', job.id], (job.input as IdeaEnrichInput).idea?.title ?? job.id, { 'data-key': job.id }),
    jobBadge(job),
    when(job.createdAt),
  ]);
  root.append(
    h('h1', { tabindex: -1 }, 'Ideas'),
    form,
    h(
      'section',
      { 'aria-labelledby': 'recent-ideas' },
      h('h2', { id: 'recent-ideas' }, 'Recent ideas'),
      stackTable('Recent ideas', ['Idea', 'Status', 'Started'], rows, 'None yet.'),
    ),
  );
}
