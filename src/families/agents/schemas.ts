/**
 * The agent, run and post shapes of the API (content family), declared once for validation,
 * serialization, /openapi.json and the typed client. Imports nothing but TypeBox and other
 * schema modules.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { PLATFORMS } from '../../content/schemas.ts';
import { Nullable, PageQuery, Timestamp, WithDefault, WithOptions } from '../../http/schemas.ts';

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

export const CreateBody = Type.Object(
  {
    name: AgentFields.name,
    kbId: Type.Optional(AgentFields.kbId),
    platforms: AgentFields.platforms,
    postsPerRun: Type.Optional(WithOptions(AgentFields.postsPerRun, { default: 1 })),
    schedule: Type.Optional(AgentFields.schedule),
    timezone: Type.Optional(WithOptions(AgentFields.timezone, { default: 'UTC' })),
    instructions: Type.Optional(WithOptions(AgentFields.instructions, { default: '' })),
    tone: Type.Optional(WithOptions(AgentFields.tone, { default: 'professional' })),
    enabled: Type.Optional(WithOptions(AgentFields.enabled, { default: true })),
  },
  { additionalProperties: false },
);
export const PatchBody = Type.Partial(Type.Object(AgentFields), { additionalProperties: false, minProperties: 1 });

export const AgentsPage = Type.Object({ agents: Type.Array(AgentView), total: Type.Integer() });

export const AgentDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });

export const RunAccepted = Type.Object({ runId: Type.String({ description: 'run_<ULID>' }), status: Type.Literal('queued') });

export const RunsPage = Type.Object({ runs: Type.Array(AgentRunView), total: Type.Integer() });

export const OutputsQuery = Type.Object(
  { ...PageQuery.properties, runId: Type.Optional(Type.String({ maxLength: 100, description: 'Only this run’s posts' })), platform: Type.Optional(Platform) },
  { additionalProperties: false },
);

export const OutputsPage = Type.Object({ outputs: Type.Array(AgentPostView), total: Type.Integer() });

export const StatsQuery = Type.Object({ from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) }, { additionalProperties: false });

export const Stats = Type.Object({
  from: Timestamp,
  to: Timestamp,
  runs: Type.Object({ total: Type.Integer(), queued: Type.Integer(), running: Type.Integer(), completed: Type.Integer(), failed: Type.Integer() }),
  postsGenerated: Type.Integer(),
  tokensUsed: Type.Integer(),
});

export const MAX_PREVIEW_RUNS = 20;

export const SchedulePreviewQuery = Type.Object(
  {
    schedule: Type.String({ minLength: 1, maxLength: 200, description: 'A 5-field cron expression, e.g. "0 9 * * 1-5"' }),
    timezone: WithDefault(Type.String({ maxLength: 100, default: 'UTC', description: 'IANA timezone, e.g. "Europe/Paris"' })),
    count: WithDefault(Type.Integer({ minimum: 1, maximum: MAX_PREVIEW_RUNS, default: 5, description: 'How many runs' })),
  },
  { additionalProperties: false },
);

export const SchedulePreview = Type.Object({
  schedule: Type.String(),
  timezone: Type.String(),
  runs: Type.Array(Timestamp, { description: 'The next runs, soonest first, as instants; fewer when the schedule stops firing' }),
});
