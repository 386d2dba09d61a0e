/**
 * The `longrun` command line. Every command acts on the database the server uses: `--data-dir`
 * (env LONGRUN_DATA_DIR) for SQLite, or `--database-url` (env LONGRUN_DATABASE_URL).
 * Exit code 0 on success; otherwise one line on stderr and exit code 1.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.ts';
import { registerCredits } from './commands/credits.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerOrgs } from './commands/orgs.ts';
import { registerServe } from './commands/serve.ts';
import { registerWorker } from './commands/worker.ts';

const program = new Command('longrun')
  .description('longrun: slow work over HTTP, done right')
  .version(VERSION)
  .option('--data-dir <dir>', 'where the embedded SQLite database lives (env LONGRUN_DATA_DIR, default ./data)')
  .option('--database-url <url>', 'sqlite:<file> or postgres://… (env LONGRUN_DATABASE_URL); wins over --data-dir')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerServe(program);
registerWorker(program);
registerMigrate(program);
registerOrgs(program);
registerKeys(program);
registerCredits(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help, or the version) already.
    process.exit(error.exitCode);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`longrun: ${message.split('\n')[0]}\n`);
  process.exit(1);
}
