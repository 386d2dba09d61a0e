/**
 * The demonstration kind on the wire (`POST /demo/sleep`), declared once for validation,
 * serialization, /openapi.json and the typed client. Imports nothing but TypeBox and other
 * schema modules.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ContentOk, WithOptions } from '../../http/schemas.ts';

/** The longest an item may sleep, in milliseconds. */
export const MAX_MS = 60_000;

const Keys = Type.Array(Type.String({ maxLength: 50 }), { maxItems: 1000, default: [] });

export const SleepInput = Type.Object(
  {
    items: Type.Integer({ minimum: 1, maximum: 10_000, default: 1, description: 'How many items (keys item-1 … item-N)' }),
    ms: Type.Integer({ minimum: 0, maximum: MAX_MS, default: 100, description: 'How long each item sleeps; its time budget is this plus 2 s' }),
    fail: WithOptions(Keys, { description: 'Items that fail permanently (DEMO_FAILURE)' }),
    flaky: WithOptions(Keys, { description: 'Items whose first attempt fails with a retryable DEMO_FLAKE' }),
    hang: WithOptions(Keys, { description: 'Items that never finish on their own (they hit the time budget: `ms` plus 2 s)' }),
  },
  { additionalProperties: false },
);
export type SleepInput = Static<typeof SleepInput>;

export const SubmitBody = Type.Composite(
  [
    SleepInput,
    Type.Object({
      priority: Type.Optional(Type.Integer({ minimum: -100, maximum: 100 })),
      runAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'Not before this time' })),
    }),
  ],
  { additionalProperties: false },
);

export const Accepted = ContentOk(Type.Object({ jobId: Type.String(), status: Type.Literal('queued') }));
