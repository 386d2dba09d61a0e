/**
 * A processor's AbortSignal fires when its job stops or its time budget runs out, whether it
 * asked for the signal before or after (the signal is made on first use: `processItem`).
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { JobStop } from '../../src/engine/jobStop.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { processItem } from '../../src/engine/processItem.ts';
import type { HeldJob } from '../../src/engine/sql/jobsClaim.ts';
import { silentLog } from '../helpers/testEngine.ts';

const job: HeldJob = {
  id: 'job_1',
  org_id: 'org_1',
  kind: 'k',
  queue: null,
  input: '{}',
  created_at: '2026-12-02T00:00:00.000Z',
  run_at: '2026-12-02T00:00:00.000Z',
  attempts: 1,
  items_total: 1,
  items_succeeded: 0,
  items_failed: 0,
  last_event_seq: 2,
  trace_context: null,
};
const item = { job_id: 'job_1', seq: 0, key: 'only', input: null, attempts: 1 };

describe('processItem', () => {
  it('aborts the signal a processor holds when its job stops, and abandons the item', async () => {
    const seen: unknown[] = [];
    let listening!: () => void;
    const isListening = new Promise<void>((resolve) => (listening = resolve));
    const kind = defineKind({
      name: 'waits',
      async process({ signal }) {
        signal.addEventListener('abort', () => seen.push(signal.reason));
        listening();
        await sleepMs(10_000, undefined, { ref: false });
      },
    });
    const jobStop = new JobStop();
    const outcome = processItem(kind, job, item, jobStop, silentLog);
    await isListening;
    const reason = new Error('job canceled');
    jobStop.stop(reason);
    expect(await outcome).toEqual({ type: 'abandoned' });
    expect(seen).toEqual([reason]);
  });

  it('hands an aborted signal to a processor that asks for it after its budget ran out, and retries the item as TIMEOUT', async () => {
    // The processor goes on past its budget until the test has the outcome, then asks for its signal.
    let goOn!: () => void;
    const outcomeSeen = new Promise<void>((resolve) => (goOn = resolve));
    let asked!: (signal: AbortSignal) => void;
    const late = new Promise<AbortSignal>((resolve) => (asked = resolve));
    const kind = defineKind({
      name: 'slow',
      itemTimeoutMs: 30,
      async process(context) {
        await outcomeSeen;
        asked(context.signal);
      },
    });
    const outcome = await processItem(kind, job, item, new JobStop(), silentLog);
    expect(outcome).toMatchObject({ type: 'retry', code: 'TIMEOUT' });
    goOn();
    const signal = await late;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('ItemTimeoutError');
  });

  it('returns the processor’s result when nothing stops it', async () => {
    const kind = defineKind({ name: 'quick', process: async () => 'done' });
    const jobStop = new JobStop();
    expect(await processItem(kind, job, item, jobStop, silentLog)).toEqual({ type: 'succeeded', result: 'done' });
  });
});
