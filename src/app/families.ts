/**
 * The composition root's list of families, and the one place that builds what they share: the
 * engine (with its observers: job metrics and log lines), the metrics registry, the media tools,
 * the SSRF guard's settings, the text provider, and the services one family offers another (ports.ts). Everything here is made once per process; `serve`,
 * `worker` and the tests' servers all compose through `compose`.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Registry } from 'prom-client';
import type { Config, LlmConfig } from '../config.ts';
import { Engine, relaySignals } from '../engine/index.ts';
import { agentsFamily } from '../families/agents/index.ts';
import { clipsFamily } from '../families/clips/index.ts';
import { demoFamily } from '../families/demo/index.ts';
import { systemClock, type Clock, type Family, type FamilyDeps, type FamilyFactory } from '../families/family.ts';
import { ideasFamily, knowledgeReader } from '../families/ideas/index.ts';
import { sourcingFamily } from '../families/sourcing/index.ts';
import { webhooksFamily, webhookTargets } from '../families/webhooks/index.ts';
import { localProvider } from '../llm/local.ts';
import { openAiProvider } from '../llm/openai.ts';
import type { TextProvider } from '../llm/provider.ts';
import { idempotencyPruning } from '../maintenance/idempotencyPruning.ts';
import { jobRetention } from '../maintenance/jobRetention.ts';
import { processPruning } from '../maintenance/processPruning.ts';
import type { MaintenanceTask } from '../maintenance/task.ts';
import { locateMediaTools, mediaToolsWarning } from '../media/binaries.ts';
import { openStorage } from '../storage/open.ts';
import { scratchSweep } from '../storage/scratch.ts';
import type { Store } from '../store/database.ts';
import { jobLog } from './jobLog.ts';
import { jobMetrics } from './metrics/jobMetrics.ts';
import { queueMetrics } from './metrics/queueMetrics.ts';

/** Every family, in the order their routes are registered and their finished-job hooks run. */
function familiesFor(config: Config): FamilyFactory[] {
  return [sourcingFamily, clipsFamily, ideasFamily, agentsFamily, webhooksFamily, ...(config.demoKinds ? [demoFamily] : [])];
}

function textProvider(config: LlmConfig): TextProvider {
  if (config.provider === 'local') return localProvider();
  return openAiProvider({ baseUrl: config.baseUrl!, apiKey: config.apiKey, model: config.model, timeoutMs: config.timeoutMs, maxAttempts: config.maxAttempts });
}

/** A process's engine and families, with what they were built from. */
export interface Composition {
  engine: Engine;
  deps: FamilyDeps;
  families: Family[];
  /** The process's Prometheus registry, served at /metrics (plugins/metrics.ts adds HTTP and database series). */
  metrics: Registry;
  /** The generic tasks and every family's, for the maintenance runner. */
  maintenance: MaintenanceTask[];
}

function createEngine(config: Config, store: Store, log: FastifyBaseLogger): Engine {
  const engine = new Engine({
    store,
    log: log.child({ component: 'engine' }),
    concurrency: config.workers,
    orgConcurrency: config.orgConcurrency,
    prefetch: config.prefetch,
    leaseMs: config.leaseMs,
    throttles: config.throttles,
  });
  relaySignals(store, engine.signals, log.child({ component: 'signals' }));
  engine.observe(jobLog(log.child({ component: 'jobs' })));
  return engine;
}

/** The engine, and every family built once with its kinds and finished-job hooks registered on it. */
export function compose(config: Config, store: Store, log: FastifyBaseLogger, clock: Clock = systemClock): Composition {
  const engine = createEngine(config, store, log);
  const metrics = new Registry();
  engine.observe(jobMetrics(metrics));
  queueMetrics(metrics, { db: store.db, kinds: () => engine.registeredKinds().map((kind) => kind.name) });
  const mediaTools = locateMediaTools(config.clips);
  const mediaWarning = mediaToolsWarning(mediaTools);
  if (mediaWarning) log.warn({ ffmpeg: mediaTools.ffmpeg, ffprobe: mediaTools.ffprobe }, mediaWarning);
  const storage = openStorage(config.storage, config.dataDir);
  // What a process that died left in the scratch directory (an upload, a render under way).
  scratchSweep(storage.scratchDir)
    .then((deleted) => deleted > 0 && log.info({ deleted, dir: storage.scratchDir }, 'deleted scratch files left by a stopped process'))
    .catch((err: unknown) => log.warn({ err, dir: storage.scratchDir }, 'could not sweep the scratch directory'));
  const deps: FamilyDeps = {
    config,
    store,
    engine,
    log,
    clock,
    mediaTools,
    storage,
    urlGuard: { allowPrivate: config.webhooks.allowPrivate, allowHttp: config.webhooks.allowHttp },
    text: textProvider(config.llm),
    knowledge: knowledgeReader,
    webhookTargets,
    metrics,
  };
  const families = familiesFor(config).map((build) => build(deps));
  for (const family of families) {
    for (const kind of family.kinds) engine.register(kind);
    for (const hook of family.onJobFinished ?? []) engine.onJobFinished(hook);
  }
  const maintenance = [
    jobRetention(
      store.db,
      config.retentionDays,
      families.flatMap((f) => f.beforeJobRetention ?? []),
    ),
    idempotencyPruning(store.db),
    processPruning(store.db),
    ...families.flatMap((f) => f.maintenance ?? []),
  ];
  return { engine, deps, families, maintenance, metrics };
}
