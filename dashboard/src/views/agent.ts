/**
 * One agent: its settings (edit them, with the schedule's next runs previewed; enable, disable,
 * delete), a "Run now" button, its runs (followed live while unfinished) and the posts they
 * wrote — all of them, or one run's with `?run=`.
 */
import { client } from '../api.ts';
import { newestOnly } from '../newest.ts';
import { agentFields, agentValues } from '../components/agentForm.ts';
import { confirmButton } from '../components/confirm.ts';
import { formError, onSubmit } from '../components/form.ts';
import { stackTable } from '../components/table.ts';
import { statusBadge } from '../components/status.ts';
import { actionButton, add, facts, h, link, replaceChildren } from '../dom.ts';
import { between, when } from '../format.ts';
import { announce } from '../live.ts';
import { navigate, replaceQuery, type ViewContext } from '../router.ts';
import { followJobEvents, isTerminalEvent } from '../jobEvents.ts';
import type { Agent, AgentPost, Kb } from 'longrun/client';

const RUNS = 20;
const POSTS = 20;

function postCard(post: AgentPost): HTMLElement {
  return h(
    'article',
    { class: 'card post' },
    h('header', null, h('strong', null, post.platform), ' · ', post.topic, ' · ', h('span', { class: 'muted' }, when(post.createdAt))),
    post.title ? h('h3', null, post.title) : null,
    h('p', { class: 'post-content' }, post.content),
    post.sources.length > 0 ? h('p', { class: 'muted' }, 'Sources: ', post.sources.join('; ')) : null,
  );
}

export async function agentView({ root, params, query: q, signal }: ViewContext): Promise<void> {
  const id = params.agentId!;
  const runs = h('section', { 'aria-labelledby': 'agent-runs' });
  const posts = h('section', { 'aria-labelledby': 'agent-posts' });
  const message = h('p', { class: 'message', role: 'status' });
  let runFilter = q.get('run') ?? '';
  const followed = new Set<string>();
  // Runs ending and the user's choice of run each reload: an older answer must not draw last.
  const postsTurn = newestOnly();
  const runsTurn = newestOnly();

  const loadPosts = async () => {
    const current = postsTurn();
    const page = await client().agents.outputs(id, { limit: POSTS, runId: runFilter || undefined }, { signal });
    if (!current()) return;
    replaceChildren(
      posts,
      h('h2', { id: 'agent-posts', tabindex: -1 }, runFilter ? `Posts of run ${runFilter}` : 'Latest posts', ` (${page.total})`),
      runFilter ? h('button', { type: 'button', 'data-key': 'all-posts', onclick: () => showRun('') }, 'Show every run’s posts') : null,
      page.outputs.length > 0 ? page.outputs.map(postCard) : h('p', { class: 'muted' }, 'No posts yet.'),
    );
  };

  const showRun = (runId: string) => {
    runFilter = runId;
    replaceQuery({ run: runId });
    // Focus follows the button to what it showed.
    void loadPosts()
      .then(() => posts.querySelector<HTMLElement>('h2')?.focus())
      .catch(() => undefined);
  };

  const loadRuns = async () => {
    const current = runsTurn();
    const page = await client().agents.runs(id, { limit: RUNS }, { signal });
    if (!current()) return;
    const rows = page.runs.map((r) => [
      link(['jobs', r.id], h('code', null, r.id)),
      statusBadge(r.status),
      String(r.postsGenerated),
      String(r.tokensUsed),
      when(r.startedAt),
      r.completedAt ? between(r.startedAt, r.completedAt) : '—',
      r.error
        ? h('span', { class: 'error-text' }, r.error)
        : r.postsGenerated > 0
          ? h('button', { type: 'button', 'data-key': `posts-${r.id}`, onclick: () => showRun(r.id) }, 'Show posts')
          : '—',
    ]);
    replaceChildren(
      runs,
      h('h2', { id: 'agent-runs' }, `Runs (${page.total})`),
      stackTable('Runs', ['Run', 'Status', 'Posts', 'Tokens', 'Started', 'Took', 'Posts or error'], rows, 'No runs yet.'),
    );
    for (const r of page.runs) {
      if ((r.status === 'queued' || r.status === 'running') && !followed.has(r.id)) {
        followed.add(r.id);
        void followJobEvents(
          r.id,
          (e) => {
            if (!isTerminalEvent(e.type)) return;
            announce(`Run ${r.id} ${e.type.replace('job.', '')}.`);
            void Promise.all([loadRuns(), loadPosts()]).catch(() => undefined);
          },
          signal,
        ).catch(() => undefined);
      }
    }
  };

  const settings = h('section', { 'aria-label': 'Settings' });
  const editor = h('details', { class: 'card' });

  const editForm = (agent: Agent, kbs: Kb[]): HTMLElement => {
    const error = formError();
    const form = h('form', null, agentFields('edit-agent', kbs, signal, agent), h('button', { type: 'submit' }, 'Save changes'), error);
    onSubmit(form, error, async (data) => {
      await client().agents.update(id, agentValues(data), { signal });
      await loadAgent();
      message.textContent = 'Changes saved.';
    });
    return form;
  };

  const loadAgent = async () => {
    const [agent, { kbs }] = await Promise.all([client().agents.get(id, { signal }), client().kbs.list({ limit: 100 }, { signal })]);
    const heading = root.querySelector('h1');
    if (heading) heading.textContent = agent.name;
    replaceChildren(
      settings,
      facts([
        ['Platforms', agent.platforms.join(', ')],
        ['Posts per run', String(agent.postsPerRun)],
        ['Schedule', agent.schedule ? `${agent.schedule} (${agent.timezone})` : 'manual'],
        ['Enabled', agent.enabled ? 'yes' : 'no'],
        ['Tone', agent.tone],
        ['Knowledge base', agent.kbId ? h('code', null, agent.kbId) : 'none'],
        ['Next run', agent.nextRunAt ? when(agent.nextRunAt) : null],
      ]),
      agent.instructions ? h('details', { class: 'json' }, h('summary', null, 'Instructions'), h('p', { class: 'post-content' }, agent.instructions)) : null,
      h(
        'div',
        { class: 'actions' },
        actionButton('Run now', async () => {
          message.textContent = '';
          try {
            const { runId } = await client().agents.run(id, { signal });
            message.textContent = `Run ${runId} queued.`;
            await loadRuns();
          } catch (error) {
            message.textContent = error instanceof Error ? error.message : String(error);
          }
        }),
        actionButton(
          agent.enabled ? 'Disable' : 'Enable',
          async () => {
            try {
              await client().agents.update(id, { enabled: !agent.enabled }, { signal });
              message.textContent = agent.enabled ? 'Agent disabled: it no longer runs on its schedule.' : 'Agent enabled.';
              await loadAgent();
            } catch (error) {
              message.textContent = error instanceof Error ? error.message : String(error);
            }
          },
          { 'data-key': 'toggle' },
        ),
        confirmButton('Delete agent', `Delete ${agent.name}, its runs and posts?`, async () => {
          try {
            await client().agents.delete(id, { signal });
            announce(`Agent ${agent.name} deleted.`);
            navigate('/agents');
          } catch (error) {
            message.textContent = error instanceof Error ? error.message : String(error);
          }
        }),
      ),
    );
    replaceChildren(editor, h('summary', null, 'Edit agent'), editForm(agent, kbs));
  };

  const agent = await client().agents.get(id, { signal });
  root.append(h('h1', { tabindex: -1 }, agent.name));
  await Promise.all([loadAgent(), loadRuns(), loadPosts()]);
  add(root, settings, message, editor, runs, posts);
}
