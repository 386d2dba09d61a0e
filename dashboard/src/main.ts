/**
 * The dashboard's entry: sign-in when the tab has no key, otherwise the page frame (navigation,
 * sign-out) and the view the URL's hash names.
 */
import './style.css';
import { client, LongrunError, whenUnauthorized } from './api.ts';
import { h } from './dom.ts';
import { liveRegion } from './live.ts';
import { currentPath, match, type Route } from './router.ts';
import { forgetKey, savedKey } from './session.ts';
import type { Me } from 'longrun/client';
import { agentView } from './views/agent.ts';
import { agentsView } from './views/agents.ts';
import { clipView } from './views/clip.ts';
import { clipsView } from './views/clips.ts';
import { creditsView } from './views/credits.ts';
import { ideaView } from './views/idea.ts';
import { ideasView } from './views/ideas.ts';
import { enrichmentRunView } from './views/enrichmentRun.ts';
import { jobView } from './views/job.ts';
import { jobsView } from './views/jobs.ts';
import { overviewView } from './views/overview.ts';
import { kbView } from './views/kb.ts';
import { kbsView } from './views/kbs.ts';
import { keysView } from './views/keys.ts';
import { runsView } from './views/runs.ts';
import { signInView } from './views/signIn.ts';
import { sourcingRunView } from './views/sourcingRun.ts';
import { webhookView } from './views/webhook.ts';
import { webhooksView } from './views/webhooks.ts';

const routes: Route[] = [
  { pattern: '/', view: overviewView },
  { pattern: '/overview', view: overviewView },
  { pattern: '/jobs', view: jobsView },
  { pattern: '/jobs/:id', view: jobView },
  { pattern: '/sourcing', view: runsView },
  { pattern: '/sourcing/:id', view: sourcingRunView },
  { pattern: '/enrich/:id', view: enrichmentRunView },
  { pattern: '/clips', view: clipsView },
  { pattern: '/clips/:clipId', view: clipView },
  { pattern: '/agents', view: agentsView },
  { pattern: '/agents/:agentId', view: agentView },
  { pattern: '/webhooks', view: webhooksView },
  { pattern: '/webhooks/:id', view: webhookView },
  { pattern: '/credits', view: creditsView },
  { pattern: '/keys', view: keysView },
  { pattern: '/kbs', view: kbsView },
  { pattern: '/kbs/:kbId', view: kbView },
  { pattern: '/ideas', view: ideasView },
  { pattern: '/ideas/:jobId', view: ideaView },
];

/** Nav entries, and the first path segments that count as each (for aria-current). */
const sections: [string, string, string[]][] = [
  ['Overview', '#/overview', ['', 'overview']],
  ['Jobs', '#/jobs', ['jobs']],
  ['Sourcing', '#/sourcing', ['sourcing', 'enrich']],
  ['Clips', '#/clips', ['clips']],
  ['Agents', '#/agents', ['agents']],
  ['Webhooks', '#/webhooks', ['webhooks']],
  ['Credits', '#/credits', ['credits']],
  ['Knowledge', '#/kbs', ['kbs']],
  ['Ideas', '#/ideas', ['ideas']],
  ['Keys', '#/keys', ['keys']],
];

const app = document.getElementById('app')!;
let current: AbortController | null = null;

function frame(me: Me): { main: HTMLElement; nav: HTMLElement } {
  const main = h('main', { id: 'main', tabindex: -1 });
  const nav = h(
    'nav',
    { 'aria-label': 'Main' },
    h(
      'ul',
      null,
      sections.map(([label, href]) => h('li', null, h('a', { href }, label))),
    ),
  );
  // The skip link moves focus itself: as an ordinary #main link it would change the route.
  const skip = h('a', { class: 'skip-link', href: '#main' }, 'Skip to content');
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  const signOut = h('button', { type: 'button', class: 'link-button' }, 'Sign out');
  signOut.addEventListener('click', () => {
    forgetKey();
    signIn();
  });
  app.replaceChildren(
    skip,
    h(
      'header',
      { class: 'top' },
      h('a', { class: 'brand', href: '#/' }, 'longrun'),
      nav,
      h('p', { class: 'who' }, h('span', null, me.organisation.name), ' ', signOut),
    ),
    main,
    liveRegion(),
  );
  return { main, nav };
}

async function show(main: HTMLElement, nav: HTMLElement): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { path, query } = currentPath();
  const section = path.split('/')[1] ?? '';
  for (const a of nav.querySelectorAll('a')) {
    const entry = sections.find(([, href]) => href === a.getAttribute('href'));
    if (entry?.[2].includes(section)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }

  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  // Each view draws into its own container: one still loading after the user moved on draws
  // into a container no longer on the page.
  const root = h('div', { class: 'view' });
  try {
    const found = match(routes, path, query);
    if (!found) throw new LongrunError(404, 'not_found', `There is no page ${path}.`);
    await found.view({ root, params: found.params, query, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted || (error instanceof LongrunError && error.status === 401)) return;
    root.replaceChildren(
      h('h1', { tabindex: -1 }, error instanceof LongrunError && error.status === 404 ? 'Not found' : 'Something went wrong'),
      h('p', { class: 'error-text', role: 'alert' }, error instanceof Error ? error.message : String(error)),
      h('p', null, h('a', { href: '#/jobs' }, 'Back to the jobs')),
    );
  }
  if (controller.signal.aborted) return;
  main.replaceChildren(root);
  main.setAttribute('aria-busy', 'false');
  const heading = root.querySelector<HTMLElement>('h1');
  document.title = `${heading?.textContent ?? 'Dashboard'} · longrun`;
  // A new page: focus its heading, so screen readers announce it and Tab starts from there.
  heading?.focus();
}

let onHashChange: (() => void) | null = null;

function signedIn(me: Me): void {
  const { main, nav } = frame(me);
  if (onHashChange) window.removeEventListener('hashchange', onHashChange);
  onHashChange = () => void show(main, nav);
  window.addEventListener('hashchange', onHashChange);
  void show(main, nav);
}

function signIn(): void {
  current?.abort();
  if (onHashChange) window.removeEventListener('hashchange', onHashChange);
  onHashChange = null;
  document.title = 'Sign in · longrun';
  signInView(app, signedIn);
}

async function start(): Promise<void> {
  if (!savedKey()) return signIn();
  try {
    signedIn(await client().account.me());
  } catch {
    forgetKey();
    signIn();
  }
}

whenUnauthorized(signIn);
void start();
