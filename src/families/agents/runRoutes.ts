/**
 * An agent's runs and what they wrote: `GET /agents/{agentId}/runs` (`{runs, total}`, newest
 * first), `GET /agents/{agentId}/runs/{runId}` (exactly the seed `../shared/seeds/agent-run.md`;
 * `?wait=N` holds it until the run's status changes, Retry-After while unfinished),
 * `GET /agents/{agentId}/outputs` (the posts, newest first, by run or platform) and
 * `GET /agents/{agentId}/stats` (runs by status, posts and tokens over a period).
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Engine, jobGetForOrg, waitForJobChange } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { POLL_AFTER_SECONDS } from '../../http/routes/jobs.ts';
import { ContentOk, PageQuery, WaitQuery } from '../../http/schemas.ts';
import type { Db } from '../../store/database.ts';
import { agentOfOrg } from './routes.ts';
import { postsListForAgent } from './sql/posts.ts';
import { runFindForAgent, runsBetween, runsListForAgent, runStatusOf, type RunRow } from './sql/runs.ts';
import { AgentRunView, OutputsPage, OutputsQuery, RunsPage, Stats, StatsQuery } from './schemas.ts';
import { AGENT_MISSING_KEY_MESSAGE, postView, runView } from './view.ts';
import type { Clock } from '../family.ts';

const Params = Type.Object({ agentId: Type.String({ maxLength: 100 }) });
const RunParams = Type.Object({ agentId: Type.String({ maxLength: 100 }), runId: Type.String({ maxLength: 100 }) });
const DAY_MS = 86_400_000;

export async function agentRunRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine; clock: Clock }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, missingKeyMessage: AGENT_MISSING_KEY_MESSAGE };
  });
  const { db, engine } = opts;

  const agentOf = (orgId: string, agentId: string) => agentOfOrg(db, orgId, agentId);

  app.get(
    '/agents/:agentId/runs',
    {
      config: { scope: 'agents:read' },
      schema: { tags: ['agents'], summary: "An agent's runs, newest first", params: Params, querystring: PageQuery, response: { 200: ContentOk(RunsPage) } },
    },
    async (request) => {
      const agent = await agentOf(orgOf(request), request.params.agentId);
      const { rows, total } = await runsListForAgent(db, agent.id, request.query);
      return { success: true as const, data: { runs: rows.map(runView), total } };
    },
  );

  app.get(
    '/agents/:agentId/runs/:runId',
    {
      config: { scope: 'agents:read' },
      schema: { tags: ['agents'], summary: 'One run of an agent', params: RunParams, querystring: WaitQuery, response: { 200: ContentOk(AgentRunView) } },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const agent = await agentOf(orgId, request.params.agentId);
      const notFound = () => new AppError('not_found', `No run ${request.params.runId} of agent ${agent.id}.`);
      let run: RunRow | undefined = await runFindForAgent(db, agent.id, request.params.runId);
      if (!run) throw notFound();
      const job = run.final_status === null && run.job_id ? await jobGetForOrg(db, orgId, run.job_id) : undefined;
      if (job && request.query.wait) {
        const abort = new AbortController();
        request.raw.once('close', () => abort.abort());
        await waitForJobChange(db, engine.signals, job, request.query.wait, abort.signal);
        run = await runFindForAgent(db, agent.id, run.id);
        if (!run) throw notFound();
      }
      const view = runView(run);
      if (view.status === 'queued' || view.status === 'running') reply.header('retry-after', String(POLL_AFTER_SECONDS));
      return { success: true as const, data: view };
    },
  );

  app.get(
    '/agents/:agentId/outputs',
    {
      config: { scope: 'agents:read' },
      schema: {
        tags: ['agents'],
        summary: 'The posts written by an agent’s runs, newest first',
        params: Params,
        querystring: OutputsQuery,
        response: { 200: ContentOk(OutputsPage) },
      },
    },
    async (request) => {
      const agent = await agentOf(orgOf(request), request.params.agentId);
      const { runId, platform, limit, offset } = request.query;
      const { rows, total } = await postsListForAgent(db, agent.id, { runId, platform }, { limit, offset });
      return { success: true as const, data: { outputs: rows.map(postView), total } };
    },
  );

  app.get(
    '/agents/:agentId/stats',
    {
      config: { scope: 'agents:read' },
      schema: {
        tags: ['agents'],
        summary: "An agent's runs by status, posts and tokens over a period",
        description: 'Runs triggered in [from, to). By default the last 30 days.',
        params: Params,
        querystring: StatsQuery,
        response: { 200: ContentOk(Stats) },
      },
    },
    async (request) => {
      const agent = await agentOf(orgOf(request), request.params.agentId);
      const to = request.query.to ? new Date(request.query.to) : opts.clock();
      const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - 30 * DAY_MS);
      if (!(from < to)) throw new AppError('validation_error', 'querystring.from: must be before `to`.');
      const rows = await runsBetween(db, agent.id, from.toISOString(), to.toISOString());
      const runs = { total: rows.length, queued: 0, running: 0, completed: 0, failed: 0 };
      for (const row of rows) runs[runStatusOf(row).status] += 1;
      return {
        success: true as const,
        data: {
          from: from.toISOString(),
          to: to.toISOString(),
          runs,
          postsGenerated: rows.reduce((n, r) => n + r.posts, 0),
          tokensUsed: rows.reduce((n, r) => n + r.tokens, 0),
        },
      };
    },
  );
}
