/**
 * The default retry schedule with its jitter, Retry-After, and the failures-to-disable circuit,
 * on the real default configuration (not a shortened schedule): the `webhook` kind sends to a
 * real receiver on a loopback port and the engine runs it over the real database, while the
 * test owns the clock and the jitter. Vitest fakes `Date` only (timers stay real), so the kind's
 * `next_attempt_at`, the engine's run time for the retry and its claims all read one clock; the
 * kind's `random` pins the jitter. A retry comes due when the test moves the clock to its time
 * and wakes the engine, as the engine's own timer would once that time came. SQLite only: on
 * PostgreSQL the engine's due times are the database's clock, which a test cannot move
 * (test/engine/databaseClock.test.ts shows they follow it).
 */
import os from 'node:os';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { itemsAllForJob } from '../../src/engine/index.ts';
import { newId, nowIso } from '../../src/ids.ts';
import { inTransaction, type Store } from '../../src/store/database.ts';
import { orgCreate, type Organisation } from '../../src/store/orgs.ts';
import { deliveryKind, MAX_RETRY_AFTER_MS } from '../../src/families/webhooks/deliveryKind.ts';
import { deliveryAttemptsOf, deliveryInsert, type DeliveryRow } from '../../src/families/webhooks/sql/deliveries.ts';
import { endpointInsert } from '../../src/families/webhooks/sql/endpoints.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { silentLog } from '../helpers/testEngine.ts';
import { testStore } from '../helpers/testServer.ts';
import { untilEngineIdle } from '../helpers/wait.ts';

// The defaults, only with loopback and plain HTTP allowed for the receiver.
const config = loadConfig({ dataDir: os.tmpdir() }, { LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1' }).webhooks;
const schedule = config.retrySchedule;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

let store: Store;
let drop: () => Promise<void>;
let engine: Engine;
let receiver: Receiver;
let org: Organisation;
let jitter = 0.5;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-03-02T09:00:00.000Z'));
  ({ store, drop } = await testStore());
  engine = new Engine({ store, log: silentLog, concurrency: 8, orgConcurrency: 8, leaseMs: 30_000 });
  engine.register(deliveryKind(store.db, config, { random: () => jitter }));
  engine.start();
  receiver = await startReceiver();
  org = await orgCreate(store.db, 'hooks');
});
afterAll(async () => {
  await engine?.stop(1000);
  await receiver?.close();
  await store?.close();
  await drop?.();
  vi.useRealTimers();
});
// What a test leaves waiting (its delivery's later attempts are not its business, or it failed
// half-way) must not be sent in the next test.
afterEach(async () => {
  const open = await store.db.selectFrom('jobs').select('id').where('status', 'in', ['queued', 'running']).execute();
  for (const job of open) await engine.cancel(org.id, job.id);
  await untilEngineIdle(engine);
});
beforeEach(() => {
  jitter = 0.5;
  // On a whole second, so an HTTP-date Retry-After (whole seconds) says an exact delay.
  vi.setSystemTime(Math.ceil(Date.now() / SECOND) * SECOND + SECOND);
});

async function newEndpoint(name: string): Promise<{ id: string; path: string }> {
  const id = newId('wh');
  const now = nowIso();
  await endpointInsert(store.db, {
    id,
    org_id: org.id,
    name,
    url: `${receiver.url}/hook/${name}`,
    events: '["*"]',
    headers: '[]',
    secret: 'whsec_' + Buffer.alloc(32, 1).toString('base64'),
    previous_secret: null,
    previous_secret_expires_at: null,
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
    consecutive_failures: 0,
    created_at: now,
    updated_at: now,
  });
  return { id, path: `/hook/${name}` };
}

interface Sent {
  deliveryId: string;
  jobId: string;
}

/** A delivery and its sender job, committed together as the outbox writes them. */
async function submit(endpointId: string): Promise<Sent> {
  const deliveryId = newId('msg');
  const now = nowIso();
  const kind = engine.kind<{ deliveryId: string }>('webhook')!;
  const job = await inTransaction(store.db, async (trx) => {
    const sender = await engine.submitIn(trx, { orgId: org.id, kind, input: { deliveryId } });
    await deliveryInsert(trx, {
      id: deliveryId,
      endpoint_id: endpointId,
      org_id: org.id,
      event_type: 'TEST_EVENT',
      payload: JSON.stringify({ type: 'TEST_EVENT', timestamp: now, data: {} }),
      job_id: sender.id,
      status: 'pending',
      attempts: 0,
      last_status_code: null,
      last_error: null,
      response_snippet: null,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
      delivered_at: null,
    });
    return sender;
  });
  return { deliveryId, jobId: job.id };
}

const deliveryRow = (id: string): Promise<DeliveryRow> => store.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const jobRow = (id: string) => store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const itemRow = async (jobId: string) => (await itemsAllForJob(store.db, jobId))[0]!;
const endpointRow = (id: string) => store.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path).length;

/** Moves the clock to `at` and wakes the engine, as its timer would once that time came. */
function advanceTo(at: string | number): void {
  vi.setSystemTime(typeof at === 'string' ? Date.parse(at) : at);
  engine.signals.workAvailable();
}

/**
 * After an attempt: it is recorded and its job handed back to wait for the next one (the
 * engine idle). Returns the delivery and the delay it now waits, from the clock's now.
 */
async function afterAttempt(deliveryId: string, attempt: number): Promise<{ row: DeliveryRow; delay: number }> {
  await untilEngineIdle(engine);
  const row = await deliveryRow(deliveryId);
  expect(row.attempts).toBe(attempt);
  if (row.status !== 'pending') return { row, delay: NaN };
  // The engine runs the job when the log says the next attempt comes.
  const job = await jobRow(row.job_id!);
  expect({ status: job.status, lease: job.lease_owner, at: job.available_at }).toEqual({ status: 'running', lease: null, at: row.next_attempt_at });
  return { row, delay: Date.parse(row.next_attempt_at!) - Date.now() };
}

/** Lets the deliveries' attempts come due one after another until `done` (default: all ended). */
async function drive(sent: Sent[], done: (rows: DeliveryRow[]) => boolean = (rows) => rows.every((r) => r.status !== 'pending')): Promise<DeliveryRow[]> {
  for (let round = 0; ; round++) {
    await untilEngineIdle(engine);
    const rows = await Promise.all(sent.map((s) => deliveryRow(s.deliveryId)));
    if (done(rows)) return rows;
    expect(round, 'more rounds than the schedule has attempts').toBeLessThanOrEqual(schedule.length);
    advanceTo(Math.min(...rows.filter((r) => r.status === 'pending').map((r) => Date.parse(r.next_attempt_at!))));
  }
}

describe('the default retry schedule', () => {
  it('is the documented one, and the circuit opens after 5 failed deliveries', () => {
    expect(schedule).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR]);
    expect(config.failuresToDisable).toBe(5);
  });

  // The jitter at its low end, in the middle, and at the top (the largest double below 1).
  it.each([0, 0.5, 1 - 2 ** -53])('waits each step ±20 %% (random() = %s), never sooner, then fails with DELIVERY_FAILED', async (r) => {
    jitter = r;
    const endpoint = await newEndpoint(`schedule-${r}`);
    receiver.respond = () => ({ status: 500, body: 'broken' });
    const { deliveryId, jobId } = await submit(endpoint.id);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= schedule.length; attempt++) {
      expect((await receiver.next(endpoint.path)).headers['webhook-id']).toBe(deliveryId);
      const { row, delay } = await afterAttempt(deliveryId, attempt);
      const step = schedule[attempt - 1]!;
      expect(delay).toBe(Math.round(step * (0.8 + r * 0.4)));
      expect(delay).toBeGreaterThanOrEqual(step * 0.8);
      expect(delay).toBeLessThanOrEqual(step * 1.2);
      delays.push(delay);
      // A second before it is due nothing is sent; at its time it is.
      advanceTo(Date.parse(row.next_attempt_at!) - SECOND);
      await untilEngineIdle(engine);
      expect(requestsTo(endpoint.path)).toBe(attempt);
      advanceTo(row.next_attempt_at!);
    }

    expect((await receiver.next(endpoint.path)).headers['webhook-id']).toBe(deliveryId);
    const { row } = await afterAttempt(deliveryId, schedule.length + 1);
    expect(row).toMatchObject({ status: 'failed', next_attempt_at: null, last_status_code: 500 });
    expect(row.last_error).toBe(`The endpoint answered 500. Gave up after ${schedule.length + 1} attempts.`);
    expect(await itemRow(jobId)).toMatchObject({ status: 'failed', error_code: 'DELIVERY_FAILED' });
    // The log's attempts are as far apart as the delays the delivery said it would wait.
    const history = await deliveryAttemptsOf(store.db, [deliveryId]);
    expect(history.map((h) => h.status_code)).toEqual(Array(schedule.length + 1).fill(500));
    expect(history.slice(1).map((h, i) => Date.parse(h.at) - Date.parse(history[i]!.at))).toEqual(delays);
    expect(requestsTo(endpoint.path)).toBe(schedule.length + 1);
    expect((await endpointRow(endpoint.id)).consecutive_failures).toBe(1);
  });
});

describe('Retry-After', () => {
  /** Each attempt of one delivery answered as given; the delays it then waits (the rest of its schedule is left). */
  async function delaysAfter(name: string, answers: ((now: number) => { status: number; retryAfter?: string })[]): Promise<number[]> {
    const endpoint = await newEndpoint(name);
    const delays: number[] = [];
    let sent: Sent | undefined;
    for (const [index, answer] of answers.entries()) {
      const at = sent ? Date.parse((await deliveryRow(sent.deliveryId)).next_attempt_at!) : Date.now();
      const { status, retryAfter } = answer(at);
      const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
      receiver.respond = () => ({ status, headers });
      if (sent) advanceTo(at);
      else sent = await submit(endpoint.id);
      await receiver.next(endpoint.path);
      delays.push((await afterAttempt(sent.deliveryId, index + 1)).delay);
    }
    return delays;
  }

  const httpDate = (at: number) => new Date(at).toUTCString();

  it.each([429, 502, 503, 504])('on %d waits longer when asked (seconds or HTTP date), never shorter, and at most 24 h', async (status) => {
    const delays = await delaysAfter(`asked-${status}`, [
      () => ({ status, retryAfter: '3600' }),
      (now) => ({ status, retryAfter: httpDate(now + 2 * HOUR) }),
      () => ({ status, retryAfter: '1' }),
      () => ({ status, retryAfter: String(10 * 365 * 86_400) }),
      (now) => ({ status, retryAfter: httpDate(now + 30 * 86_400_000) }),
      () => ({ status }),
    ]);
    // With the jitter pinned at its middle, the schedule's own delays are its steps.
    expect(delays).toEqual([HOUR, 2 * HOUR, schedule[2], MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS, schedule[5]]);
    expect(MAX_RETRY_AFTER_MS).toBe(24 * HOUR);
  });

  it.each([400, 500])('is not honoured on %d: the schedule decides', async (status) => {
    const delays = await delaysAfter(`ignored-${status}`, [
      () => ({ status, retryAfter: '3600' }),
      (now) => ({ status, retryAfter: httpDate(now + 2 * HOUR) }),
    ]);
    expect(delays).toEqual([schedule[0], schedule[1]]);
  });

  it('that is unreadable or in the past leaves the schedule', async () => {
    const delays = await delaysAfter('unreadable', [() => ({ status: 503, retryAfter: 'soon' }), (now) => ({ status: 429, retryAfter: httpDate(now - HOUR) })]);
    expect(delays).toEqual([schedule[0], schedule[1]]);
  });
});

describe('the failures-to-disable circuit', () => {
  it(`disables the endpoint after 5 failed deliveries in a row (a success resets the count); a waiting delivery is then not sent`, async () => {
    const endpoint = await newEndpoint('circuit');
    const failing = async (n: number) => {
      receiver.respond = () => ({ status: 500 });
      const sent: Sent[] = [];
      for (let i = 0; i < n; i++) sent.push(await submit(endpoint.id));
      return sent;
    };
    const ended = async (sent: Sent[]) => {
      for (const row of await drive(sent)) expect(row).toMatchObject({ status: 'failed', attempts: schedule.length + 1 });
      return Promise.all(sent.map((s) => itemRow(s.jobId).then((item) => item.error_code)));
    };
    const failures = config.failuresToDisable;

    // One short of the threshold, then a success: the count starts again.
    expect(await ended(await failing(failures - 1))).toEqual(Array(failures - 1).fill('DELIVERY_FAILED'));
    expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, consecutive_failures: failures - 1 });
    receiver.respond = () => ({ status: 204 });
    const [delivered] = await drive([await submit(endpoint.id)]);
    expect(delivered).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, consecutive_failures: 0 });

    // One short again: still enabled (without the reset it would have opened here).
    expect(await ended(await failing(failures - 1))).toEqual(Array(failures - 1).fill('DELIVERY_FAILED'));
    expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, consecutive_failures: failures - 1 });

    // The one that opens it, up to its last attempt …
    const [last] = await failing(1);
    const [waiting] = await drive([last!], ([row]) => row!.attempts === schedule.length);
    // … while another delivery fails its first attempt and waits for its second, due after it.
    advanceTo(Date.parse(waiting!.next_attempt_at!) - SECOND);
    const [later] = await failing(1);
    const { row: laterWaits } = await afterAttempt(later!.deliveryId, 1);
    expect(Date.parse(laterWaits.next_attempt_at!)).toBeGreaterThan(Date.parse(waiting!.next_attempt_at!));

    advanceTo(waiting!.next_attempt_at!);
    const { row: opened } = await afterAttempt(last!.deliveryId, schedule.length + 1);
    expect(opened.status).toBe('failed');
    expect(opened.last_error).toBe(
      `The endpoint answered 500. Gave up after ${schedule.length + 1} attempts. The endpoint has now been disabled after ${failures} failed deliveries in a row.`,
    );
    expect((await itemRow(last!.jobId)).error_code).toBe('ENDPOINT_DISABLED');
    expect(await endpointRow(endpoint.id)).toMatchObject({
      enabled: 0,
      consecutive_failures: failures,
      disabled_reason: `${failures} deliveries in a row failed.`,
    });

    // The waiting delivery's next attempt comes and sends nothing.
    const sentBefore = requestsTo(endpoint.path);
    advanceTo(laterWaits.next_attempt_at!);
    await untilEngineIdle(engine);
    expect(requestsTo(endpoint.path)).toBe(sentBefore);
    expect(await deliveryRow(later!.deliveryId)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'The endpoint is disabled.',
      next_attempt_at: null,
    });
    expect(await itemRow(later!.jobId)).toMatchObject({ status: 'failed', error_code: 'ENDPOINT_DISABLED' });
  });
});
