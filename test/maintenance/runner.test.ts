/**
 * The maintenance runner on one database shared by two runners, each with its own connections
 * (as two processes have): a task runs once per period whichever runner asks, never twice at
 * once, a dead holder's hold runs out, and a failing task neither stops the others nor runs
 * again before its next period. The clock is the test's, so periods pass without waiting.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaintenanceRunner } from '../../src/maintenance/runner.ts';
import { leaseTakeIfDue } from '../../src/maintenance/sql/leases.ts';
import type { MaintenanceTask } from '../../src/maintenance/task.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { testStore } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const PERIOD = 3_600_000;
const T0 = new Date('2027-01-01T00:00:00Z').getTime();
const log = pino({ level: 'silent' });

let first: Awaited<ReturnType<typeof testStore>>;
let second: Store;
let now: number;
const clock = () => new Date(now);

beforeEach(async () => {
  first = await testStore();
  second = openStore(first.databaseUrl, 2);
  now = T0;
});
afterEach(async () => {
  await second.close();
  await first.store.close();
  await first.drop();
});

/** A task that counts its rounds; `gate` (when set) holds a round open until resolved. */
function countingTask(name = 'count', opts: { gate?: Promise<void>; fail?: boolean } = {}) {
  const rounds: string[] = [];
  const task: MaintenanceTask = {
    name,
    everyMs: PERIOD,
    async run(at) {
      rounds.push(at.toISOString());
      await opts.gate;
      if (opts.fail) throw new Error('this task fails');
      return rounds.length;
    },
  };
  return { task, rounds };
}

function runners(tasks: MaintenanceTask[], holdMs?: number): [MaintenanceRunner, MaintenanceRunner] {
  return [new MaintenanceRunner({ db: first.store.db, tasks, log, clock, holdMs }), new MaintenanceRunner({ db: second.db, tasks, log, clock, holdMs })];
}

describe('maintenance runner', () => {
  it('runs a task once per period, whichever of two runners asks first', async () => {
    const { task, rounds } = countingTask();
    const [a, b] = runners([task]);
    expect(await a.runDue()).toEqual(['count']);
    expect(await b.runDue()).toEqual([]);
    now = T0 + PERIOD - 1;
    expect(await a.runDue()).toEqual([]);
    expect(await b.runDue()).toEqual([]);
    now = T0 + PERIOD;
    expect(await b.runDue()).toEqual(['count']);
    expect(await a.runDue()).toEqual([]);
    expect(rounds).toEqual([new Date(T0).toISOString(), new Date(T0 + PERIOD).toISOString()]);
  });

  it('gives a round to exactly one of two runners asking at the same moment', async () => {
    let open!: () => void;
    const { task, rounds } = countingTask('count', { gate: new Promise<void>((resolve) => (open = resolve)) });
    const [a, b] = runners([task]);
    const [fromA, fromB] = [a.runDue(), b.runDue()];
    // The loser answers while the winner's round is still open; the winner may take its lease
    // after the loser has answered, so its round is awaited rather than assumed begun.
    expect(await Promise.race([fromA, fromB])).toEqual([]);
    await until("the winner's round has started", () => rounds.length === 1);
    open();
    expect([...(await fromA), ...(await fromB)]).toEqual(['count']);
    expect(rounds).toHaveLength(1);
  });

  it('does not start a round while the last one still runs, even when the next period has come', async () => {
    let open!: () => void;
    const { task, rounds } = countingTask('count', { gate: new Promise<void>((resolve) => (open = resolve)) });
    // The hold outlasts the clock's jump (a live holder renews it as real time passes).
    const [a, b] = runners([task], 2 * PERIOD);
    const long = a.runDue();
    await until('the round has started', () => rounds.length === 1);
    now = T0 + PERIOD + 1;
    expect(await b.runDue()).toEqual([]);
    open();
    expect(await long).toEqual(['count']);
    expect(await b.runDue()).toEqual(['count']);
    expect(rounds).toHaveLength(2);
  });

  it('takes a task over from a holder that died mid-round once its hold runs out', async () => {
    const { task, rounds } = countingTask();
    // A process took the round and died: its hold lasts two periods.
    expect(await leaseTakeIfDue(first.store.db, { task: 'count', holder: 'dead:1', now: new Date(T0), everyMs: PERIOD, holdMs: 2 * PERIOD })).toBe(true);
    const [, b] = runners([task]);
    now = T0 + PERIOD;
    expect(await b.runDue()).toEqual([]);
    now = T0 + 2 * PERIOD;
    expect(await b.runDue()).toEqual(['count']);
    expect(rounds).toEqual([new Date(T0 + 2 * PERIOD).toISOString()]);
  });

  it('logs a failing task, runs the others, and tries it again next period', async () => {
    const failing = countingTask('fails', { fail: true });
    const working = countingTask('works');
    const [a, b] = runners([failing.task, working.task]);
    expect(await a.runDue()).toEqual(['works']);
    expect(await b.runDue()).toEqual([]);
    expect(failing.rounds).toHaveLength(1);
    now = T0 + PERIOD;
    expect(await b.runDue()).toEqual(['works']);
    expect(failing.rounds).toHaveLength(2);
  });

  it('refuses two tasks of one name, which would share a lease', () => {
    expect(() => new MaintenanceRunner({ db: first.store.db, tasks: [countingTask('x').task, countingTask('x').task], log })).toThrow(/"x" is listed twice/);
  });
});
