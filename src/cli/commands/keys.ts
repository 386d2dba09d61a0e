import type { Command } from 'commander';
import { apiKeyCreate } from '../../auth/apiKeys.ts';
import { isScope, type Scope } from '../../scopes.ts';
import { nowIso } from '../../ids.ts';
import { apiKeyFindById, apiKeyList, apiKeyRevokeIfActive } from '../../store/apiKeys.ts';
import { CliError, print, printTable, requireOrg, withStore } from '../context.ts';

function parseScopes(raw: string | undefined): Scope[] {
  if (raw === undefined) return [];
  const scopes = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new CliError(`unknown scope ${unknown.join(', ')}; see "longrun keys create --help"`);
  return scopes as Scope[];
}

function parseRateLimit(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new CliError(`--rate-limit must be a positive integer, got "${raw}"`);
  return value;
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys');

  keys
    .command('create')
    .description('create an API key; the key is printed once, as the last line')
    .requiredOption('--org <org>', 'organisation ID or name')
    .option(
      '--scopes <scopes>',
      'comma-separated scopes (default: all product scopes): sourcing, enrich, clips, agents, kb, webhooks, each :read or :write; metrics:read for /metrics, workers:read for /workers, keys:write for /keys',
    )
    .option('--name <name>', 'a label for the key', 'default')
    .option('--rate-limit <n>', 'requests per rate-limit window for this key (default: the server setting)')
    .action(async (opts: { org: string; scopes?: string; name: string; rateLimit?: string }, command: Command) => {
      const scopes = parseScopes(opts.scopes);
      const rateLimit = parseRateLimit(opts.rateLimit);
      await withStore(command, async (store) => {
        const org = await requireOrg(store, opts.org);
        const { row, key } = await apiKeyCreate(store.db, { orgId: org.id, name: opts.name, scopes, rateLimit });
        print(`created ${row.id} for ${org.name} (${org.id}), scopes: ${scopes.length ? scopes.join(',') : 'all'}`);
        print('the key is shown only now:');
        print(key);
      });
    });

  keys
    .command('list')
    .description('list API keys (never the keys themselves)')
    .option('--org <org>', 'only this organisation (ID or name)')
    .action(async (opts: { org?: string }, command: Command) => {
      await withStore(command, async (store) => {
        const org = opts.org ? await requireOrg(store, opts.org) : undefined;
        const rows = await apiKeyList(store.db, org?.id);
        printTable(
          ['ID', 'ORG', 'NAME', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED'],
          rows.map((k) => {
            const scopes = JSON.parse(k.scopes) as string[];
            return [k.id, k.org_id, k.name, scopes.length ? scopes.join(',') : 'all', k.created_at, k.last_used_at ?? '-', k.revoked_at ?? '-'];
          }),
        );
      });
    });

  keys
    .command('revoke <id>')
    .description('revoke an API key; it stops working at once')
    .action(async (id: string, _opts, command: Command) => {
      await withStore(command, async (store) => {
        const key = await apiKeyFindById(store.db, id);
        if (!key) throw new CliError(`no API key with ID "${id}"`);
        if (!(await apiKeyRevokeIfActive(store.db, id, nowIso()))) throw new CliError(`API key ${id} is already revoked`);
        print(`revoked ${id}`);
      });
    });
}
