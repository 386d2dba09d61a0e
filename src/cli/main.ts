/**
 * The `longrun` command line. The admin commands act on the database the server uses:
 * `--data-dir` (env LONGRUN_DATA_DIR) for SQLite, or `--database-url` (env LONGRUN_DATABASE_URL).
 * The work commands (submit, watch, jobs, results) and `workers` talk to a running server instead: `--url`
 * (env LONGRUN_URL) and `--api-key` (env LONGRUN_API_KEY).
 * Exit code 0 on success; otherwise one line on stderr and exit code 1 — except `watch` (and
 * `submit --watch`), whose exit code 2 says the job failed or was canceled.
 * Output into a pipe whose reader stopped early (`longrun results … | head`) ends the command
 * quietly with exit code 0: the reader has what it wanted, and there is no one left to tell.
 */
import { Command, CommanderError } from 'commander';
import { LongrunError } from '../client/index.ts';
import { VERSION } from '../version.ts';
import { registerCredits } from './commands/credits.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerOrgs } from './commands/orgs.ts';
import { registerRerun } from './commands/rerun.ts';
import { registerResults } from './commands/results.ts';
import { registerServe } from './commands/serve.ts';
import { registerStorage } from './commands/storage.ts';
import { registerSubmit } from './commands/submit.ts';
import { registerThrottle } from './commands/throttle.ts';
import { registerWatch } from './commands/watch.ts';
import { registerWorker } from './commands/worker.ts';
import { registerWorkers } from './commands/workers.ts';
import { errorLine } from './remote.ts';

// Once, for every command: a closed pipe fails the next write to stdout with EPIPE, which would
// otherwise surface as an unhandled 'error' event and its stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

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
registerThrottle(program);
registerSubmit(program);
registerWatch(program);
registerJobs(program);
registerRerun(program);
registerResults(program);
registerWorkers(program);
registerStorage(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help, or the version) already.
    process.exit(error.exitCode);
  }
  const message = error instanceof LongrunError ? errorLine(error) : error instanceof Error ? error.message : String(error);
  process.stderr.write(`longrun: ${message.split('\n')[0]}\n`);
  process.exit(1);
}
