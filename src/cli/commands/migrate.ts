import type { Command } from 'commander';
import { configFrom, print } from '../context.ts';
import { openStore } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async (_opts, command: Command) => {
      const store = openStore(configFrom(command).databaseUrl, 2);
      try {
        const applied = await migrateToLatest(store.db);
        print(applied.length === 0 ? 'database is up to date' : `applied ${applied.join(', ')}`);
      } finally {
        await store.close();
      }
    });
}
