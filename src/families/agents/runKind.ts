/**
 * `agent.run`: one run of an agent, one item per post (so each post is charged on its own, 1
 * credit, in the transaction that stores it). Each item writes one post about its topic for its
 * platform, in the agent's tone, with the configured text-generation provider, fitted to the
 * platform's limits (the drafting of the ideas kind), and stores it as a draft.
 *
 * A run stops at its first post that cannot be written: the posts after it are not attempted
 * (failed with SKIPPED, uncharged), the run fails with the first failure's reason, and the posts
 * already stored stay, charged once. An agent's runs share the serial queue `agent:<id>`, so a
 * second run waits for the first.
 */
import { defineKind, type JobKind, type JobOutcome, PermanentError } from '../../engine/index.ts';
import { newId, nowIso } from '../../ids.ts';
import { writeDraft, type Draft } from '../../content/draft.ts';
import type { Platform } from '../../content/platforms.ts';
import { LlmError, type TextProvider } from '../../llm/provider.ts';
import type { Db } from '../../store/database.ts';
import type { Tone } from '../../store/schema.ts';
import { postInsert } from './sql/posts.ts';
import type { Topic } from './topics.ts';

export interface AgentPostSpec {
  platform: Platform;
  topic: Topic;
}

export interface AgentRunInput {
  agentId: string;
  tone: Tone;
  instructions: string;
  posts: AgentPostSpec[];
}

export const agentQueue = (agentId: string) => `agent:${agentId}`;

export function agentRunKind(db: Db, provider: TextProvider): JobKind<AgentRunInput> {
  return defineKind<AgentRunInput>({
    name: 'agent.run',
    scope: 'agents',
    newJobId: () => newId('run'),
    creditsPerItem: 1,
    maxAttempts: 2,
    itemTimeoutMs: 5 * 60_000,
    faultMessage: 'An unexpected error occurred while writing the posts.',
    webhooks: {
      completed: 'agent.run.completed',
      failed: 'agent.run.failed',
      resultsPath: (jobId, input) => `/agents/${input.agentId}/runs/${jobId}`,
      describe: (input) => ({ agentId: input.agentId }),
    },
    items: (input) => input.posts.map((p, i) => ({ key: `post-${String(i + 1).padStart(2, '0')}-${p.platform}`, input: p })),
    async process({ jobId, input, item, signal }) {
      const earlierFailure = await db
        .selectFrom('job_items')
        .select('seq')
        .where('job_id', '=', jobId)
        .where('status', '=', 'failed')
        .limit(1)
        .executeTakeFirst();
      if (earlierFailure) throw new PermanentError('SKIPPED', 'Not written: an earlier post of this run failed.');
      const { platform, topic } = item.input as AgentPostSpec;
      const passages = topic.passage ? [{ uri: topic.passage.uri, title: topic.passage.title ?? null, content: topic.passage.content }] : [];
      try {
        return await writeDraft(provider, { title: topic.title }, passages, { platform }, signal, { tone: input.tone, instructions: input.instructions });
      } catch (error) {
        if (error instanceof LlmError) throw new PermanentError(error.code, error.message);
        throw error;
      }
    },
    async commitResult(trx, { jobId, orgId, input, key, result }) {
      const draft = result as Draft;
      const spec = input.posts[Number(key.slice('post-'.length, 'post-'.length + 2)) - 1]!;
      await postInsert(trx, {
        id: newId('post'),
        run_id: jobId,
        agent_id: input.agentId,
        org_id: orgId,
        item_key: key,
        platform: draft.platform,
        topic: spec.topic.title,
        title: draft.title ?? null,
        content: draft.posts.join('\n\n'),
        sources: JSON.stringify(draft.sources),
        tokens_used: draft.tokensUsed,
        created_at: nowIso(),
      });
    },
    finish(_input, items): JobOutcome {
      const failed = items.find((i) => i.status === 'failed');
      if (failed)
        return { status: 'failed', errorCode: failed.errorCode ?? 'INTERNAL_ERROR', errorMessage: failed.errorMessage ?? 'A post could not be written.' };
      return { status: 'completed' };
    },
  });
}
