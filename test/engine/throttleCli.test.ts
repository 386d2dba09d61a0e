/**
 * `longrun throttle set/list/clear` on the server's database (SQLite or PostgreSQL, as the suite
 * runs), and an engine on that database honouring what it set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineKind } from '../../src/engine/kind.ts';
import { throttleLimitsList } from '../../src/store/throttleLimits.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('longrun throttle', () => {
  it('sets, lists and clears an organisation’s limit; a running engine honours it', async () => {
    const kind = defineKind<{ items: number }>({
      name: 'texts',
      items: (input) => Array.from({ length: input.items }, (_, i) => ({ key: `k${i + 1}` })),
      async process() {
        return null;
      },
    });
    t = await startTestEngine([kind], { concurrency: 2, idleMaxMs: 30_000 });
    const org = await t.org('acme');
    const cli = (...args: string[]) => runCli([...args, '--database-url', t!.databaseUrl]);

    const set = await cli('throttle', 'set', '--org', 'acme', '--kind', 'texts', '--items', '2', '--per', '1s');
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe(`acme (${org.id}): texts at most 2 per 1s\n`);
    expect(await throttleLimitsList(t.store.db, org.id)).toMatchObject([{ org_id: org.id, kind: 'texts', items: 2, interval_ms: 1000 }]);

    const listed = await cli('throttle', 'list');
    expect(listed.stdout.split('\n')[0]).toMatch(/^ORG\s+KIND\s+ITEMS\s+PER\s+SET$/);
    expect(listed.stdout).toMatch(new RegExp(`${org.id}\\s+texts\\s+2\\s+1s\\s`));

    // Setting again replaces the limit.
    expect((await cli('throttle', 'set', '--org', org.id, '--kind', 'texts', '--items', '3', '--per', '1500ms')).code).toBe(0);
    expect((await cli('throttle', 'list', '--org', 'acme')).stdout).toMatch(/texts\s+3\s+1500ms/);

    // Three per 1.5 s: one every 500 ms, applied by the engine already running (within a second).
    const job = await t.engine.submit({ orgId: org.id, kind, input: { items: 3 } });
    expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
    const items = await t.store.db.selectFrom('job_items').select('started_at').where('job_id', '=', job.id).orderBy('seq').execute();
    const starts = items.map((i) => Date.parse(i.started_at!));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(480);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(480);

    const cleared = await cli('throttle', 'clear', '--org', 'acme', '--kind', 'texts');
    expect(cleared.stdout).toBe(`removed 1 limit of acme (${org.id})\n`);
    expect((await cli('throttle', 'list', '--org', 'acme')).stdout.trim().split('\n')).toHaveLength(1);
    const again = await cli('throttle', 'clear', '--org', 'acme');
    expect([again.code, again.stderr]).toEqual([1, 'longrun: acme has no limit\n']);
  });

  it('refuses a bad limit with one line naming the flag', async () => {
    t = await startTestEngine([], {}, false);
    await t.org('acme');
    const cli = (...args: string[]) => runCli([...args, '--database-url', t!.databaseUrl]);
    const items = await cli('throttle', 'set', '--org', 'acme', '--kind', 'texts', '--items', '0', '--per', '1m');
    expect([items.code, items.stderr]).toEqual([1, 'longrun: --items must be a whole number from 1 to 1000000, got "0"\n']);
    const per = await cli('throttle', 'set', '--org', 'acme', '--kind', 'texts', '--items', '5', '--per', 'a minute');
    expect([per.code, per.stderr]).toEqual([1, 'longrun: --per must be a duration like 500ms, 1s, 1m or 1h (at most 7 days), got "a minute"\n']);
    const org = await cli('throttle', 'set', '--org', 'nobody', '--kind', 'texts', '--items', '5', '--per', '1m');
    expect([org.code, org.stderr]).toEqual([1, 'longrun: no organisation with ID or name "nobody"\n']);
  });
});
