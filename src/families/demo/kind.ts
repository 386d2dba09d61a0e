/**
 * `sleep`: the demonstration kind. Each item waits `ms` and succeeds, unless the input names it
 * to fail permanently, to fail once and then succeed, or to hang past its time budget. It
 * exists to exercise the engine in tests and demos; it is registered only with
 * LONGRUN_DEMO_KINDS=1.
 *
 * An item's time budget follows its `ms`: `ms` plus `budgetBeyondMs` (2 s by default), so any
 * `ms` the schema allows succeeds, and a hanging item times out (TIMEOUT, retried) that long
 * after it would have finished. The engine's budget for the kind is the longest an item may
 * take (the schema's maximum `ms` plus the same margin); the item's own, shorter budget is kept
 * by the processor, as a kind's budget is one number for all its jobs.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineKind, ItemTimeoutError, type JobKind, PermanentError, RetryableError } from '../../engine/index.ts';
import { MAX_MS, SleepInput } from './schemas.ts';

export interface SleepKindOptions {
  /** How long an item may take beyond its `ms` before it times out (default 2,000). */
  budgetBeyondMs?: number;
  backoffBaseMs?: number;
  maxAttempts?: number;
  /** Appends `<jobId> <key>` for every completed item. */
  logFile?: string | null;
}

export function sleepKind(options: SleepKindOptions = {}): JobKind<SleepInput> {
  const beyond = options.budgetBeyondMs ?? 2_000;
  return defineKind<SleepInput>({
    name: 'sleep',
    rerunnable: true,
    scope: 'any-product-scope',
    inputSchema: SleepInput,
    creditsPerItem: 1,
    // Not events of the contracts: only endpoints subscribed to "*" get them.
    webhooks: { completed: 'demo.sleep.completed', failed: 'demo.sleep.failed' },
    maxAttempts: options.maxAttempts ?? 3,
    // The longest any item may take; each item's own budget is kept below (see above).
    itemTimeoutMs: MAX_MS + beyond,
    backoffBaseMs: options.backoffBaseMs ?? 200,
    backoffMaxMs: 5_000,
    items: (input) => Array.from({ length: input.items }, (_, i) => ({ key: `item-${i + 1}` })),
    async process({ jobId, input, item, signal }) {
      if (input.fail?.includes(item.key)) throw new PermanentError('DEMO_FAILURE', `${item.key} was asked to fail.`);
      if (input.flaky?.includes(item.key) && item.attempt === 1) throw new RetryableError('DEMO_FLAKE', `${item.key} fails its first attempt.`);
      if (input.hang?.includes(item.key)) {
        const budget = input.ms + beyond;
        await sleep(budget, undefined, { signal });
        throw new ItemTimeoutError(budget);
      }
      await sleep(input.ms, undefined, { signal });
      if (options.logFile) fs.appendFileSync(options.logFile, `${jobId} ${item.key}\n`);
      return { key: item.key, sleptMs: input.ms };
    },
  });
}
