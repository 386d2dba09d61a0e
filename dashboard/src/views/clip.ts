/**
 * One clip: a player for its source and its candidate segments on a timeline of it, a render
 * form, and its renders, each labelled with its segment and template, with a video player once
 * done and, until then, its poster frame and live progress. Players use signed, expiring URLs
 * (a `<video>` cannot send the key): `GET /clips/{id}/source-url` and the renders' `outputUrl`s.
 * Unfinished renders are followed live through their event streams.
 */
import { client } from '../api.ts';
import { field, formError, onSubmit } from '../components/form.ts';
import { scoreBar } from '../components/scoreBar.ts';
import { isUnfinished } from '../components/jobLinks.ts';
import { jobProgress } from '../components/progress.ts';
import { renderLabel, type RenderInput } from '../components/renderLabel.ts';
import { statusBadge } from '../components/status.ts';
import { add, facts, h, link, replaceChildren } from '../dom.ts';
import { bytes, clock, when } from '../format.ts';
import { announce } from '../live.ts';
import type { ViewContext } from '../router.ts';
import { followJobEvents, isTerminalEvent } from '../jobEvents.ts';
import { newestOnly } from '../newest.ts';
import type { Clip, ClipCandidate, Job, RenderJob, RenderRequest } from 'longrun/client';

/** How many of the newest renders are read as jobs, for their labels and progress. */
const LABELLED = 20;

/** The segments as buttons placed along the clip's length; choosing one selects it in the render form. */
function segmentTimeline(clip: Clip, choose: (c: ClipCandidate) => void): HTMLElement {
  const totalMs = (clip.duration ?? 0) * 1000 || Math.max(1, ...clip.candidates.map((c) => c.endMs));
  const track = h('div', { class: 'segment-track', role: 'group', 'aria-label': `Candidate segments along the clip's ${clock(totalMs)}` });
  for (const c of clip.candidates) {
    const button = h(
      'button',
      { type: 'button', class: 'segment', title: c.title, 'data-key': c.id, onclick: () => choose(c) },
      h('span', { class: 'visually-hidden' }, `${c.title}, score ${c.score ?? 'none'}`),
    );
    // Positions through the CSSOM (the Content-Security-Policy forbids style attributes).
    button.style.left = `${(c.startMs / totalMs) * 100}%`;
    button.style.width = `${Math.max(0.8, ((c.endMs - c.startMs) / totalMs) * 100)}%`;
    track.append(button);
  }
  return h(
    'div',
    { class: 'segments' },
    track,
    h('div', { class: 'segment-scale', 'aria-hidden': 'true' }, h('span', null, '00:00'), h('span', null, clock(totalMs))),
  );
}

function renderForm(clip: Clip, onStarted: () => void): { form: HTMLFormElement; select(c: ClipCandidate): void } {
  const error = formError();
  const candidate = h(
    'select',
    { name: 'candidateId', required: true },
    clip.candidates.map((c) => h('option', { value: c.id }, `${c.title}${c.score !== null ? ` (score ${c.score})` : ''}`)),
  );
  const template = h(
    'select',
    { name: 'template' },
    ['default', 'vertical', 'square'].map((t) => h('option', { value: t }, t)),
  );
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'render-title' },
    h('h2', { id: 'render-title' }, 'Render a segment'),
    field('render-candidate', 'Segment', candidate),
    field('render-template', 'Template', template, 'default keeps the source aspect; vertical is 1080×1920, square 1080×1080.'),
    h('label', { class: 'pick' }, h('input', { type: 'checkbox', name: 'captions' }), h('span', null, 'Burn in the uploaded captions')),
    h('button', { type: 'submit' }, 'Render'),
    error,
  );
  onSubmit(form, error, async (data) => {
    await client().clips.render(clip.id, {
      candidateId: String(data.get('candidateId')),
      template: String(data.get('template')) as RenderRequest['template'],
      captions: data.get('captions') === 'on',
    });
    announce('Render queued.');
    onStarted();
  });
  return {
    form,
    select(c) {
      candidate.value = c.id;
      candidate.focus();
    },
  };
}

/** The source file's signed URL, once the upload or import has stored it; only an http(s) one is used. */
async function sourceUrlOf(clip: Clip, signal: AbortSignal): Promise<string | null> {
  if (clip.status === 'uploading' || clip.fileSize === null) return null;
  const { url } = await client().clips.sourceUrl(clip.id, { signal });
  return /^https?:\/\//.test(url) ? url : null;
}

/** Render URLs come from the API; only http(s) ones become a video source. */
function player(render: RenderJob, label: string): HTMLElement | null {
  if (!render.outputUrl || !/^https?:\/\//.test(render.outputUrl)) return null;
  return h('video', { controls: true, preload: 'metadata', src: render.outputUrl, 'aria-label': `Render of ${label}` });
}

/**
 * A render still to come shows its poster frame: the source at its segment's start (a media
 * fragment, so the browser fetches only what that frame needs). There is no image route.
 */
function posterFrame(sourceUrl: string | null, candidate: ClipCandidate | undefined, label: string): HTMLElement | null {
  if (!sourceUrl || !candidate) return null;
  return h('video', {
    class: 'poster-frame',
    preload: 'metadata',
    muted: true,
    src: `${sourceUrl}#t=${(candidate.startMs / 1000).toFixed(2)}`,
    'aria-label': `Poster frame of ${label}`,
  });
}

export async function clipView({ root, params, signal }: ViewContext): Promise<void> {
  const id = params.clipId!;
  const renders = h('section', { 'aria-labelledby': 'clip-renders' });
  const followed = new Set<string>();
  /** Each render's job (for its segment, template and progress), read when listed and on its events. */
  const jobs = new Map<string, Job>();
  const progressBoxes = new Map<string, HTMLElement>();

  const clip = await client().clips.get(id, { signal });
  const sourceUrl = await sourceUrlOf(clip, signal).catch(() => null);
  const candidateOf = (job: Job | undefined) => clip.candidates.find((c) => c.id === (job?.input as RenderInput | null)?.candidateId);

  const drawProgress = (renderId: string) => {
    const job = jobs.get(renderId);
    const box = progressBoxes.get(renderId);
    if (job && box) replaceChildren(box, isUnfinished(job) ? jobProgress(job, `Progress of render ${renderId}`) : null);
  };

  // Reads sent while a render ran can be answered after the ones that saw it end: only the
  // newest list draws, and a render's progress reads count as older once its end arrived.
  const listTurn = newestOnly();

  const loadRenders = async () => {
    const current = listTurn();
    const list = await client().clips.renders(id, { signal });
    // The newest few carry labels and progress; one read each.
    const read = await Promise.all(list.slice(0, LABELLED).map(async (r) => [r.id, await client().jobs.get(r.id, { signal })] as const));
    if (!current()) return;
    for (const [renderId, job] of read) jobs.set(renderId, job);
    progressBoxes.clear();
    replaceChildren(
      renders,
      h('h2', { id: 'clip-renders' }, 'Renders'),
      list.length === 0
        ? h('p', { class: 'muted' }, 'No renders yet.')
        : h(
            'ul',
            { class: 'renders' },
            list.map((r) => {
              const job = jobs.get(r.id);
              const label = job ? renderLabel(job.input, clip.candidates) : r.id;
              const box = h('div', { class: 'render-progress' });
              progressBoxes.set(r.id, box);
              const unfinished = r.status === 'queued' || r.status === 'running';
              return h(
                'li',
                { class: 'card', 'data-render': r.id },
                h('h3', { class: 'render-label' }, label),
                h('p', null, link(['jobs', r.id], h('code', null, r.id)), ' ', statusBadge(r.status), ' ', when(r.createdAt)),
                box,
                unfinished ? posterFrame(sourceUrl, candidateOf(job), label) : player(r, label),
              );
            }),
          ),
    );
    for (const r of list) drawProgress(r.id);
    for (const r of list) {
      if ((r.status === 'queued' || r.status === 'running') && !followed.has(r.id)) {
        followed.add(r.id);
        const progressTurn = newestOnly();
        let timer: ReturnType<typeof setTimeout> | undefined;
        signal.addEventListener('abort', () => clearTimeout(timer));
        void followJobEvents(
          r.id,
          (e) => {
            clearTimeout(timer);
            if (isTerminalEvent(e.type)) {
              progressTurn();
              announce(`Render ${e.type.replace('job.', '')}.`);
              void loadRenders().catch(() => undefined);
              return;
            }
            // Progress comes often while ffmpeg runs: one read per burst.
            timer = setTimeout(() => {
              const current = progressTurn();
              void client()
                .jobs.get(r.id, { signal })
                .then(
                  (job) => {
                    if (!current()) return;
                    jobs.set(r.id, job);
                    drawProgress(r.id);
                  },
                  () => undefined,
                );
            }, 300);
          },
          signal,
        ).catch(() => undefined);
      }
    }
  };

  const source = sourceUrl
    ? h('video', { controls: true, preload: 'metadata', src: sourceUrl, class: 'source-player', 'aria-label': `Source video of ${clip.name}` })
    : null;
  await loadRenders();

  const ranked = [...clip.candidates].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  const formParts =
    clip.candidates.length > 0 && (clip.status === 'ready' || clip.status === 'rendering' || clip.status === 'rendered')
      ? renderForm(clip, () => void loadRenders())
      : null;
  add(
    root,
    h('h1', { tabindex: -1 }, clip.name),
    facts([
      ['Status', statusBadge(clip.status)],
      ['Length', clip.duration === null ? null : clock(clip.duration * 1000)],
      ['Size', bytes(clip.fileSize)],
      ['Frame', clip.width && clip.height ? `${clip.width}×${clip.height}` : null],
      ['Uploaded', when(clip.createdAt)],
      ['Error', clip.error ? h('span', { class: 'error-text' }, clip.error) : null],
    ]),
    source,
    h(
      'section',
      { 'aria-labelledby': 'clip-segments' },
      h('h2', { id: 'clip-segments' }, 'Candidate segments'),
      clip.candidates.length > 0
        ? segmentTimeline(clip, (c) => formParts?.select(c))
        : h('p', { class: 'muted' }, clip.status === 'processing' ? 'Still analysing the video…' : 'None found.'),
      ranked.length > 0
        ? h(
            'ol',
            { class: 'segment-list' },
            ranked.map((c) =>
              h(
                'li',
                null,
                h('span', null, c.title, c.title.includes(clock(c.startMs)) ? null : h('span', { class: 'muted' }, ` ${clock(c.startMs)}–${clock(c.endMs)}`)),
                scoreBar(c.score, 'Segment score'),
              ),
            ),
          )
        : null,
    ),
    formParts?.form ?? null,
    renders,
  );
}
