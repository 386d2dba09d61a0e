/**
 * `longrun storage check`: the storage LONGRUN_STORAGE_URL names, checked as this machine sees
 * it — listed, a probe object written, read back and deleted. Exit 1 with the reason otherwise,
 * so it can gate a deployment before `serve` or `worker` start.
 */
import type { Command } from 'commander';
import { openStorage } from '../../storage/open.ts';
import { CliError, configFrom, print } from '../context.ts';

export function registerStorage(program: Command): void {
  const storage = program.command('storage').description('the storage of clip files and documents (LONGRUN_STORAGE_URL)');
  storage
    .command('check')
    .description('list the storage, write, read and delete a probe object; exit 1 if any step fails')
    .action(async (_opts, command: Command) => {
      const config = configFrom(command);
      const checked = await openStorage(config.storage, config.dataDir).check({ write: true });
      if (!checked.ok) throw new CliError(`storage ${checked.target}: ${checked.error}`);
      print(`${checked.target}: listed, wrote, read and deleted a probe object`);
    });
}
