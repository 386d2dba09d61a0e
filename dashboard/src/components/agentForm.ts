/**
 * An agent's settings, as the create and edit forms ask for them, with the next runs of its
 * schedule previewed in its timezone. The preview is the server's (`GET
 * /agents/schedule-preview`, the scheduler's own cron code), asked again as the schedule or
 * timezone changes; the page only formats the instants in that timezone.
 */
import { PLATFORMS } from '../../../src/content/schemas.ts';
import { client, LongrunError } from '../api.ts';
import { newestOnly } from '../newest.ts';
import { h, replaceChildren } from '../dom.ts';
import type { Agent, AgentCreateBody, Kb } from 'longrun/client';
import { field, input, textarea } from './form.ts';

/** TONES of src/families/agents/schemas.ts, written out (that module would bundle TypeBox); test/browser/manageAgents.test.ts compares them. */
const TONES = ['professional', 'casual', 'educational', 'inspirational', 'humorous'] as const;
const PREVIEW_RUNS = 5;
const PREVIEW_DELAY_MS = 300;

function select(id: string, name: string, options: [string, string][], value: string): HTMLSelectElement {
  return h(
    'select',
    { id, name },
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
}

/** "Mon 8 Dec 2026, 09:00" in `timeZone`, in the browser's locale; the exact instant on hover. */
function inZone(iso: string, timeZone: string): HTMLTimeElement {
  const el = h('time', { datetime: iso, title: iso });
  el.textContent = new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));
  return el;
}

export function agentFields(prefix: string, kbs: Kb[], signal: AbortSignal, current?: Agent): HTMLElement[] {
  const timezone = current?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  const schedule = input('schedule', { value: current?.schedule ?? '', placeholder: '0 9 * * 1-5', spellcheck: 'false', maxlength: 200 });
  const zone = input('timezone', { value: timezone, required: true, list: `${prefix}-zones`, maxlength: 100, spellcheck: 'false' });
  const zones = h(
    'datalist',
    { id: `${prefix}-zones` },
    (Intl.supportedValuesOf?.('timeZone') ?? []).map((z) => h('option', { value: z })),
  );
  const preview = h('div', { class: 'preview', id: `${prefix}-preview`, 'aria-live': 'polite' });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const turn = newestOnly();
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const current = turn();
      const cron = schedule.value.trim();
      const tz = zone.value.trim() || 'UTC';
      if (!cron) {
        replaceChildren(preview, h('p', { class: 'hint' }, 'No schedule: the agent runs only when started by hand.'));
        return;
      }
      try {
        const { runs } = await client().agents.schedulePreview({ schedule: cron, timezone: tz, count: PREVIEW_RUNS }, { signal });
        if (!current()) return;
        replaceChildren(
          preview,
          h('p', { class: 'hint' }, `Next runs in ${tz}:`),
          runs.length > 0
            ? h(
                'ol',
                { class: 'next-runs' },
                runs.map((at) => h('li', null, inZone(at, tz))),
              )
            : h('p', { class: 'hint' }, 'It never runs again.'),
        );
      } catch (error) {
        if (!current() || signal.aborted) return;
        replaceChildren(preview, h('p', { class: 'error-text' }, error instanceof LongrunError ? error.message : String(error)));
      }
    }, PREVIEW_DELAY_MS);
  };
  schedule.addEventListener('input', refresh);
  zone.addEventListener('input', refresh);
  signal.addEventListener('abort', () => clearTimeout(timer));
  refresh();

  const chosen = new Set<string>(current?.platforms ?? ['linkedin']);
  const platformBox = (p: string) => {
    const id = `${prefix}-platform-${p}`;
    return h('div', { class: 'pick' }, h('input', { type: 'checkbox', id, name: 'platforms', value: p, checked: chosen.has(p) }), h('label', { for: id }, p));
  };

  return [
    field(`${prefix}-name`, 'Name', input('name', { required: true, maxlength: 200, value: current?.name ?? '', placeholder: 'Weekly LinkedIn' })),
    h('fieldset', { class: 'scopes' }, h('legend', null, 'Platforms'), h('div', { class: 'scope-grid' }, PLATFORMS.map(platformBox))),
    field(`${prefix}-posts`, 'Posts per run', input('postsPerRun', { type: 'number', min: 1, max: 50, required: true, value: current?.postsPerRun ?? 1 })),
    field(
      `${prefix}-schedule`,
      'Schedule',
      schedule,
      'Cron, 5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5" for 09:00 on weekdays. Empty: by hand only.',
    ),
    field(`${prefix}-timezone`, 'Timezone', zone, 'IANA name, e.g. Europe/Paris; the schedule is read in it.'),
    zones,
    preview,
    field(
      `${prefix}-tone`,
      'Tone',
      select(
        `${prefix}-tone`,
        'tone',
        TONES.map((t) => [t, t]),
        current?.tone ?? 'professional',
      ),
    ),
    field(
      `${prefix}-kb`,
      'Knowledge base',
      select(`${prefix}-kb`, 'kbId', [['', 'None: write from the instructions'], ...kbs.map((kb): [string, string] => [kb.id, kb.name])], current?.kbId ?? ''),
    ),
    field(
      `${prefix}-instructions`,
      'Instructions',
      // A textarea's text is its content, not a value attribute.
      Object.assign(textarea('instructions', { maxlength: 5000, rows: 4 }), { value: current?.instructions ?? '' }),
      'Standing instructions; the topics, one per line, when there is no knowledge base.',
    ),
    h(
      'div',
      { class: 'pick' },
      h('input', { type: 'checkbox', id: `${prefix}-enabled`, name: 'enabled', checked: current?.enabled ?? true }),
      h('label', { for: `${prefix}-enabled` }, 'Enabled (runs on its schedule)'),
    ),
  ];
}

/** The form's values as the API takes them (create and patch alike). */
export function agentValues(data: FormData): Required<Omit<AgentCreateBody, 'kbId'>> & { kbId: string | null } {
  const platforms = data.getAll('platforms').map(String) as AgentCreateBody['platforms'];
  if (platforms.length === 0) throw new Error('Choose at least one platform.');
  const schedule = String(data.get('schedule') ?? '').trim();
  const kbId = String(data.get('kbId') ?? '');
  return {
    name: String(data.get('name') ?? '').trim(),
    platforms,
    postsPerRun: Number(data.get('postsPerRun')),
    schedule: schedule || null,
    timezone: String(data.get('timezone') ?? '').trim() || 'UTC',
    tone: String(data.get('tone')) as AgentCreateBody['tone'] & string,
    kbId: kbId || null,
    instructions: String(data.get('instructions') ?? ''),
    enabled: data.get('enabled') !== null,
  };
}
