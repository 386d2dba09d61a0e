/**
 * Agents: `POST/GET /agents`, `GET/PATCH/DELETE /agents/{agentId}`, and `POST /agents/{agentId}/run`
 * (→ 202 `{runId, status: "queued"}`). Content-family envelope; a bad cron expression or timezone
 * is a 422 that names the field. `nextRunAt` is kept by the server: recomputed whenever the
 * schedule, timezone or `enabled` changes, null for a manual or disabled agent.
 */
import { Type, type Static, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Engine, JobKind } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { ContentOk, PageQuery } from '../../http/schemas.ts';
import { acceptedHeaders, answerSubmission, PREFER_WAIT_DOC } from '../../http/submissionAnswer.ts';
import type { Db } from '../../store/database.ts';
import type { KnowledgeReader } from '../ports.ts';
import type { AgentsTable } from '../../store/schema.ts';
import type { AgentRunInput } from './runKind.ts';
import { checkSchedule, checkTimezone, nextRunAt, ScheduleError } from './schedule.ts';
import type { Clock } from '../family.ts';
import { agentDelete, agentFindForOrg, agentInsert, agentsListForOrg, agentUpdate, type AgentRow } from './sql/agents.ts';
import { agentRunStart } from './trigger.ts';
import { AgentDeleted, AgentRunView, AgentsPage, AgentView, CreateBody, PatchBody, RunAccepted } from './schemas.ts';
import { runFindForAgent } from './sql/runs.ts';
import { AGENT_MISSING_KEY_MESSAGE, agentView, runView } from './view.ts';

type AgentSettings = Required<Static<typeof PatchBody>>;

const Params = Type.Object({ agentId: Type.String({ maxLength: 100 }) });

/** The organisation's agent, or the route's 404. */
export async function agentOfOrg(db: Db, orgId: string, agentId: string): Promise<AgentRow> {
  const agent = await agentFindForOrg(db, orgId, agentId);
  if (!agent) throw new AppError('not_found', `No agent ${agentId}.`);
  return agent;
}

export interface AgentRouteOptions {
  db: Db;
  engine: Engine;
  kind: JobKind<AgentRunInput>;
  clock: Clock;
  knowledge: KnowledgeReader;
  /** Cancels the agent's unfinished runs before it is deleted. */
  onDelete(agent: AgentRow): Promise<void>;
}

export async function agentRoutes(instance: FastifyInstance, opts: AgentRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, missingKeyMessage: AGENT_MISSING_KEY_MESSAGE };
  });
  const { db, engine, kind, clock } = opts;

  const agentOf = (orgId: string, agentId: string) => agentOfOrg(db, orgId, agentId);

  /** The whole agent as it will be stored checks out: its knowledge base, schedule and topics. */
  async function check(orgId: string, settings: AgentSettings): Promise<void> {
    // `!== null`, not truthiness: an empty kbId must be refused here, not stored for the foreign key to answer 500.
    if (settings.kbId !== null) {
      if (!(await opts.knowledge.kbExists(db, orgId, settings.kbId))) throw new AppError('validation_error', `body.kbId: no knowledge base ${settings.kbId}.`);
    }
    try {
      // A schedule is read in the timezone, so checking it checks the timezone first.
      if (settings.schedule !== null) checkSchedule(settings.schedule, settings.timezone);
      else checkTimezone(settings.timezone);
    } catch (error) {
      if (error instanceof ScheduleError) throw new AppError('validation_error', `body.${error.field}: ${error.message}`);
      throw error;
    }
    if (!settings.kbId && settings.instructions.trim() === '') {
      throw new AppError('validation_error', 'body.instructions: an agent without a knowledge base needs instructions to write about.');
    }
  }

  const columns = (s: AgentSettings) => ({
    name: s.name,
    kb_id: s.kbId,
    platforms: JSON.stringify(s.platforms),
    posts_per_run: s.postsPerRun,
    schedule: s.schedule === null ? null : s.schedule.trim().split(/\s+/).join(' '),
    timezone: s.timezone,
    instructions: s.instructions,
    tone: s.tone,
    enabled: s.enabled ? 1 : 0,
    next_run_at: nextRunAt(s, clock()),
  });

  const settingsOf = (row: AgentRow): AgentSettings => {
    const view = agentView(row);
    return { ...view, kbId: row.kb_id };
  };

  app.post(
    '/agents',
    {
      config: { scope: 'agents:write', idempotent: true },
      schema: {
        tags: ['agents'],
        summary: 'Create an agent',
        description:
          'An agent writes `postsPerRun` posts per run across its platforms, from its knowledge base (passages it has not used recently) or its instructions, in its tone. With a `schedule`, it runs at those cron times in `timezone`.',
        body: CreateBody,
        response: { 201: ContentOk(AgentView) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const body = request.body;
      const settings: AgentSettings = {
        name: body.name,
        kbId: body.kbId ?? null,
        platforms: body.platforms,
        postsPerRun: body.postsPerRun ?? 1,
        schedule: body.schedule ?? null,
        timezone: body.timezone ?? 'UTC',
        instructions: body.instructions ?? '',
        tone: body.tone ?? 'professional',
        enabled: body.enabled ?? true,
      };
      await check(orgId, settings);
      const now = clock().toISOString();
      const row: AgentsTable = { id: newId('agent'), org_id: orgId, ...columns(settings), last_run_at: null, created_at: now, updated_at: now };
      await agentInsert(db, row);
      return reply.code(201).send({ success: true as const, data: agentView(row) });
    },
  );

  app.get(
    '/agents',
    {
      config: { scope: 'agents:read' },
      schema: { tags: ['agents'], summary: "The organisation's agents, newest first", querystring: PageQuery, response: { 200: ContentOk(AgentsPage) } },
    },
    async (request) => {
      const { rows, total } = await agentsListForOrg(db, orgOf(request), request.query);
      return { success: true as const, data: { agents: rows.map(agentView), total } };
    },
  );

  app.get(
    '/agents/:agentId',
    { config: { scope: 'agents:read' }, schema: { tags: ['agents'], summary: 'One agent', params: Params, response: { 200: ContentOk(AgentView) } } },
    async (request) => ({ success: true as const, data: agentView(await agentOf(orgOf(request), request.params.agentId)) }),
  );

  app.patch(
    '/agents/:agentId',
    {
      config: { scope: 'agents:write' },
      schema: {
        tags: ['agents'],
        summary: 'Change an agent',
        description:
          'Only the fields given change. `kbId: null` detaches the knowledge base; `schedule: null` makes the agent manual; `enabled: false` stops scheduled runs (runs already queued still run).',
        params: Params,
        body: PatchBody,
        response: { 200: ContentOk(AgentView) },
      },
    },
    async (request) => {
      const orgId = orgOf(request);
      const agent = await agentOf(orgId, request.params.agentId);
      const settings: AgentSettings = { ...settingsOf(agent), ...request.body };
      await check(orgId, settings);
      const { next_run_at: next, ...changes } = columns(settings);
      const timing = ['schedule', 'timezone', 'enabled'].some((f) => f in request.body);
      const row = await agentUpdate(db, agent.id, { ...changes, ...(timing ? { next_run_at: next } : {}), updated_at: clock().toISOString() });
      return { success: true as const, data: agentView(row) };
    },
  );

  app.delete(
    '/agents/:agentId',
    {
      config: { scope: 'agents:write' },
      schema: {
        tags: ['agents'],
        summary: 'Delete an agent with its runs and posts',
        description: 'Unfinished runs are canceled first; credits already charged stay charged.',
        params: Params,
        response: { 200: ContentOk(AgentDeleted) },
      },
    },
    async (request) => {
      const agent = await agentOf(orgOf(request), request.params.agentId);
      await opts.onDelete(agent);
      await agentDelete(db, agent.id);
      return { success: true as const, data: { id: agent.id, deleted: true as const } };
    },
  );

  app.post(
    '/agents/:agentId/run',
    {
      config: { scope: 'agents:write', idempotent: true },
      schema: {
        tags: ['agents'],
        summary: 'Run an agent now',
        description: `Queues a run (also for a disabled agent: \`enabled\` governs the schedule only). An agent runs one run at a time: a run started while another is queued or running waits for it. 1 credit per post, charged as each post is stored; \`postsPerRun\` credits must be available (402 otherwise). ${PREFER_WAIT_DOC}`,
        params: Params,
        response: { 200: ContentOk(AgentRunView), 202: ContentOk(RunAccepted) },
      },
    },
    async (request, reply) => {
      const agent = await agentOf(orgOf(request), request.params.agentId);
      const respond = (id: string) => ({ success: true as const, data: { runId: id, status: 'queued' as const } });
      const statusPath = (id: string) => `/agents/${agent.id}/runs/${id}`;
      const idempotency = request.idempotency
        ? {
            key: request.idempotency.key,
            respond: (j: { id: string }) => ({ status: 202, body: respond(j.id), headers: acceptedHeaders(request, statusPath(j.id)) }),
          }
        : null;
      const job = await db
        .transaction()
        .execute((trx) => agentRunStart(trx, { engine, kind, knowledge: opts.knowledge }, agent, { type: 'manual', idempotency }, clock().toISOString()));
      // The run's ID is its job's; its row is final once the job has finished (runFinished.ts).
      const finished = async () => {
        const run = await runFindForAgent(db, agent.id, job!.id);
        if (!run) throw new AppError('not_found', `No run ${job!.id} of agent ${agent.id}.`);
        return { success: true as const, data: runView(run) };
      };
      return answerSubmission({ db, engine }, request, reply, { job: job!, statusPath: statusPath(job!.id), accepted: respond(job!.id), finished });
    },
  );
}
