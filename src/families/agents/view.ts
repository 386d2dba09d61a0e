/** Agents, runs and posts as the API shows them (schemas.ts declares their shapes). */
import type { Static } from '@sinclair/typebox';
import type { AgentPostView, AgentRunView, AgentView, Platform } from './schemas.ts';
import type { AgentRow } from './sql/agents.ts';
import type { PostRow } from './sql/posts.ts';
import { runStatusOf, type RunRow } from './sql/runs.ts';

/** The agent seed's 401 message for a request without a key (`../shared/seeds/agent-run.md`). */
export const AGENT_MISSING_KEY_MESSAGE = 'Authentication required.';

export function agentView(row: AgentRow): Static<typeof AgentView> {
  return {
    id: row.id,
    name: row.name,
    ...(row.kb_id ? { kbId: row.kb_id } : {}),
    platforms: JSON.parse(row.platforms) as Static<typeof AgentView>['platforms'],
    postsPerRun: row.posts_per_run,
    schedule: row.schedule,
    timezone: row.timezone,
    instructions: row.instructions,
    tone: row.tone,
    enabled: row.enabled === 1,
    lastRunAt: row.last_run_at,
    nextRunAt: row.next_run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function runView(row: RunRow): Static<typeof AgentRunView> {
  const { status, error } = runStatusOf(row);
  return {
    id: row.id,
    agentId: row.agent_id,
    status,
    postsGenerated: row.posts,
    tokensUsed: row.tokens,
    error,
    startedAt: row.created_at,
    completedAt: row.completed_at,
  };
}

export function postView(row: PostRow): Static<typeof AgentPostView> {
  return {
    id: row.id,
    agentId: row.agent_id,
    runId: row.run_id,
    platform: row.platform as Static<typeof Platform>,
    status: 'draft',
    topic: row.topic,
    title: row.title,
    content: row.content,
    sources: JSON.parse(row.sources) as string[],
    tokensUsed: row.tokens_used,
    createdAt: row.created_at,
  };
}
