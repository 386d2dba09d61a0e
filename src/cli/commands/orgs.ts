import type { Command } from 'commander';
import { isUniqueViolation } from '../../store/dialect.ts';
import { orgCreate, orgList } from '../../store/orgs.ts';
import { CliError, print, printTable, withStore } from '../context.ts';

const ORG_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

export function registerOrgs(program: Command): void {
  const orgs = program.command('orgs').description('manage organisations');

  orgs
    .command('create <name>')
    .description('create an organisation (letters, digits, space, . _ -; up to 100 characters)')
    .action(async (name: string, _opts, command: Command) => {
      if (!ORG_NAME.test(name) || name.startsWith('org_')) {
        throw new CliError(`invalid organisation name "${name}": use letters, digits, space, . _ - (up to 100), not starting with "org_"`);
      }
      await withStore(command, async (store) => {
        try {
          const org = await orgCreate(store.db, name);
          print(`${org.id}\t${org.name}`);
        } catch (error) {
          if (isUniqueViolation(error)) throw new CliError(`an organisation named "${name}" already exists`);
          throw error;
        }
      });
    });

  orgs
    .command('list')
    .description('list organisations')
    .action(async (_opts, command: Command) => {
      await withStore(command, async (store) => {
        const rows = await orgList(store.db);
        printTable(
          ['ID', 'NAME', 'CREATED'],
          rows.map((o) => [o.id, o.name, o.created_at]),
        );
      });
    });
}
