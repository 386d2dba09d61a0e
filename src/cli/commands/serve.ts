import type { Command } from 'commander';
import { configFrom } from '../context.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the API (migrates the database first; creates a default organisation on first start)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 8080; 0 picks a free one)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('--no-workers', 'serve the API only; `longrun worker` processes run the jobs (same as LONGRUN_WORKERS=0)')
    .action(async (_opts, command: Command) => {
      // Loaded here, not at the top: the admin commands start faster without the HTTP stack.
      const { closeOnSignals, startServer } = await import('../../app/start.ts');
      const config = configFrom(command);
      const server = await startServer(config);
      closeOnSignals(server, config.shutdownGraceMs);
    });
}
