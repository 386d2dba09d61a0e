import type { Command } from 'commander';
import { configFrom } from '../context.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run jobs only: no API, just /healthz, /readyz and /metrics on a side port (run as many as you like)')
    .option('-p, --port <port>', 'side port for health and metrics (env LONGRUN_WORKER_PORT, default 8081; 0 picks a free one)')
    .option('--host <host>', 'address to bind the side port (env HOST, default 127.0.0.1)')
    .action(async (opts: { port?: string }, command: Command) => {
      const { closeOnSignals } = await import('../../app/start.ts');
      const { startWorker } = await import('../../app/startWorker.ts');
      const config = configFrom(command);
      const worker = await startWorker({ ...config, workerPort: opts.port === undefined ? config.workerPort : Number(opts.port) });
      closeOnSignals(worker, config.shutdownGraceMs);
    });
}
