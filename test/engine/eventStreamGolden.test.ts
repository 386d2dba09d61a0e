/**
 * Golden answers of a job's event stream (issue 31, step 0): for each scenario, the bytes of
 * `GET /jobs/{id}/events` for the finished job (from the start and after a `Last-Event-ID`),
 * and of `GET /jobs/{id}/items` and `GET /jobs/{id}`, as the server sends them, compared with
 * the files in test/fixtures/event-streams/ (one per scenario). A redesign of how events are
 * stored must answer byte for byte the same; the same files hold on SQLite and PostgreSQL.
 * There is no JSON listing of events: `GET /jobs/{id}/events` only streams (routes/jobs.ts).
 *
 * Only what varies between runs is replaced (`normalise` below): IDs and ISO timestamps.
 * Everything else — key order, spacing, seq numbers, the stream's comment line — is kept. Since
 * times are replaced, each file ends with whether each event's time equals its row's (`=== times`).
 *
 * To record the files again from the current code (then read the diff before committing it):
 *   UPDATE_GOLDEN=1 npx vitest run test/engine/eventStreamGolden.test.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../src/engine/errors.ts';
import { defineKind, type JobKind } from '../../src/engine/kind.ts';
import { waitForJob } from '../helpers/testEngine.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { untilEngineIdle } from '../helpers/wait.ts';

const GOLDEN_DIR = path.join(import.meta.dirname, '../fixtures/event-streams');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * What varies between runs, and only that: IDs (a prefix and a ULID, src/ids.ts) become `<id1>`,
 * `<id2>`… in order of first appearance in the scenario, so the same ID keeps its placeholder;
 * ISO timestamps in the exact shape the server sends (milliseconds, `Z`) become `<time>`, so a
 * change of their format still shows. The answers hold no durations (the kinds below return fixed
 * results), so none are replaced.
 */
function normalise(text: string, ids: Map<string, string>): string {
  return text
    .replace(/\b[a-z]+_[0-9A-HJKMNP-TV-Z]{26}\b/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<id${ids.size + 1}>`);
      return ids.get(id)!;
    })
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\b/g, '<time>');
}

type ItemAnswer = { key: string; finishedAt: string | null };
type JobAnswer = { runAt: string; createdAt: string; startedAt: string | null; completedAt: string | null };

/**
 * Whether each event's time equals the time on the row it could be derived from (issue 31's
 * design, docs/engine.md#events): `job.queued` the job's createdAt (and its runAt), `job.started`
 * its startedAt, an item's end the item's finishedAt, the job's end its completedAt. The times
 * themselves vary and are replaced; whether they are equal is recorded (`=` or `≠`).
 */
function timesAgainstRows(stream: string, items: ItemAnswer[], job: JobAnswer): string[] {
  const same = (a: unknown, b: unknown) => (a === b ? '=' : '≠');
  return [...stream.matchAll(/^data: (.*)$/gm)].map((m) => {
    const event = JSON.parse(m[1]!) as { seq: number; type: string; data: { key?: string; runAt?: string }; createdAt: string };
    const at = `${event.seq} ${event.type}: createdAt`;
    if (event.type === 'job.queued') return `${at} ${same(event.createdAt, job.createdAt)} job.createdAt, runAt ${same(event.data.runAt, job.runAt)} job.runAt`;
    if (event.type === 'job.started') return `${at} ${same(event.createdAt, job.startedAt)} job.startedAt`;
    if (event.type === 'item.retrying') return `${at} (a row of its own)`;
    if (event.type.startsWith('item.')) {
      const item = items.find((i) => i.key === event.data.key);
      return `${at} ${same(event.createdAt, item?.finishedAt)} items[${event.data.key}].finishedAt`;
    }
    if (event.type === 'job.progress') return `${at} (a row of its own)`;
    return `${at} ${same(event.createdAt, job.completedAt)} job.completedAt`;
  });
}

/**
 * The answers above come from the rows (issue 31): a job's lifecycle events are derived from its
 * row and its items' rows, and only what is not state (progress, retries) is stored as an event row.
 */
const STORED_EVENTS = new Set(['job.progress', 'item.retrying']);
async function expectOnlyNonStateStored(s: TestServer, id: string): Promise<void> {
  const stored = await s.store.db.selectFrom('job_events').select('type').where('job_id', '=', id).execute();
  expect(stored.filter((event) => !STORED_EVENTS.has(event.type))).toEqual([]);
}

/** The answers of one scenario, as one text: a header line per request, then its body as sent. */
class Recording {
  private readonly parts: string[] = [];
  private readonly ids = new Map<string, string>();
  constructor(private readonly s: TestServer) {}

  async request(method: 'GET' | 'POST', route: string, headers: Record<string, string> = {}): Promise<string> {
    const response = await fetch(`${this.s.url}${route}`, { method, headers: { authorization: `Bearer ${this.s.key}`, ...headers } });
    const body = await response.text(); // an event stream ends after the job's terminal event
    const shown = Object.entries(headers).map(([name, value]) => ` (${name}: ${value})`);
    this.parts.push(`=== ${method} ${route}${shown.join('')} → ${response.status} ${response.headers.get('content-type') ?? '-'}\n${body}\n`);
    return body;
  }

  /** The stream from the start and after its middle event, the items and the job. */
  async finishedJob(id: string): Promise<void> {
    const stream = await this.request('GET', `/jobs/${id}/events`);
    const seqs = [...stream.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const middle = seqs[Math.floor((seqs.length - 1) / 2)]!;
    await this.request('GET', `/jobs/${id}/events`, { 'last-event-id': String(middle) });
    const items = JSON.parse(await this.request('GET', `/jobs/${id}/items`)).data.items as ItemAnswer[];
    const job = JSON.parse(await this.request('GET', `/jobs/${id}`)).data as JobAnswer;
    this.parts.push(`=== times\n${timesAgainstRows(stream, items, job).join('\n')}\n`);
    await expectOnlyNonStateStored(this.s, id);
  }

  text(): string {
    return normalise(this.parts.join('\n'), this.ids);
  }
}

/** Compares with the scenario's golden file, or writes it under UPDATE_GOLDEN=1. */
function expectGolden(name: string, recording: Recording): void {
  const file = path.join(GOLDEN_DIR, `${name}.txt`);
  const actual = recording.text();
  if (UPDATE) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  expect(fs.existsSync(file), `${file} is missing: record it with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const threeItems = () => [{ key: 'a' }, { key: 'b' }, { key: 'c' }];

/** A server with `kind` registered and one job of it submitted; resolves to the job's ID. */
async function serverWithJob(kind: JobKind<never>, startWorkers = true): Promise<{ s: TestServer; id: string }> {
  const s = await startTestServer({ credits: 100, startWorkers });
  server = s;
  s.engine.register(kind);
  const job = await s.engine.submit({ orgId: s.org.id, kind: kind as JobKind<unknown>, input: { note: 'golden' } });
  return { s, id: job.id };
}

async function recordFinished(name: string, kind: JobKind<never>): Promise<void> {
  const { s, id } = await serverWithJob(kind);
  await waitForJob(s.engine, s.store, id);
  const recording = new Recording(s);
  await recording.finishedJob(id);
  expectGolden(name, recording);
}

describe('event stream golden answers', () => {
  it('a job of three items, all succeeding', async () => {
    const kind = defineKind({
      name: 'golden-ok',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      items: threeItems,
      process: async ({ item }) => ({ key: item.key }),
    });
    await recordFinished('completed', kind);
  });

  it('a job with a failed item', async () => {
    const kind = defineKind({
      name: 'golden-failed-item',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      items: threeItems,
      async process({ item }) {
        if (item.key === 'b') throw new PermanentError('BAD_INPUT', 'Item b cannot be processed.');
        return { key: item.key };
      },
    });
    await recordFinished('failed-item', kind);
  });

  it('a job whose item fails once with a retryable error, then succeeds', async () => {
    let tries = 0;
    const kind = defineKind({
      name: 'golden-retry',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      items: threeItems,
      // The last item retries, so no other item is open while it waits: the job is always given
      // back until its retry time and claimed again (attempts 2). With an item still open, and a
      // delay shorter than that item's run, the same job holds on (attempts 1): timing, not a
      // guarantee, and a golden answer must not depend on it. The test waits on the job's end.
      retryDelayMs: () => 400,
      async process({ item }) {
        if (item.key === 'c' && ++tries === 1) throw new RetryableError('TIMEOUT', 'Item c took too long.');
        return { key: item.key };
      },
    });
    await recordFinished('retry', kind);
    expect(tries).toBe(2);
  });

  it('a queued job canceled before it started', async () => {
    const kind = defineKind({ name: 'golden-cancel-queued', scope: 'any-product-scope', creditsPerItem: 1, items: threeItems, process: async () => null });
    const { s, id } = await serverWithJob(kind, false);
    const recording = new Recording(s);
    await recording.request('POST', `/jobs/${id}/cancel`);
    await recording.finishedJob(id);
    expectGolden('cancel-queued', recording);
  });

  it('a running job canceled while its item waits on its abort signal', async () => {
    const running = deferred();
    const aborted = deferred();
    const kind = defineKind({
      name: 'golden-cancel-running',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      items: threeItems,
      async process({ item, signal }) {
        if (item.key === 'a') return { key: item.key };
        running.resolve();
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted.resolve();
            reject(signal.reason);
          }),
        );
      },
    });
    const { s, id } = await serverWithJob(kind);
    await running.promise;
    const recording = new Recording(s);
    await recording.request('POST', `/jobs/${id}/cancel`);
    // The worker is told and stops its item; nothing it does after may change the answers.
    await aborted.promise;
    await untilEngineIdle(s.engine);
    await recording.finishedJob(id);
    expectGolden('cancel-running', recording);
  });

  it('a job failed by a fault of its kind outside its items', async () => {
    const kind = defineKind({
      name: 'golden-kind-fault',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      items: threeItems,
      faultMessage: 'Recording broke.',
      process: async ({ item }) => ({ key: item.key }),
      // The kind's own bookkeeping breaks on `b`: a fault of the kind, which fails the whole job.
      async commitResult(_trx, { key }) {
        if (key === 'b') throw new Error('bug in the kind');
      },
    });
    await recordFinished('kind-fault', kind);
  });

  it('a one-item job reporting progress, throttled to its 10 % steps', async () => {
    const kind = defineKind({
      name: 'golden-progress',
      scope: 'any-product-scope',
      creditsPerItem: 1,
      // 0.07 is in 0.05's step and within half a second of it: throttled, never an event.
      async process({ reportProgress }) {
        for (const fraction of [0.05, 0.07, 0.25, 0.5, 1]) reportProgress(fraction);
        return { done: true };
      },
    });
    await recordFinished('progress', kind);
  });

  it('a finished job streamed again after each Last-Event-ID, by header and by query', async () => {
    const kind = defineKind({ name: 'golden-reconnect', scope: 'any-product-scope', items: threeItems, process: async ({ item }) => ({ key: item.key }) });
    const { s, id } = await serverWithJob(kind);
    await waitForJob(s.engine, s.store, id);
    const recording = new Recording(s);
    const whole = await recording.request('GET', `/jobs/${id}/events`);
    const last = Number([...whole.matchAll(/^id: (\d+)$/gm)].at(-1)![1]);
    // Every point a client can reconnect from, the last one included (204: nothing more to send).
    for (let after = 1; after <= last; after++) await recording.request('GET', `/jobs/${id}/events`, { 'last-event-id': String(after) });
    await recording.request('GET', `/jobs/${id}/events?lastEventId=3`);
    expectGolden('reconnect', recording);
    await expectOnlyNonStateStored(s, id);
  });
});
