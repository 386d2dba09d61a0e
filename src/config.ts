/**
 * Configuration, read once from the environment and command-line flags and validated here.
 *
 * Guarantees: a bad setting stops the process at start with a message that names the setting
 * and the values it accepts; nothing deeper in the code ever parses an environment variable.
 */
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** `json`: one object a line, for a collector; `pretty`: readable lines for a terminal (pino-pretty). */
export type LogFormat = 'pretty' | 'json';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** `sqlite:<file>` or `postgres://…`; defaults to `<dataDir>/longrun.db`. */
  databaseUrl: string;
  dbPoolSize: number;
  /** Largest accepted JSON request body, in bytes. */
  bodyLimitBytes: number;
  /** Largest `POST /profiles` body (a bulk import of up to 1,000 profiles), in bytes. */
  profilesBodyLimitBytes: number;
  /** Requests per key per window, unless the key has its own limit. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  idempotencyTtlHours: number;
  /** Credits granted to the default organisation created on first start. */
  initialCredits: number;
  shutdownGraceMs: number;
  logLevel: LogLevel;
  /** `LONGRUN_LOG_FORMAT`; by default pretty when stdout is a terminal, JSON otherwise. */
  logFormat: LogFormat;
  /** Worker slots in this process (0: none). */
  workers: number;
  /** `longrun worker` answers /healthz, /readyz and /metrics on this port. */
  workerPort: number;
  /** Jobs of one organisation running at once. */
  orgConcurrency: number;
  /** `LONGRUN_THROTTLES`: items of a kind started at most per interval, per organisation, unless the organisation has its own limit. */
  throttles: Record<string, { items: number; intervalMs: number }>;
  /** Jobs a worker process claims ahead of its free slots (for many short jobs). */
  prefetch: number;
  leaseMs: number;
  /** How often this process writes its heartbeat row (`GET /workers`); it counts as gone after 3 missed. */
  processHeartbeatMs: number;
  /** Finished jobs, their items and events are deleted after this many days. */
  retentionDays: number;
  /** Registers the `sleep` demonstration kind and `POST /demo/sleep`. */
  demoKinds: boolean;
  /** The demo kind appends `<jobId> <itemKey>` here for every item it completes (crash tests count them). */
  demoLogFile: string | null;
  webhooks: WebhookConfig;
  clips: ClipsConfig;
  storage: StorageConfig;
  llm: LlmConfig;
  /** OpenTelemetry traces; null (off) unless an OTLP endpoint is set (see `tracingConfig`). */
  tracing: TracingConfig | null;
}

/** What longrun decides about tracing; the OTLP exporter reads the other `OTEL_*` variables itself. */
export interface TracingConfig {
  /** The OTLP transport: protobuf or JSON over HTTP (gRPC is not installed). */
  protocol: 'http/protobuf' | 'http/json';
  serviceName: string;
}

/** Where clip files and knowledge-base documents live (`LONGRUN_STORAGE_URL`). */
export type StorageConfig = {
  /** `presigned`: outputUrl and source URLs are presigned S3 GETs; `signed`: longrun's own signed routes. */
  publicUrls: 'signed' | 'presigned';
} & (
  | { driver: 'file'; dir: string }
  | {
      driver: 's3';
      bucket: string;
      /** Key prefix inside the bucket, '' or ending in `/`. */
      prefix: string;
      endpoint: string | null;
      region: string;
      accessKeyId: string | null;
      secretAccessKey: string | null;
      pathStyle: boolean;
    }
);

export interface LlmConfig {
  /** `local` (deterministic, needs nothing) or `openai` (any OpenAI-compatible endpoint). */
  provider: 'local' | 'openai';
  baseUrl: string | null;
  apiKey: string | null;
  model: string;
  timeoutMs: number;
  maxAttempts: number;
}

export interface ClipsConfig {
  /** Uploaded sources and rendered outputs live here. */
  dir: string;
  /** Largest upload, in bytes. */
  maxUploadBytes: number;
  /** Explicit ffmpeg / ffprobe binaries; otherwise the PATH, then the npm-shipped ones. */
  ffmpegPath: string | null;
  ffprobePath: string | null;
  /** How long a signed `outputUrl` stays valid. */
  urlTtlSeconds: number;
  /** A resumable upload not completed within this many hours expires and its parts are deleted. */
  uploadTtlHours: number;
}

export interface WebhookConfig {
  /** Deliver to loopback, private, link-local … addresses (never in production; tests need it). */
  allowPrivate: boolean;
  /** Accept `http://` endpoint URLs, not only `https://`. */
  allowHttp: boolean;
  timeoutMs: number;
  /** Delay before each retry, in ms; its length + 1 is the number of attempts. */
  retrySchedule: number[];
  /** Deliveries that fail in a row before the endpoint is disabled. */
  failuresToDisable: number;
}

/** Flags given on the command line; they win over the environment. */
export type ConfigOverrides = Partial<Pick<Config, 'host' | 'port' | 'dataDir' | 'databaseUrl' | 'logLevel' | 'workers' | 'workerPort'>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logFormat(raw: string | undefined, stdoutIsTerminal: boolean): LogFormat {
  if (raw === undefined || raw === '') return stdoutIsTerminal ? 'pretty' : 'json';
  if (raw === 'pretty' || raw === 'json') return raw;
  throw new ConfigError(`LONGRUN_LOG_FORMAT must be pretty or json, got "${raw}" (unset: pretty on a terminal, json otherwise)`);
}

function integer(name: string, raw: string | number | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "5s,5m,30m,2h" → milliseconds. */
function durations(name: string, raw: string | undefined, fallback: string): number[] {
  const text = raw === undefined || raw === '' ? fallback : raw;
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*(ms|s|m|h)\s*$/.exec(part);
    if (!match) throw new ConfigError(`${name} must be a comma-separated list of durations like 5s,5m,2h, got "${text}"`);
    return Number(match[1]) * UNIT_MS[match[2]!]!;
  });
}

/** A duration like 500ms, 5s, 1m or 2h, in milliseconds; null when `text` is not one. */
export function durationMs(text: string): number | null {
  const match = /^\s*(\d+)\s*(ms|s|m|h)\s*$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : null;
}

/** `kind=items/duration,…`, e.g. `ideas.enrich=60/1m,kb.ingest=5/1s`. */
function throttles(name: string, raw: string | undefined): Config['throttles'] {
  const limits: Config['throttles'] = {};
  for (const part of (raw ?? '').split(',').filter((p) => p.trim() !== '')) {
    const match = /^\s*([\w.:-]+)\s*=\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(part);
    const intervalMs = match ? durationMs(match[3]!) : null;
    if (!match || intervalMs === null || intervalMs < 1 || Number(match[2]) < 1) {
      throw new ConfigError(`${name} must be a comma-separated list like ideas.enrich=60/1m (kind=items/duration: ms, s, m or h), got "${raw}"`);
    }
    limits[match[1]!] = { items: Number(match[2]), intervalMs };
  }
  return limits;
}

function flag(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1, true, 0 or false, got "${raw}"`);
}

export function sqliteUrlFor(dataDir: string): string {
  return `sqlite:${path.join(dataDir, 'longrun.db')}`;
}

function databaseUrl(raw: string | undefined, dataDir: string): string {
  if (raw === undefined || raw === '') return sqliteUrlFor(dataDir);
  if (/^(sqlite:|postgres(ql)?:\/\/)/.test(raw)) return raw;
  throw new ConfigError(`LONGRUN_DATABASE_URL must start with "sqlite:" or "postgres://", got "${raw.replace(/\/\/[^@]*@/, '//***@')}"`);
}

/** `file:<dir>` (default: the clips directory) or `s3://<bucket>/<prefix>` with the standard AWS variables. */
export function storageConfig(env: NodeJS.ProcessEnv, clipsDir: string): StorageConfig {
  const publicUrls = env.LONGRUN_STORAGE_PUBLIC_URLS || 'signed';
  if (publicUrls !== 'signed' && publicUrls !== 'presigned')
    throw new ConfigError(`LONGRUN_STORAGE_PUBLIC_URLS must be signed or presigned, got "${publicUrls}"`);
  const raw = env.LONGRUN_STORAGE_URL || '';
  if (raw === '' || raw.startsWith('file:')) {
    if (publicUrls === 'presigned')
      throw new ConfigError('LONGRUN_STORAGE_PUBLIC_URLS=presigned needs an s3:// LONGRUN_STORAGE_URL (files cannot be presigned)');
    const dir = raw.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    return { driver: 'file', dir: dir ? path.resolve(dir) : clipsDir, publicUrls };
  }
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(raw);
  if (!match)
    throw new ConfigError(
      `LONGRUN_STORAGE_URL must be file:<directory> or s3://<bucket>/<prefix> (a bucket name of 3-63 lowercase letters, digits, dots or hyphens), got "${raw}"`,
    );
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '.' || part === '..'))
    throw new ConfigError(`LONGRUN_STORAGE_URL's prefix must not contain . or .. segments, got "${raw}"`);
  // S3 would keep `a//b` as a key of its own, beside `a/b`: a typo that splits the files in two.
  if (prefix.includes('//')) throw new ConfigError(`LONGRUN_STORAGE_URL's prefix must not contain an empty segment (//), got "${raw}"`);
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || null;
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint))
    throw new ConfigError(`AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL must be an http:// or https:// URL, got "${endpoint}"`);
  const accessKeyId = env.AWS_ACCESS_KEY_ID || null;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY || null;
  if ((accessKeyId === null) !== (secretAccessKey === null))
    throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be given together (or neither, to use the AWS default credential chain)');
  return {
    driver: 's3',
    bucket: match[1]!,
    prefix: prefix ? `${prefix}/` : '',
    endpoint,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    accessKeyId,
    secretAccessKey,
    pathStyle: flag('LONGRUN_STORAGE_PATH_STYLE', env.LONGRUN_STORAGE_PATH_STYLE),
    publicUrls,
  };
}

function llmConfig(env: NodeJS.ProcessEnv): LlmConfig {
  const provider = env.LONGRUN_LLM_PROVIDER || (env.LONGRUN_LLM_BASE_URL ? 'openai' : 'local');
  if (provider !== 'local' && provider !== 'openai') throw new ConfigError(`LONGRUN_LLM_PROVIDER must be local or openai, got "${provider}"`);
  const baseUrl = env.LONGRUN_LLM_BASE_URL || null;
  if (provider === 'openai' && !baseUrl)
    throw new ConfigError('LONGRUN_LLM_PROVIDER=openai needs LONGRUN_LLM_BASE_URL (e.g. https://api.openai.com or http://127.0.0.1:8000)');
  return {
    provider,
    baseUrl,
    apiKey: env.LONGRUN_LLM_API_KEY || null,
    model: env.LONGRUN_LLM_MODEL || 'gpt-4o-mini',
    timeoutMs: integer('LONGRUN_LLM_TIMEOUT_MS', env.LONGRUN_LLM_TIMEOUT_MS, 60_000, 100, 600_000),
    maxAttempts: integer('LONGRUN_LLM_MAX_ATTEMPTS', env.LONGRUN_LLM_MAX_ATTEMPTS, 3, 1, 10),
  };
}

const TRACE_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/**
 * Traces are exported only when an OTLP endpoint is named (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and the standard switches do not turn them off
 * (`OTEL_SDK_DISABLED=true`, `OTEL_TRACES_EXPORTER=none`).
 */
function tracingConfig(env: NodeJS.ProcessEnv): TracingConfig | null {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || 'otlp';
  if (exporter === 'none') return null;
  if (exporter !== 'otlp') throw new ConfigError(`OTEL_TRACES_EXPORTER must be otlp or none, got "${env.OTEL_TRACES_EXPORTER}"`);
  // The traces-specific setting wins over the general one, as the OpenTelemetry specification says.
  const name = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = env[name]?.trim() || 'http/protobuf';
  if (protocol === 'grpc') throw new ConfigError(`${name}=grpc is not supported (no gRPC exporter is installed); use http/protobuf or http/json`);
  if (!(TRACE_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new ConfigError(`${name} must be http/protobuf or http/json, got "${protocol}"`);
  }
  return { protocol: protocol as TracingConfig['protocol'], serviceName: env.OTEL_SERVICE_NAME?.trim() || 'longrun' };
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env, stdoutIsTerminal = Boolean(process.stdout.isTTY)): Config {
  const dataDir = path.resolve(overrides.dataDir ?? env.LONGRUN_DATA_DIR ?? './data');
  const clipsDir = path.resolve(env.LONGRUN_CLIPS_DIR || path.join(dataDir, 'clips'));
  const logLevel = (overrides.logLevel ?? env.LONGRUN_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LONGRUN_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const config: Config = {
    host: overrides.host ?? env.HOST ?? '127.0.0.1',
    port: integer('PORT', overrides.port ?? env.PORT, 8080, 0, 65535),
    dataDir,
    databaseUrl: databaseUrl(overrides.databaseUrl ?? env.LONGRUN_DATABASE_URL, dataDir),
    dbPoolSize: integer('LONGRUN_DB_POOL_SIZE', env.LONGRUN_DB_POOL_SIZE, 10, 1, 1000),
    bodyLimitBytes: integer('LONGRUN_BODY_LIMIT', env.LONGRUN_BODY_LIMIT, 1024 * 1024, 1024, 1024 ** 3),
    profilesBodyLimitBytes: integer('LONGRUN_PROFILES_BODY_LIMIT', env.LONGRUN_PROFILES_BODY_LIMIT, 16 * 1024 * 1024, 1024, 1024 ** 3),
    rateLimitMax: integer('LONGRUN_RATE_LIMIT_MAX', env.LONGRUN_RATE_LIMIT_MAX, 600, 1, 10_000_000),
    rateLimitWindowMs: integer('LONGRUN_RATE_LIMIT_WINDOW_MS', env.LONGRUN_RATE_LIMIT_WINDOW_MS, 60_000, 1000, 86_400_000),
    idempotencyTtlHours: integer('LONGRUN_IDEMPOTENCY_TTL_HOURS', env.LONGRUN_IDEMPOTENCY_TTL_HOURS, 24, 1, 24 * 365),
    initialCredits: integer('LONGRUN_INITIAL_CREDITS', env.LONGRUN_INITIAL_CREDITS, 100, 0, 1_000_000_000),
    shutdownGraceMs: integer('LONGRUN_SHUTDOWN_GRACE_MS', env.LONGRUN_SHUTDOWN_GRACE_MS, 10_000, 0, 600_000),
    logLevel,
    logFormat: logFormat(env.LONGRUN_LOG_FORMAT, stdoutIsTerminal),
    workers: integer('LONGRUN_WORKERS', overrides.workers ?? env.LONGRUN_WORKERS, 4, 0, 256),
    workerPort: integer('LONGRUN_WORKER_PORT', overrides.workerPort ?? env.LONGRUN_WORKER_PORT, 8081, 0, 65535),
    orgConcurrency: integer('LONGRUN_ORG_CONCURRENCY', env.LONGRUN_ORG_CONCURRENCY, 2, 1, 256),
    prefetch: integer('LONGRUN_PREFETCH', env.LONGRUN_PREFETCH, 0, 0, 1000),
    throttles: throttles('LONGRUN_THROTTLES', env.LONGRUN_THROTTLES),
    leaseMs: integer('LONGRUN_LEASE_MS', env.LONGRUN_LEASE_MS, 30_000, 300, 3_600_000),
    processHeartbeatMs: integer('LONGRUN_PROCESS_HEARTBEAT_MS', env.LONGRUN_PROCESS_HEARTBEAT_MS, 5_000, 100, 300_000),
    retentionDays: integer('LONGRUN_RETENTION_DAYS', env.LONGRUN_RETENTION_DAYS, 30, 1, 3650),
    demoKinds: flag('LONGRUN_DEMO_KINDS', env.LONGRUN_DEMO_KINDS),
    demoLogFile: env.LONGRUN_DEMO_LOG || null,
    llm: llmConfig(env),
    tracing: tracingConfig(env),
    clips: {
      dir: clipsDir,
      maxUploadBytes: integer('LONGRUN_CLIP_MAX_BYTES', env.LONGRUN_CLIP_MAX_BYTES, 2 * 1024 ** 3, 1024, 1024 ** 4),
      ffmpegPath: env.LONGRUN_FFMPEG || null,
      ffprobePath: env.LONGRUN_FFPROBE || null,
      urlTtlSeconds: integer('LONGRUN_RENDER_URL_TTL_SECONDS', env.LONGRUN_RENDER_URL_TTL_SECONDS, 86_400, 1, 365 * 86_400),
      uploadTtlHours: integer('LONGRUN_UPLOAD_TTL_HOURS', env.LONGRUN_UPLOAD_TTL_HOURS, 24, 1, 24 * 30),
    },
    storage: storageConfig(env, clipsDir),
    webhooks: {
      allowPrivate: flag('LONGRUN_WEBHOOK_ALLOW_PRIVATE', env.LONGRUN_WEBHOOK_ALLOW_PRIVATE),
      allowHttp: flag('LONGRUN_WEBHOOK_ALLOW_HTTP', env.LONGRUN_WEBHOOK_ALLOW_HTTP),
      timeoutMs: integer('LONGRUN_WEBHOOK_TIMEOUT_MS', env.LONGRUN_WEBHOOK_TIMEOUT_MS, 15_000, 100, 120_000),
      retrySchedule: durations('LONGRUN_WEBHOOK_RETRY_SCHEDULE', env.LONGRUN_WEBHOOK_RETRY_SCHEDULE, '5s,5m,30m,2h,5h,10h,14h,20h,24h'),
      failuresToDisable: integer('LONGRUN_WEBHOOK_FAILURES_TO_DISABLE', env.LONGRUN_WEBHOOK_FAILURES_TO_DISABLE, 5, 1, 1000),
    },
  };
  // SigV4 presigned URLs live at most 7 days; a longer TTL could not be kept.
  if (config.storage.publicUrls === 'presigned' && config.clips.urlTtlSeconds > 7 * 86_400)
    throw new ConfigError(
      'LONGRUN_RENDER_URL_TTL_SECONDS must be at most 604800 (7 days, the limit of a presigned S3 URL) with LONGRUN_STORAGE_PUBLIC_URLS=presigned',
    );
  return config;
}
