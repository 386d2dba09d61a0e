/**
 * What longrun's guarantees cost per item: jobs of --items items (default 10) whose kind charges
 * 1 credit per item (reserved at submission, charged per item, the rest released at the end),
 * events on as always, against the same number of items as plain no-op jobs (one item each, no
 * credits). A third load — the same multi-item jobs without credits — separates the cost of the
 * credits from that of the items. The engine is used directly (as the tests do), one load after
 * the other, each on a fresh database: insert every job (engine.submitManyIn, --insert-batch a
 * call), start the workers, time until the database says all jobs are done: items/s.
 *
 *   npm run bench -- batches [--jobs=10000] [--items=10] [--concurrency=8] [--db=sqlite|postgres]
 *
 * The default is issue 10's load: 10,000 jobs × 10 items, against 100,000 no-op jobs.
 */
import { sql } from 'kysely';
import { creditsBalance, creditsGrant } from '../src/store/ledger.ts';
import { defineKind } from '../src/engine/kind.ts';
import { benchEngine } from './lib/longrun.ts';
import { listFlag, numberFlag, printComparison, round, sleep, stringFlag, writeReport, type Comparison } from './lib/report.ts';

const params = {
  jobs: numberFlag('jobs', 10_000),
  items: numberFlag('items', 10),
  concurrency: numberFlag('concurrency', 8),
  prefetch: numberFlag('prefetch', 504),
  insertBatch: numberFlag('insert-batch', 500),
  db: listFlag('db', ['sqlite', 'postgres'] as const, ['sqlite'])[0]!,
  sqlStats: stringFlag('sql-stats', '0') === '1',
  report: stringFlag('report', '1') === '1',
};

type Load = 'credits' | 'items' | 'noop';
const LOADS: Record<Load, { label: string; jobs: number; items: number; credits: boolean }> = {
  credits: { label: `${params.items} items/job, credits + events`, jobs: params.jobs, items: params.items, credits: true },
  items: { label: `${params.items} items/job, events, no credits`, jobs: params.jobs, items: params.items, credits: false },
  noop: { label: 'no-op jobs (1 item, no credits)', jobs: params.jobs * params.items, items: 1, credits: false },
};

interface Figures {
  jobs: number;
  items: number;
  insertSeconds: number;
  processSeconds: number;
  itemsPerSecond: number;
  creditsCharged: number;
}

async function runLoad(load: Load): Promise<Figures> {
  const spec = LOADS[load];
  const bench = await benchEngine({
    backend: params.db,
    concurrency: params.concurrency,
    prefetch: params.prefetch,
    sqlStats: params.sqlStats,
    label: 'batches',
  });
  const { store, engine, org } = bench;
  try {
    let processed = 0;
    const keys = Array.from({ length: spec.items }, (_, i) => `item-${i}`);
    const kind = defineKind<Record<string, never>>({
      name: 'bench',
      maxAttempts: 1,
      creditsPerItem: spec.credits ? 1 : 0,
      ...(spec.items > 1 ? { items: () => keys.map((key) => ({ key })) } : {}),
      async process() {
        processed += 1;
        return null;
      },
    });
    engine.register(kind);
    const totalItems = spec.jobs * spec.items;
    if (spec.credits) await creditsGrant(store.db, org.id, totalItems);

    const t0 = performance.now();
    for (let done = 0; done < spec.jobs; done += params.insertBatch) {
      const count = Math.min(params.insertBatch, spec.jobs - done);
      await engine.submitManyIn(
        store.db,
        Array.from({ length: count }, () => ({ orgId: org.id, kind, input: {} })),
      );
    }
    const inserted = performance.now();
    // Untimed, as the engine bench's settle: a planner that has never seen the jobs table guesses
    // from an empty one, and autovacuum would analyze it within a minute anyway.
    if (params.db === 'postgres') await sql`analyze`.execute(store.db);
    const t1 = performance.now();
    engine.start();
    while ((await bench.unfinished()) > 0) await sleep(20);
    const t2 = performance.now();
    if (processed !== totalItems) throw new Error(`${load}: processed ${processed} items of ${totalItems}`);
    const balance = await creditsBalance(store.db, org.id);
    if (balance.reserved !== 0) throw new Error(`${load}: ${balance.reserved} credits still reserved`);
    return {
      jobs: spec.jobs,
      items: totalItems,
      insertSeconds: round((inserted - t0) / 1000, 2),
      processSeconds: round((t2 - t1) / 1000, 2),
      itemsPerSecond: Math.round(totalItems / ((t2 - t1) / 1000)),
      creditsCharged: spec.credits ? totalItems - balance.available : 0,
    };
  } finally {
    await bench.close();
  }
}

async function main() {
  console.log(`batches bench: ${JSON.stringify(params)}`);
  const results = {} as Record<Load, Figures>;
  for (const load of ['credits', 'items', 'noop'] as const) {
    results[load] = await runLoad(load);
    console.log(`${LOADS[load].label}: ${JSON.stringify(results[load])}`);
  }
  const db = params.db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const comparison: Comparison = {
    id: 'items',
    title: `${(params.jobs * params.items).toLocaleString('en-US')} items through the engine (${db}), concurrency ${params.concurrency}`,
    unit: 'items/s (higher is better)',
    series: ['items/s'],
    rows: (['credits', 'items', 'noop'] as const).map((l) => ({ label: LOADS[l].label, values: [results[l].itemsPerSecond] })),
    ratios: [
      { label: 'with credits + events / no-op jobs, items/s', value: round(results.credits.itemsPerSecond / results.noop.itemsPerSecond, 3), target: '>= 0.5' },
      { label: 'with credits / without credits (same items), items/s', value: round(results.credits.itemsPerSecond / results.items.itemsPerSecond, 3) },
    ],
  };
  printComparison(comparison);
  if (params.report) writeReport({ name: 'batches', params, results, comparisons: [comparison] });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
