import type { Command } from 'commander';
import { creditsBalance, creditsGrant } from '../../store/ledger.ts';
import { CliError, print, requireOrg, withStore } from '../context.ts';

export function registerCredits(program: Command): void {
  const credits = program.command('credits').description("manage organisations' credits");

  credits
    .command('grant <amount>')
    .description('add credits to an organisation')
    .requiredOption('--org <org>', 'organisation ID or name')
    .option('--note <note>', 'why, recorded in the ledger')
    .action(async (amountText: string, opts: { org: string; note?: string }, command: Command) => {
      const amount = Number(amountText);
      if (!Number.isInteger(amount) || amount <= 0) throw new CliError(`amount must be a positive integer, got "${amountText}"`);
      await withStore(command, async (store) => {
        const org = await requireOrg(store, opts.org);
        const balance = await creditsGrant(store.db, org.id, amount, opts.note);
        print(`granted ${amount} to ${org.name}: available ${balance.available}, reserved ${balance.reserved}`);
      });
    });

  credits
    .command('show')
    .description("show an organisation's balance")
    .requiredOption('--org <org>', 'organisation ID or name')
    .action(async (opts: { org: string }, command: Command) => {
      await withStore(command, async (store) => {
        const org = await requireOrg(store, opts.org);
        const balance = await creditsBalance(store.db, org.id);
        print(`${org.name} (${org.id}): available ${balance.available}, reserved ${balance.reserved}`);
      });
    });
}
