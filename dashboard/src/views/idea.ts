/**
 * One idea job: its drafts per platform, followed until it ends, each post with its length
 * against the platform's limit — counted by the server's own rules (src/content/platforms.ts:
 * X's weighted count, grapheme clusters elsewhere), bundled in.
 */
import { rulesFor, type Mode, type Platform } from '../../../src/content/platforms.ts';
import { client } from '../api.ts';
import { statusBadge } from '../components/status.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { announce } from '../live.ts';
import type { ViewContext } from '../router.ts';
import type { IdeaDrafts } from 'longrun/client';

const WAIT_SECONDS = 20;
const FINISHED = ['completed', 'failed', 'canceled'];

/** "212 / 280 characters", in the error colour when over. */
function lengthNote(measure: (t: string) => number, text: string, max: number, what: string): HTMLElement {
  const length = measure(text);
  return h('p', { class: length > max ? 'error-text length' : 'muted length' }, `${what}: ${length} / ${max}${length > max ? ' — over the limit' : ''}`);
}

function draftCard(d: IdeaDrafts['drafts'][number]): HTMLElement {
  const rules = rulesFor(d.platform as Platform, d.mode as Mode);
  return h(
    'article',
    { class: 'card post', 'aria-label': `${d.platform} draft` },
    h('h2', null, d.platform, ' ', h('span', { class: 'muted' }, `(${d.mode})`)),
    d.title ? [h('h3', null, d.title), lengthNote(rules.measure, d.title, rules.titleMax ?? Infinity, 'Title')] : null,
    d.posts.map((post, i) =>
      h(
        'div',
        { class: 'draft-post' },
        d.posts.length > 1 ? h('h3', null, `Post ${i + 1}`) : null,
        h('p', { class: 'post-content' }, post),
        lengthNote(rules.measure, post, rules.maxLength, 'Length'),
      ),
    ),
    d.sources.length > 0 ? h('p', { class: 'muted' }, 'Sources: ', d.sources.join('; ')) : null,
  );
}

export async function ideaView({ root, params, signal }: ViewContext): Promise<void> {
  const id = params.jobId!;
  const body = h('div');
  const draw = (answer: IdeaDrafts) =>
    replaceChildren(
      body,
      h('p', null, 'Status: ', statusBadge(answer.status), ' · ', link(['jobs', id], 'the job')),
      answer.drafts.map(draftCard),
      answer.failures.map((f) => h('p', { class: 'error-text' }, `${f.platform}: ${f.errorMessage} (${f.errorCode})`)),
      !FINISHED.includes(answer.status) ? h('p', { class: 'muted' }, 'Writing…') : null,
    );

  let answer = await client().ideas.drafts(id, { signal });
  draw(answer);
  root.append(h('h1', { tabindex: -1 }, 'Idea drafts'), body);
  // Long-polls until the job ends; the view's signal stops it when the user moves on.
  void (async () => {
    while (!FINISHED.includes(answer.status) && !signal.aborted) {
      answer = await client().ideas.drafts(id, { signal, wait: WAIT_SECONDS });
      draw(answer);
    }
    if (!signal.aborted) announce(`Drafts ${answer.status}.`);
  })().catch(() => undefined);
}
