/**
 * `sleep`: the demonstration kind. Each item waits `ms` and succeeds, unless the input names it
 * to fail permanently, to fail once and then succeed, or to hang past its time budget. It
 * exists to exercise the engine in tests and demos; it is registered only with
 * LONGRUN_DEMO_KINDS=1.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type, type Static } from '@sinclair/typebox';
import { PermanentError, RetryableError } from '../../engine/errors.ts';
import { defineKind, type JobKind } from '../../engine/kind.ts';

const Keys = Type.Array(Type.String({ maxLength: 50 }), { maxItems: 1000, default: [] });

export const SleepInput = Type.Object(
  {
    items: Type.Integer({ minimum: 1, maximum: 10_000, default: 1, description: 'How many items (keys item-1 … item-N)' }),
    ms: Type.Integer({ minimum: 0, maximum: 60_000, default: 100, description: 'How long each item sleeps' }),
    fail: { ...Keys, description: 'Items that fail permanently (DEMO_FAILURE)' },
    flaky: { ...Keys, description: 'Items whose first attempt fails with a retryable DEMO_FLAKE' },
    hang: { ...Keys, description: 'Items that never finish on their own (they hit the time budget)' },
  },
  { additionalProperties: false },
);
export type SleepInput = Static<typeof SleepInput>;

export interface SleepKindOptions {
  itemTimeoutMs?: number;
  backoffBaseMs?: number;
  maxAttempts?: number;
  /** Appends `<jobId> <key>` for every completed item. */
  logFile?: string | null;
}

export function sleepKind(options: SleepKindOptions = {}): JobKind<SleepInput> {
  return defineKind<SleepInput>({
    name: 'sleep',
    scope: 'any-product-scope',
    inputSchema: SleepInput,
    creditsPerItem: 1,
    // Not events of the contracts: only endpoints subscribed to "*" get them.
    webhooks: { completed: 'demo.sleep.completed', failed: 'demo.sleep.failed' },
    maxAttempts: options.maxAttempts ?? 3,
    itemTimeoutMs: options.itemTimeoutMs ?? 2_000,
    backoffBaseMs: options.backoffBaseMs ?? 200,
    backoffMaxMs: 5_000,
    items: (input) => Array.from({ length: input.items }, (_, i) => ({ key: `item-${i + 1}` })),
    async process({ jobId, input, item, signal }) {
      if (input.fail?.includes(item.key)) throw new PermanentError('DEMO_FAILURE', `${item.key} was asked to fail.`);
      if (input.flaky?.includes(item.key) && item.attempt === 1) throw new RetryableError('DEMO_FLAKE', `${item.key} fails its first attempt.`);
      const ms = input.hang?.includes(item.key) ? 24 * 3_600_000 : input.ms;
      await sleep(ms, undefined, { signal });
      if (options.logFile) fs.appendFileSync(options.logFile, `${jobId} ${item.key}\n`);
      return { key: item.key, sleptMs: input.ms };
    },
  });
}
