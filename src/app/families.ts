/**
 * Every job kind the server knows, registered on the engine, and the routes that submit them.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { analysisKind, type AnalysisInput } from '../families/clips/analysisKind.ts';
import { locateMediaTools } from '../families/clips/binaries.ts';
import { renderKind, type RenderInput } from '../families/clips/renderKind.ts';
import { renderRoutes } from '../families/clips/renderRoutes.ts';
import { sourceRoutes } from '../families/clips/sourceRoutes.ts';
import { clipRoutes } from '../families/clips/routes.ts';
import { uploadRoutes } from '../families/clips/uploadRoutes.ts';
import { ClipView } from '../families/clips/schemas.ts';
import { ClipStorage } from '../families/clips/storage.ts';
import type { Config, LlmConfig } from '../config.ts';
import { localProvider } from '../llm/local.ts';
import { openAiProvider } from '../llm/openai.ts';
import type { TextProvider } from '../llm/provider.ts';
import { ideaEnrichKind } from '../families/ideas/drafts/kind.ts';
import type { IdeaEnrichInput } from '../families/ideas/drafts/schemas.ts';
import { agentRoutes } from '../families/agents/routes.ts';
import { agentRunFinished } from '../families/agents/runFinished.ts';
import { agentQueue, agentRunKind, type AgentRunInput } from '../families/agents/runKind.ts';
import { agentRunRoutes } from '../families/agents/runRoutes.ts';
import { AgentScheduler, systemClock, type Clock } from '../families/agents/scheduler.ts';
import { ideaRoutes } from '../families/ideas/drafts/routes.ts';

function textProvider(config: LlmConfig): TextProvider {
  if (config.provider === 'local') return localProvider();
  return openAiProvider({ baseUrl: config.baseUrl!, apiKey: config.apiKey, model: config.model, timeoutMs: config.timeoutMs, maxAttempts: config.maxAttempts });
}
import { ingestKind, type IngestInput } from '../families/ideas/kb/ingestKind.ts';
import { kbRoutes } from '../families/ideas/kb/routes.ts';

/** Largest knowledge-base document, uploaded or fetched. */
const KB_DOC_MAX_BYTES = 20 * 1024 * 1024;
import { Engine, relaySignals } from '../engine/index.ts';
import type { Store } from '../store/database.ts';
import { Candidate } from '../families/sourcing/scoring/schemas.ts';
import { Resume } from '../families/sourcing/talentPool/schemas.ts';
import { talentPoolRoutes } from '../families/sourcing/talentPool/routes.ts';
import { deliveryKind, type DeliveryInput } from '../families/webhooks/deliveryKind.ts';
import { webhookOutbox } from '../families/webhooks/outbox.ts';
import { webhookRoutes } from '../families/webhooks/routes.ts';
import { enrichmentKind } from '../families/sourcing/enrichment/kind.ts';
import type { EnrichmentInput } from '../families/sourcing/enrichment/schemas.ts';
import { enrichmentRoutes } from '../families/sourcing/enrichment/routes.ts';
import { sleepKind } from '../families/demo/kind.ts';
import { sleepRoutes } from '../families/demo/routes.ts';
import { sourcingKind } from '../families/sourcing/runs/kind.ts';
import type { SourcingInput } from '../families/sourcing/runs/schemas.ts';
import { sourcingRoutes } from '../families/sourcing/runs/routes.ts';

export function createEngine(config: Config, store: Store, log: FastifyBaseLogger): Engine {
  const engine = new Engine({
    store,
    log: log.child({ component: 'engine' }),
    concurrency: config.workers,
    orgConcurrency: config.orgConcurrency,
    prefetch: config.prefetch,
    leaseMs: config.leaseMs,
  });
  engine.register(sourcingKind(store.db));
  engine.register(enrichmentKind(store.db));
  const tools = locateMediaTools(config.clips);
  const clipStorage = new ClipStorage(config.clips.dir);
  const importOptions = { allowPrivate: config.webhooks.allowPrivate, allowHttp: config.webhooks.allowHttp, maxBytes: config.clips.maxUploadBytes, timeoutMs: 30 * 60_000 };
  engine.register(analysisKind(store.db, tools, clipStorage, importOptions));
  engine.register(renderKind(store.db, tools, clipStorage));
  engine.register(ingestKind(store.db, { allowPrivate: config.webhooks.allowPrivate, allowHttp: config.webhooks.allowHttp, maxBytes: KB_DOC_MAX_BYTES }));
  const provider = textProvider(config.llm);
  engine.register(ideaEnrichKind(store.db, provider));
  engine.register(agentRunKind(store.db, provider));
  engine.onJobFinished(agentRunFinished);
  const delivery = deliveryKind(store.db, config.webhooks);
  engine.register(delivery);
  engine.onJobFinished(webhookOutbox(engine, delivery));
  if (config.demoKinds) engine.register(sleepKind({ logFile: config.demoLogFile }));
  relaySignals(store, engine.signals, log.child({ component: 'signals' }));
  return engine;
}

/** The agent scheduler of a process that runs one (serve and worker); `clock` is for tests. */
export function createAgentScheduler(store: Store, engine: Engine, log: FastifyBaseLogger, clock: Clock = systemClock): AgentScheduler {
  return new AgentScheduler({ db: store.db, engine, kind: engine.kind<AgentRunInput>('agent.run')!, log: log.child({ component: 'scheduler' }), clock });
}

export async function kindRoutes(app: FastifyInstance, opts: { engine: Engine; config: Config; store: Store; clock?: Clock }) {
  const { engine, config, store } = opts;
  const clock = opts.clock ?? systemClock;
  // Shared by the sourcing family's plugins, so declared in their common parent.
  app.addSchema(Resume);
  app.addSchema(Candidate);
  app.addSchema(ClipView);
  await app.register(talentPoolRoutes, { db: store.db, bodyLimit: config.profilesBodyLimitBytes });
  await app.register(sourcingRoutes, { db: store.db, engine, kind: engine.kind<SourcingInput>('sourcing')! });
  await app.register(enrichmentRoutes, { db: store.db, engine, kind: engine.kind<EnrichmentInput>('enrichment')! });
  const clipStorage = new ClipStorage(config.clips.dir);
  await app.register(clipRoutes, {
    db: store.db,
    engine,
    config: config.clips,
    guard: { allowPrivate: config.webhooks.allowPrivate, allowHttp: config.webhooks.allowHttp },
    tools: locateMediaTools(config.clips),
    storage: clipStorage,
    analysis: engine.kind<AnalysisInput>('clip.analysis')!,
    // A deleted clip's renders stop first (their ffmpeg is killed), then its files go.
    async onDelete(clip) {
      const open = await store.db
        .selectFrom('clip_renders as r')
        .innerJoin('jobs as j', 'j.id', 'r.job_id')
        .select('j.id')
        .where('r.clip_id', '=', clip.id)
        .where('j.status', 'in', ['queued', 'running'])
        .execute();
      for (const { id } of open) await engine.cancel(clip.org_id, id);
    },
  });
  await app.register(uploadRoutes, {
    db: store.db,
    engine,
    tools: locateMediaTools(config.clips),
    storage: clipStorage,
    analysis: engine.kind<AnalysisInput>('clip.analysis')!,
    maxUploadBytes: config.clips.maxUploadBytes,
    ttlHours: config.clips.uploadTtlHours,
  });
  await app.register(sourceRoutes, { db: store.db, storage: clipStorage, urlTtlSeconds: config.clips.urlTtlSeconds });
  await app.register(renderRoutes, {
    db: store.db,
    engine,
    storage: clipStorage,
    render: engine.kind<RenderInput>('clip.render')!,
    urlTtlSeconds: config.clips.urlTtlSeconds,
  });
  await app.register(kbRoutes, {
    db: store.db,
    engine,
    ingest: engine.kind<IngestInput>('kb.ingest')!,
    guard: { allowPrivate: config.webhooks.allowPrivate, allowHttp: config.webhooks.allowHttp },
    maxDocBytes: KB_DOC_MAX_BYTES,
  });
  await app.register(ideaRoutes, { db: store.db, engine, kind: engine.kind<IdeaEnrichInput>('idea.enrich')! });
  await app.register(agentRoutes, {
    db: store.db,
    engine,
    kind: engine.kind<AgentRunInput>('agent.run')!,
    clock,
    async onDelete(agent) {
      // Unfinished jobs are those with an `available_at` (finished ones have none): said so that
      // the `jobs_available_at` index serves this, not a scan of every job ever run.
      const open = await store.db
        .selectFrom('jobs')
        .select('id')
        .where('available_at', 'is not', null)
        .where('queue', '=', agentQueue(agent.id))
        .where('status', 'in', ['queued', 'running'])
        .execute();
      for (const { id } of open) await engine.cancel(agent.org_id, id);
    },
  });
  await app.register(agentRunRoutes, { db: store.db, engine, clock });
  await app.register(webhookRoutes, { db: store.db, engine, config: config.webhooks, delivery: engine.kind<DeliveryInput>('webhook')! });
  const sleep = engine.kind('sleep');
  if (config.demoKinds && sleep) await app.register(sleepRoutes, { engine, kind: sleep });
}
