/**
 * What every admin command shares: the same configuration as the server (flags, then the
 * environment), a migrated database, and one-line errors.
 */
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigOverrides } from '../config.ts';
import { openStore, type Store } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { orgFindByIdOrName, type Organisation } from '../store/orgs.ts';

/** An error the CLI prints as one line, then exits non-zero. */
export class CliError extends Error {
  override name = 'CliError';
}

export function configFrom(command: Command): Config {
  const opts = command.optsWithGlobals<{ dataDir?: string; databaseUrl?: string; port?: string; host?: string; workers?: boolean }>();
  const overrides: ConfigOverrides = {};
  if (opts.dataDir) overrides.dataDir = opts.dataDir;
  if (opts.databaseUrl) overrides.databaseUrl = opts.databaseUrl;
  if (opts.host) overrides.host = opts.host;
  if (opts.port !== undefined) overrides.port = Number(opts.port);
  if (opts.workers === false) overrides.workers = 0; // serve --no-workers
  return loadConfig(overrides);
}

/** Opens and migrates the database, runs `fn`, and closes it again. */
export async function withStore<T>(command: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const config = configFrom(command);
  const store = openStore(config.databaseUrl, 2);
  try {
    await migrateToLatest(store.db);
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function requireOrg(store: Store, idOrName: string): Promise<Organisation> {
  const org = await orgFindByIdOrName(store.db, idOrName);
  if (!org) throw new CliError(`no organisation with ID or name "${idOrName}"`);
  return org;
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Prints rows as aligned columns under a header. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  print(line(header));
  for (const row of rows) print(line(row));
}
