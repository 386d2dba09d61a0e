/**
 * Starting a run, by hand or on schedule: the topics are chosen, the run row and its job are
 * written in one transaction (the caller's), so there is never a run without its job or a job
 * without its run. A scheduled run's row carries its tick, whose unique key makes a second
 * start for the same tick a no-op.
 */
import type { Engine, JobKind, JobRow, SubmitRequest } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Platform } from '../../content/platforms.ts';
import type { KnowledgeReader } from '../ports.ts';
import type { Db } from '../../store/database.ts';
import { searchTerms } from '../../searchTerms.ts';
import { agentQueue, type AgentPostSpec, type AgentRunInput } from './runKind.ts';
import { agentLastRunSet, type AgentRow } from './sql/agents.ts';
import { runInsertUnlessTickTaken, runsCountForAgent, runsPassagesLastUsed } from './sql/runs.ts';
import { instructionTopics, passageTitle, pickPassages, type Topic } from './topics.ts';

/** How far back "recently used" looks, in runs. */
const RECENT_RUNS = 50;
/** The passages of a knowledge base considered, in reading order. */
const PASSAGES_CONSIDERED = 5_000;

/** The run's posts: `postsPerRun` topics, the agent's platforms taken in turn. */
export async function agentRunPlan(db: Db, knowledge: KnowledgeReader, agent: AgentRow): Promise<AgentPostSpec[]> {
  const platforms = JSON.parse(agent.platforms) as Platform[];
  let topics: Topic[] = [];
  if (agent.kb_id) {
    const passages = await knowledge.passagesInOrder(db, agent.kb_id, PASSAGES_CONSIDERED);
    if (passages.length > 0) {
      const lastUsed = await runsPassagesLastUsed(db, agent.id, RECENT_RUNS);
      const relevance = new Map<string, number>();
      const terms = searchTerms(agent.instructions.split(/[^\p{L}\p{N}]+/u));
      for (const hit of await knowledge.passagesRanked(db, agent.kb_id, terms, 500)) relevance.set(hit.passageId, hit.score);
      topics = pickPassages(passages, agent.posts_per_run, lastUsed, relevance).map((p) => ({ title: passageTitle(p), passage: p }));
    }
  }
  if (topics.length === 0) {
    const runsSoFar = await runsCountForAgent(db, agent.id);
    topics = instructionTopics(agent.instructions, agent.posts_per_run, runsSoFar * agent.posts_per_run);
  }
  if (topics.length === 0) {
    throw new AppError('validation_error', 'The agent has nothing to write about: its knowledge base has no indexed passages yet and it has no instructions.');
  }
  return topics.map((topic, i) => ({ platform: platforms[i % platforms.length]!, topic }));
}

/** What starting a run needs: the engine, the `agent.run` kind, and the knowledge bases to plan from. */
export interface RunStarter {
  engine: Engine;
  kind: JobKind<AgentRunInput>;
  knowledge: KnowledgeReader;
}

export type RunTrigger = { type: 'manual'; idempotency?: SubmitRequest<AgentRunInput>['idempotency'] } | { type: 'schedule'; tick: string };

/**
 * Writes the run and submits its job in `trx` (workers are woken when it commits).
 * Null when a scheduled tick already has its run. Throws AppError when the run cannot start
 * (nothing to write about, not enough credits).
 */
export async function agentRunStart(trx: Db, runs: RunStarter, agent: AgentRow, trigger: RunTrigger, firedAt: string): Promise<JobRow | null> {
  const { engine, kind, knowledge } = runs;
  const posts = await agentRunPlan(trx, knowledge, agent);
  const id = newId('run');
  const inserted = await runInsertUnlessTickTaken(trx, {
    id,
    agent_id: agent.id,
    org_id: agent.org_id,
    job_id: id,
    trigger: trigger.type,
    scheduled_for: trigger.type === 'schedule' ? trigger.tick : null,
    passages: JSON.stringify([...new Set(posts.flatMap((p) => (p.topic.passage ? [p.topic.passage.id] : [])))]),
    final_status: null,
    error: null,
    created_at: firedAt,
    completed_at: null,
  });
  if (!inserted) return null;
  await agentLastRunSet(trx, agent.id, firedAt);
  return engine.submitIn(trx, {
    orgId: agent.org_id,
    kind,
    id,
    queue: agentQueue(agent.id),
    input: { agentId: agent.id, tone: agent.tone, instructions: agent.instructions, posts },
    idempotency: trigger.type === 'manual' ? trigger.idempotency : null,
  });
}

/** A scheduled run that could not start (e.g. the balance was short): kept as a failed run, so the owner sees why. */
export async function agentRunRecordRefused(trx: Db, agent: AgentRow, tick: string, firedAt: string, reason: string): Promise<void> {
  await runInsertUnlessTickTaken(trx, {
    id: newId('run'),
    agent_id: agent.id,
    org_id: agent.org_id,
    job_id: null,
    trigger: 'schedule',
    scheduled_for: tick,
    passages: '[]',
    final_status: 'failed',
    error: reason,
    created_at: firedAt,
    completed_at: firedAt,
  });
  await agentLastRunSet(trx, agent.id, firedAt);
}
