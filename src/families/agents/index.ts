/**
 * Agents: standing writers that post about a knowledge base (or their instructions) on a cron
 * schedule or on demand, in a tone, for a set of platforms; each run's posts are kept.
 */
import type { JobKind } from '../../engine/index.ts';
import type { Family, FamilyDeps } from '../family.ts';
import { agentPreviewRoutes } from './previewRoutes.ts';
import { agentRoutes } from './routes.ts';
import { agentRunFinished } from './runFinished.ts';
import { agentQueue, agentRunKind, type AgentRunInput } from './runKind.ts';
import { agentRunRoutes } from './runRoutes.ts';
import { AgentScheduler } from './scheduler.ts';

function schedulerFor({ store, engine, knowledge, log, clock }: FamilyDeps, kind: JobKind<AgentRunInput>): AgentScheduler {
  return new AgentScheduler({ db: store.db, engine, kind, knowledge, log: log.child({ component: 'scheduler' }), clock });
}

/** Another scheduler over the registered `agent.run` kind, for tests that tick one by hand. */
export function agentScheduler(deps: FamilyDeps): AgentScheduler {
  const kind = deps.engine.kind<AgentRunInput>('agent.run');
  if (!kind) throw new Error('agent.run is not registered: compose the families first');
  return schedulerFor(deps, kind);
}

export function agentsFamily(deps: FamilyDeps): Family {
  const { store, engine, text, knowledge, clock } = deps;
  const { db } = store;
  const kind = agentRunKind(db, text);
  return {
    name: 'agents',
    kinds: [kind],
    onJobFinished: [agentRunFinished],
    // Every process schedules: the database lets one of them fire each tick.
    background: [schedulerFor(deps, kind)],
    async routes(app) {
      await app.register(agentRoutes, {
        db,
        engine,
        kind,
        clock,
        knowledge,
        async onDelete(agent) {
          // Unfinished jobs are those with an `available_at` (finished ones have none): said so that
          // the `jobs_available_at` index serves this, not a scan of every job ever run.
          const open = await db
            .selectFrom('jobs')
            .select('id')
            .where('available_at', 'is not', null)
            .where('queue', '=', agentQueue(agent.id))
            .where('status', 'in', ['queued', 'running'])
            .execute();
          for (const { id } of open) await engine.cancel(agent.org_id, id);
        },
      });
      await app.register(agentRunRoutes, { db, engine, clock });
      await app.register(agentPreviewRoutes, { clock });
    },
  };
}
