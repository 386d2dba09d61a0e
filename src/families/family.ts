/**
 * The shape every product family exports (src/families/<name>/index.ts): built once per process
 * from the objects the composition root made once (`FamilyDeps`), it hands back its job kinds,
 * its routes, the schemas they share, its maintenance tasks and its background loops. The root
 * (src/app/families.ts) is the one place that lists the families; a family imports no other
 * (what one needs of another is an interface in ports.ts, filled in by the root).
 */
import type { TSchema } from '@sinclair/typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Engine, JobFinishedHook, JobKind } from '../engine/index.ts';
import type { TextProvider } from '../llm/provider.ts';
import type { BeforeJobRetention } from '../maintenance/jobRetention.ts';
import type { MaintenanceTask } from '../maintenance/task.ts';
import type { MediaTools } from '../media/binaries.ts';
import type { GuardOptions } from '../net/addressGuard.ts';
import type { Storage } from '../storage/storage.ts';
import type { Store } from '../store/database.ts';
import type { KnowledgeReader, WebhookTargets } from './ports.ts';

/** What "now" is for schedules; tests pass their own. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Made once per process by the root and shared by every family. */
export interface FamilyDeps {
  config: Config;
  store: Store;
  engine: Engine;
  log: FastifyBaseLogger;
  clock: Clock;
  /** ffmpeg and ffprobe, located once (`/readyz` reports the same choice). */
  mediaTools: MediaTools;
  /** Clip files and knowledge-base documents (LONGRUN_STORAGE_URL; `/readyz` checks the same one). */
  storage: Storage;
  /** The SSRF guard's settings, for every outgoing request to a URL a user gave. */
  urlGuard: GuardOptions;
  /** Text generation, for ideas' drafts and agents' posts. */
  text: TextProvider;
  /** The ideas family's knowledge bases, for agents. */
  knowledge: KnowledgeReader;
  /** The webhooks family's endpoints, for runs that name one. */
  webhookTargets: WebhookTargets;
  /**
   * Where a family's own Prometheus series go (`registers: [metrics]`): the process's one
   * registry, served at /metrics. Registering is all a family does with it.
   */
  metrics: Registry;
}

/** A loop a family keeps running in every process that runs jobs (serve and worker). */
export interface Background {
  start(): void;
  /** Resolves when the loop has stopped and no pass of it is under way. */
  stop(): Promise<void>;
}

export interface Family {
  name: string;
  /** Its job kinds; the root registers them on the engine before any route or worker slot runs. */
  kinds: JobKind<never>[];
  /** Run in the transaction that ends any job, of any family, in the order families are listed. */
  onJobFinished?: JobFinishedHook[];
  /** Schemas its routes refer to by `$ref`, declared once on the app (and in /openapi.json). */
  schemas?: TSchema[];
  /** Its routes, on the API server only. */
  routes(app: FastifyInstance): Promise<void>;
  /** Its maintenance, run by one process of the cluster per period (src/maintenance/runner.ts). */
  maintenance?: MaintenanceTask[];
  /**
   * Run by job retention before it deletes old jobs: deletes what the family keeps per job
   * outside the database (a render's file), which the jobs' foreign keys cannot.
   */
  beforeJobRetention?: BeforeJobRetention[];
  /** Loops it runs in every process that runs jobs. */
  background?: Background[];
}

export type FamilyFactory = (deps: FamilyDeps) => Family;
