import { afterEach, describe, expect, it } from 'vitest';
import { creditsBalance, creditsLedgerPage, creditsRecount } from '../../src/store/ledger.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { itemsOf, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';

let t: TestEngine;
afterEach(() => t?.close());

/** Each item "finds" as many things as its key says, and is priced per thing found. */
const perFound = defineKind<{ max: number; found: number[] }>({
  name: 'per-found',
  items: (input) => input.found.map((n, i) => ({ key: `i${i}`, input: n })),
  pricing: { maxPerItem: (input) => input.max, forResult: (result) => (result as { found: number }).found },
  async process({ item }) {
    return { found: item.input as number };
  },
});

describe('kind pricing and commit hooks', () => {
  it('reserves the maximum per item and charges what each result costs, capped at that maximum', async () => {
    t = await startTestEngine([perFound]);
    const org = await t.org('acme', 20);
    const submitted = await t.engine.submit({ orgId: org.id, kind: perFound, input: { max: 5, found: [3, 0, 9] } });
    const job = await waitForJob(t.engine, t.store, submitted.id);
    // The submission reserved the maximum for every item (read from the ledger: the job may
    // have started, and charged, before a balance read here could run).
    const { entries } = await creditsLedgerPage(t.store.db, org.id, { limit: 100, offset: 0 });
    expect(entries.filter((e) => e.kind === 'reserve').map((e) => [e.ref, e.amount])).toEqual([[submitted.id, 15]]);
    expect(job.status).toBe('completed');
    expect(job.credits_charged).toBe(3 + 0 + 5);
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 12, reserved: 0 });
    expect(await creditsRecount(t.store.db, org.id)).toEqual({ available: 12, reserved: 0 });
  });

  it('commits the kind’s own rows with the item result, and a fault there fails the job with the kind’s message', async () => {
    const seen: string[] = [];
    const recording = defineKind<{ breakOn?: string }>({
      name: 'recording',
      creditsPerItem: 1,
      faultMessage: 'Recording broke.',
      items: () => [{ key: 'a' }, { key: 'b' }],
      async process({ item }) {
        return item.key.toUpperCase();
      },
      async commitResult(trx, ctx) {
        if (ctx.key === ctx.input.breakOn) throw new Error('constraint violated');
        // A real write in the checkpoint transaction: visible only if the checkpoint commits.
        await trx
          .updateTable('organisations')
          .set({ name: `acme-${String(ctx.result)}` })
          .where('id', '=', ctx.orgId)
          .execute();
        seen.push(`${ctx.key}:${String(ctx.result)}`);
      },
    });
    t = await startTestEngine([recording]);
    const org = await t.org('acme', 10);

    const ok = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: recording, input: {} })).id);
    expect(ok.status).toBe('completed');
    expect(seen).toEqual(['a:A', 'b:B']);
    const renamed = await t.store.db.selectFrom('organisations').select('name').where('id', '=', org.id).executeTakeFirstOrThrow();
    expect(renamed.name).toBe('acme-B');

    const broken = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: recording, input: { breakOn: 'b' } })).id);
    expect([broken.status, broken.error_code, broken.error_message]).toEqual(['failed', 'INTERNAL_ERROR', 'Recording broke.']);
    // Item a committed before the fault and keeps its charge; b's checkpoint rolled back whole,
    // and b, unfinished when its job failed, ended canceled with it.
    const items = await itemsOf(t.store, broken.id);
    expect(items.map((i) => i.status)).toEqual(['succeeded', 'canceled']);
    expect(broken.credits_charged).toBe(1);
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 7, reserved: 0 });
  });

  it('does not count internal kinds (webhook deliveries) against the organisation’s concurrency', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const bookkeeping = defineKind({
      name: 'bookkeeping',
      internal: true,
      async process() {
        await held;
      },
    });
    const work = defineKind({
      name: 'work',
      async process() {
        return 'done';
      },
    });
    t = await startTestEngine([bookkeeping, work], { concurrency: 3, orgConcurrency: 1 });
    const org = await t.org('acme');
    const slow = await t.engine.submit({ orgId: org.id, kind: bookkeeping, input: {} });
    await waitForJob(t.engine, t.store, slow.id, (j) => j.status === 'running');
    // The organisation's one slot is free for its own work while the delivery hangs.
    const job = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: work, input: {} })).id);
    expect(job.status).toBe('completed');
    release();
    expect((await waitForJob(t.engine, t.store, slow.id)).status).toBe('completed');
  });
});
