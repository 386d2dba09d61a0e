/** The agent, run and post shapes of the API (content family), declared once for validation, serialization and OpenAPI. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PLATFORMS } from '../kinds/ideas/platforms.ts';
import { Nullable, Timestamp } from '../server/schemas.ts';
import type { AgentRow } from './sql/agents.ts';
import type { PostRow } from './sql/posts.ts';
import { runStatusOf, type RunRow } from './sql/runs.ts';

/** The agent seed's 401 message for a request without a key (`../shared/seeds/agent-run.md`). */
export const AGENT_MISSING_KEY_MESSAGE = 'Authentication required.';

export const TONES = ['professional', 'casual', 'educational', 'inspirational', 'humorous'] as const;

export const Platform = Type.Union(PLATFORMS.map((p) => Type.Literal(p)));
export const Tone = Type.Union(TONES.map((t) => Type.Literal(t)));

/**
 * `null` or a string, in a request body. Null comes first: with type coercion on, ajv tries the
 * branches in order and would turn a null into "" for a string branch placed first.
 */
const NullOr = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

/** The writable fields, as `POST /agents` and `PATCH /agents/{agentId}` take them. */
export const AgentFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kbId: NullOr(Type.String({ maxLength: 100, description: 'kb_<ULID>: the knowledge base the agent writes from' })),
  platforms: Type.Array(Platform, { minItems: 1, maxItems: 5, uniqueItems: true, description: 'Posts are spread across these in turn' }),
  postsPerRun: Type.Integer({ minimum: 1, maximum: 50 }),
  schedule: NullOr(Type.String({ maxLength: 200, description: 'A 5-field cron expression read in `timezone`, e.g. "0 9 * * 1-5"; null for manual runs only' })),
  timezone: Type.String({ maxLength: 100, description: 'IANA timezone, e.g. "Europe/Paris"' }),
  instructions: Type.String({ maxLength: 5_000, description: 'Standing instructions; also the topics when there is no knowledge base' }),
  tone: Tone,
  enabled: Type.Boolean({ description: 'A disabled agent is not run on schedule' }),
};

export const AgentView = Type.Object({
  id: Type.String({ description: 'agent_<ULID>' }),
  name: Type.String(),
  kbId: Type.Optional(Type.String()),
  platforms: Type.Array(Platform),
  postsPerRun: Type.Integer(),
  schedule: Nullable(Type.String()),
  timezone: Type.String(),
  instructions: Type.String(),
  tone: Tone,
  enabled: Type.Boolean(),
  lastRunAt: Nullable(Timestamp),
  nextRunAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** Exactly the seed's AgentRun (`../shared/seeds/agent-run.md`). */
export const AgentRunView = Type.Object({
  id: Type.String({ description: 'run_<ULID>' }),
  agentId: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  postsGenerated: Type.Integer(),
  tokensUsed: Type.Integer(),
  error: Nullable(Type.String()),
  startedAt: Type.String({ format: 'date-time', description: 'When the run was triggered (by hand, or by its schedule)' }),
  completedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const AgentPostView = Type.Object({
  id: Type.String({ description: 'post_<ULID>' }),
  agentId: Type.String(),
  runId: Type.String(),
  platform: Platform,
  status: Type.Literal('draft'),
  topic: Type.String({ description: 'What the post is about: a passage heading or sentence, or a line of the instructions' }),
  title: Nullable(Type.String({ description: 'YouTube: the video title' })),
  content: Type.String(),
  sources: Type.Array(Type.String()),
  tokensUsed: Type.Integer(),
  createdAt: Timestamp,
});

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
  return { id: row.id, agentId: row.agent_id, status, postsGenerated: row.posts, tokensUsed: row.tokens, error, startedAt: row.created_at, completedAt: row.completed_at };
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
