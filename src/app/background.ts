/**
 * What runs beside the request handlers and worker slots, in every process that runs jobs
 * (`serve` and `worker` alike): each family's loops (the agent scheduler) and the maintenance
 * runner with every task, generic and the families'. Which process does a given round is left
 * to the database (the scheduler's compare-and-set, the maintenance leases).
 */
import { MaintenanceRunner } from '../maintenance/runner.ts';
import type { Composition } from './families.ts';

export interface RunningBackground {
  maintenance: MaintenanceRunner;
  stop(): Promise<void>;
}

export function startBackground({ deps, families, maintenance: tasks }: Composition): RunningBackground {
  const loops = families.flatMap((f) => f.background ?? []);
  const maintenance = new MaintenanceRunner({ db: deps.store.db, tasks, log: deps.log.child({ component: 'maintenance' }), clock: deps.clock });
  for (const loop of loops) loop.start();
  maintenance.start();
  return {
    maintenance,
    async stop() {
      await maintenance.stop();
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
