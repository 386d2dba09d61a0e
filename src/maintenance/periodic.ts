/**
 * Runs a maintenance task every so often. Guarantees: runs never overlap, a failure is logged
 * and retried at the next tick, and the timer never keeps the process alive on its own.
 */
import type { FastifyBaseLogger } from 'fastify';

export function startPeriodic(name: string, everyMs: number, task: () => Promise<unknown>, log: FastifyBaseLogger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .then((result) => log.debug({ task: name, result }, 'maintenance task done'))
      .catch((err: unknown) => log.error({ err, task: name }, 'maintenance task failed'))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
