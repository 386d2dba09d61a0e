/**
 * `longrun throttle`: an organisation's own limit on how many items of a kind start per
 * interval (src/engine/throttle.ts), written to the server's database. It wins over the kind's
 * default and `LONGRUN_THROTTLES`; every process applies a change within a second or so.
 */
import type { Command } from 'commander';
import { durationMs } from '../../config.ts';
import { nowIso } from '../../ids.ts';
import { throttleLimitClear, throttleLimitSet, throttleLimitsList } from '../../store/throttleLimits.ts';
import { CliError, print, printTable, requireOrg, withStore } from '../context.ts';

function parseItems(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1_000_000) throw new CliError(`--items must be a whole number from 1 to 1000000, got "${raw}"`);
  return value;
}

function parsePer(raw: string): number {
  const ms = durationMs(raw);
  if (ms === null || ms < 1 || ms > 7 * 86_400_000) throw new CliError(`--per must be a duration like 500ms, 1s, 1m or 1h (at most 7 days), got "${raw}"`);
  return ms;
}

/** 60000 → "1m", 1500 → "1500ms": the shortest whole unit. */
function durationText(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function registerThrottle(program: Command): void {
  const throttle = program.command('throttle').description("limit how many items of a kind an organisation's jobs start per interval");

  throttle
    .command('set')
    .description("set an organisation's limit on a kind (wins over the kind's default)")
    .requiredOption('--org <org>', 'organisation ID or name')
    .requiredOption('--kind <kind>', 'the job kind, e.g. ideas.enrich')
    .requiredOption('--items <n>', 'items started at most…')
    .requiredOption('--per <duration>', '…per this long: 500ms, 1s, 1m, 1h')
    .action(async (opts: { org: string; kind: string; items: string; per: string }, command: Command) => {
      const items = parseItems(opts.items);
      const intervalMs = parsePer(opts.per);
      await withStore(command, async (store) => {
        const org = await requireOrg(store, opts.org);
        await throttleLimitSet(store.db, { org_id: org.id, kind: opts.kind, items, interval_ms: intervalMs, updated_at: nowIso() });
        print(`${org.name} (${org.id}): ${opts.kind} at most ${items} per ${durationText(intervalMs)}`);
      });
    });

  throttle
    .command('list')
    .description("list organisations' own limits (kinds' defaults are in the server's settings)")
    .option('--org <org>', 'only this organisation (ID or name)')
    .action(async (opts: { org?: string }, command: Command) => {
      await withStore(command, async (store) => {
        const org = opts.org ? await requireOrg(store, opts.org) : undefined;
        const rows = await throttleLimitsList(store.db, org?.id);
        printTable(
          ['ORG', 'KIND', 'ITEMS', 'PER', 'SET'],
          rows.map((r) => [r.org_id, r.kind, String(r.items), durationText(r.interval_ms), r.updated_at]),
        );
      });
    });

  throttle
    .command('clear')
    .description("remove an organisation's limit on a kind (or on every kind): the kind's default applies again")
    .requiredOption('--org <org>', 'organisation ID or name')
    .option('--kind <kind>', 'only this kind')
    .action(async (opts: { org: string; kind?: string }, command: Command) => {
      await withStore(command, async (store) => {
        const org = await requireOrg(store, opts.org);
        const removed = await throttleLimitClear(store.db, org.id, opts.kind);
        if (removed === 0) throw new CliError(`${org.name} has no limit${opts.kind ? ` on ${opts.kind}` : ''}`);
        print(`removed ${removed} limit${removed === 1 ? '' : 's'} of ${org.name} (${org.id})`);
      });
    });
}
