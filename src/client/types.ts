/**
 * The shapes the client sends and receives, derived from the TypeBox schemas the server
 * validates and serialises with — so a route's type cannot drift from the route. Every import
 * here is `import type` from a schema module (a `schemas.ts`, which imports only TypeBox): the
 * client loads nothing at run time, and a consumer's tsc checks none of the server's code.
 *
 * Two adjustments, both to request shapes: TypeBox's `Static` keeps a property that has a
 * `default` required, but the server fills such properties in, so the client lets callers leave
 * them out (`WithDefaults`); and query strings are all optional for the same reason.
 */
import type { Static } from '@sinclair/typebox';
import type {
  AgentDeleted as AgentDeletedSchema,
  AgentPostView,
  AgentRunView,
  AgentsPage as AgentsPageSchema,
  AgentView,
  CreateBody as AgentCreateSchema,
  OutputsPage,
  OutputsQuery,
  PatchBody as AgentPatchSchema,
  RunAccepted,
  RunsPage,
  SchedulePreview,
  SchedulePreviewQuery,
  Stats,
  StatsQuery,
} from '../families/agents/schemas.ts';
import type {
  CandidateBody,
  CandidateView,
  CaptionsAnswer,
  ClipDeleted as ClipDeletedSchema,
  ClipsPage as ClipsPageSchema,
  ClipView,
  ImportBody,
  RenderAccepted as RenderAcceptedSchema,
  RenderBody,
  RenderJob as RenderJobSchema,
  SourceUrl as SourceUrlSchema,
  StartUploadBody,
  UploadView,
} from '../families/clips/schemas.ts';
import type {
  BulkBody as BulkBodySchema,
  BulkResults as BulkResultsSchema,
  RerunAccepted as RerunAcceptedSchema,
  RerunBody as RerunBodySchema,
  FailuresQuery as FailuresQuerySchema,
  FailuresView,
  ItemsPage as ItemsPageSchema,
  ItemView,
  JobEventType,
  JobsPage as JobsPageSchema,
  JobsQuery as JobsQuerySchema,
  JobView,
} from '../engine/schemas.ts';
import type { JobStats as JobStatsSchema, JobStatsQuery as JobStatsQuerySchema } from '../engine/schemas.ts';
import type {
  CreditHistory as CreditHistorySchema,
  CreditHistoryQuery as CreditHistoryQuerySchema,
  LedgerByJobPage as LedgerByJobPageSchema,
  LedgerQuery as LedgerQuerySchema,
} from '../http/schemas.ts';
import type {
  CreateKbBody,
  DocsPage,
  DocUploadQuery,
  DocView,
  KbDeleted as KbDeletedSchema,
  KbsPage as KbsPageSchema,
  KbView,
  SearchAnswer,
  SearchBody,
} from '../families/ideas/kb/schemas.ts';
import type {
  Accepted as EnrichmentAcceptedSchema,
  Completed as EnrichmentCompletedSchema,
  EnrichmentInput as EnrichmentInputSchema,
  Processing as EnrichmentProcessingSchema,
  ProfileResult as ProfileResultSchema,
} from '../families/sourcing/enrichment/schemas.ts';
import type { EnrichAccepted, EnrichDrafts, EnrichJob, IdeaEnrichInput as IdeaEnrichInputSchema } from '../families/ideas/drafts/schemas.ts';
import type { Accepted as SleepAcceptedSchema, SubmitBody as SleepBodySchema } from '../families/demo/schemas.ts';
import type {
  Accepted as SourcingAcceptedSchema,
  Completed as SourcingCompletedSchema,
  Processing as SourcingProcessingSchema,
  RunFailed,
  SourcingInput as SourcingInputSchema,
} from '../families/sourcing/runs/schemas.ts';
import type { Candidate as CandidateSchema } from '../families/sourcing/scoring/schemas.ts';
import type {
  Balance as BalanceSchema,
  LedgerEntry as LedgerEntrySchema,
  LedgerPage as LedgerPageSchema,
  KeyCreateBody,
  KeyCreated,
  KeysPage,
  KeyView,
  Me as MeSchema,
  PageQuery as PageQuerySchema,
  ProcessesList as ProcessesListSchema,
  ProcessView,
} from '../http/schemas.ts';
import type {
  ImportResult as ImportResultSchema,
  ProfileAnswer as ProfileAnswerSchema,
  ProfileDeleted as ProfileDeletedSchema,
  ProfilesPage as ProfilesPageSchema,
  ProfileView,
  Resume as ResumeSchema,
} from '../families/sourcing/talentPool/schemas.ts';
import type {
  CreateBody as WebhookCreateSchema,
  DeliveriesPage as DeliveriesPageSchema,
  DeliveryView,
  EndpointDeleted,
  EndpointsPage as EndpointsPageSchema,
  EndpointView,
  PatchBody as WebhookPatchSchema,
  TestAnswer,
  WebhookBody,
} from '../families/webhooks/schemas.ts';

/** `T` with the keys `K` optional: the server supplies their defaults. */
export type WithDefaults<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type PageQuery = Partial<Static<typeof PageQuerySchema>>;

// account
export type Me = Static<typeof MeSchema>;
export type Balance = Static<typeof BalanceSchema>;
export type LedgerEntry = Static<typeof LedgerEntrySchema>;
export type LedgerPage = Static<typeof LedgerPageSchema>;
export type LedgerQuery = Partial<Static<typeof LedgerQuerySchema>>;
/** `GET /credits/ledger/jobs`: the ledger grouped by job. */
export type LedgerByJobPage = Static<typeof LedgerByJobPageSchema>;
export type LedgerGroup = LedgerByJobPage['groups'][number];
/** `GET /credits/history`: the balance over time. */
export type CreditHistory = Static<typeof CreditHistorySchema>;
export type CreditHistoryQuery = Partial<Static<typeof CreditHistoryQuerySchema>>;

// API keys (`keys:write`)
export type ApiKey = Static<typeof KeyView>;
export type ApiKeysPage = Static<typeof KeysPage>;
export type ApiKeyCreateBody = Static<typeof KeyCreateBody>;
/** The new key's view with `key`, the whole key: in this answer only. */
export type ApiKeyCreated = Static<typeof KeyCreated>;

// operators
/** One `serve` or `worker` process of `GET /workers`. */
export type WorkerProcess = Static<typeof ProcessView>;
export type ProcessesList = Static<typeof ProcessesListSchema>;

// jobs
export type Job = Static<typeof JobView>;
export type JobItem = Static<typeof ItemView>;
export type JobStatus = Job['status'];
export type JobsQuery = Partial<Static<typeof JobsQuerySchema>>;
export type JobsPage = Static<typeof JobsPageSchema>;
/** `GET /stats/jobs`: now, and the last hour or day in buckets. */
export type JobStats = Static<typeof JobStatsSchema>;
export type JobStatsQuery = Partial<Static<typeof JobStatsQuerySchema>>;
export type ItemsPage = Static<typeof ItemsPageSchema>;
export type FailuresQuery = Static<typeof FailuresQuerySchema>;
export type Failures = Static<typeof FailuresView>;
export type BulkBody = Static<typeof BulkBodySchema>;
export type BulkResults = Static<typeof BulkResultsSchema>;
export type RerunBody = Static<typeof RerunBodySchema>;
export type RerunAccepted = Static<typeof RerunAcceptedSchema>;

/**
 * One event of `GET /jobs/{id}/events`. The stream has no TypeBox schema (it is not JSON); the
 * `data` of each type is what the engine answers with it (see src/engine: sql/jobsRead.ts
 * `eventsDerived` for the lifecycle events, sql/jobProgress.ts for progress,
 * sql/itemRetryingEvent.ts for retries).
 */
export type JobEvent = {
  [T in JobEventType]: { seq: number; type: T; jobId: string; data: JobEventData[T]; createdAt: string };
}[JobEventType];

export interface JobEndData {
  status: 'completed' | 'failed' | 'canceled';
  succeeded: number;
  failed: number;
  total: number;
  /**
   * Items that had not finished when the job ended, now `canceled` (0 for a completed job).
   * Absent from the events of jobs that ended before migration 0014.
   */
  canceled?: number;
  creditsCharged: number;
  errorCode?: string;
  errorMessage?: string;
}

export interface JobEventData {
  'job.queued': { kind: string; items: number; runAt: string };
  'job.started': { attempt: number };
  /**
   * An item's attempt failed with a temporary error; it runs again from `retryAt`. `attempt` is
   * the attempt that failed (1 for the first); `errorMessage` is cut at 1,000 characters.
   * Jobs that retried before this event existed have none: their item rows still count attempts.
   */
  'item.retrying': { key: string; attempt: number; errorCode: string; errorMessage: string; retryAt: string };
  'item.succeeded': { key: string };
  'item.failed': { key: string; errorCode: string; errorMessage: string };
  'job.progress': { fraction: number };
  'job.completed': JobEndData;
  'job.failed': JobEndData;
  'job.canceled': JobEndData;
}

// sourcing family: talent pool, sourcing runs, enrichment runs
export type Resume = Static<typeof ResumeSchema>;
export type Candidate = Static<typeof CandidateSchema>;
export type ImportResult = Static<typeof ImportResultSchema>;
export type ProfilesPage = Static<typeof ProfilesPageSchema>;
export type Profile = Static<typeof ProfileView>;
/** `GET /profiles/{id}`: the profile, flat, with `success: true` as the sourcing family answers. */
export type ProfileAnswer = Static<typeof ProfileAnswerSchema>;
export type ProfileDeleted = Static<typeof ProfileDeletedSchema>;
export type SourcingInput = WithDefaults<Static<typeof SourcingInputSchema>, 'limit'>;
export type SourcingAccepted = Static<typeof SourcingAcceptedSchema>;
export type RunFailedAnswer = Static<ReturnType<typeof RunFailed>>;
/** `GET /sourcing/{id}/results`: 202 processing, or 200 completed or failed. */
export type SourcingResults = Static<typeof SourcingProcessingSchema> | Static<typeof SourcingCompletedSchema> | RunFailedAnswer;
export type EnrichmentInput = Static<typeof EnrichmentInputSchema>;
export type EnrichmentAccepted = Static<typeof EnrichmentAcceptedSchema>;
/** One profile of a completed enrichment run: its candidate, or why it could not be enriched. */
export type EnrichmentProfileResult = Static<typeof ProfileResultSchema>;
/** `GET /sourcing/enrich/{id}/results`: 202 processing, or 200 completed or failed. */
export type EnrichmentResults = Static<typeof EnrichmentProcessingSchema> | Static<typeof EnrichmentCompletedSchema> | RunFailedAnswer;

// clips
export type Clip = Static<typeof ClipView>;
export type ClipCandidate = Static<typeof CandidateView>;
export type ClipsPage = Static<typeof ClipsPageSchema>;
export type ClipDeleted = Static<typeof ClipDeletedSchema>;
export type ClipImportBody = Static<typeof ImportBody>;
export type ClipCandidateBody = Static<typeof CandidateBody>;
export type Upload = Static<typeof UploadView>;
export type UploadStartBody = Static<typeof StartUploadBody>;
export type CaptionsResult = Static<typeof CaptionsAnswer>;
export type RenderRequest = Static<typeof RenderBody>;
export type RenderAccepted = Static<typeof RenderAcceptedSchema>;
export type RenderJob = Static<typeof RenderJobSchema>;
export type ClipSourceUrl = Static<typeof SourceUrlSchema>;

// knowledge bases
export type Kb = Static<typeof KbView>;
export type KbDoc = Static<typeof DocView>;
export type KbCreateBody = Static<typeof CreateKbBody>;
export type KbsPage = Static<typeof KbsPageSchema>;
export type KbDeleted = Static<typeof KbDeletedSchema>;
export type KbDocsPage = Static<typeof DocsPage>;
export type KbDocUploadQuery = Static<typeof DocUploadQuery>;
export type KbSearchBody = Static<typeof SearchBody>;
export type KbSearchResults = Static<typeof SearchAnswer>;

// ideas
export type IdeaEnrichInput = Static<typeof IdeaEnrichInputSchema>;
export type IdeaEnrichAccepted = Static<typeof EnrichAccepted>;
export type IdeaEnrichJob = Static<typeof EnrichJob>;
export type IdeaDrafts = Static<typeof EnrichDrafts>;

// agents
export type Agent = Static<typeof AgentView>;
export type AgentCreateBody = Static<typeof AgentCreateSchema>;
export type AgentPatchBody = Static<typeof AgentPatchSchema>;
export type AgentsPage = Static<typeof AgentsPageSchema>;
export type AgentDeleted = Static<typeof AgentDeletedSchema>;
export type AgentRunAccepted = Static<typeof RunAccepted>;
export type AgentRun = Static<typeof AgentRunView>;
export type AgentRunsPage = Static<typeof RunsPage>;
export type AgentPost = Static<typeof AgentPostView>;
export type AgentOutputsQuery = Partial<Static<typeof OutputsQuery>>;
export type AgentOutputsPage = Static<typeof OutputsPage>;
export type AgentStatsQuery = Static<typeof StatsQuery>;
export type AgentStats = Static<typeof Stats>;
export type AgentSchedulePreviewQuery = WithDefaults<Static<typeof SchedulePreviewQuery>, 'timezone' | 'count'>;
export type AgentSchedulePreview = Static<typeof SchedulePreview>;

// webhooks
export type WebhookEndpoint = Static<typeof EndpointView>;
export type WebhookDelivery = Static<typeof DeliveryView>;
export type WebhookCreateBody = Static<typeof WebhookCreateSchema>;
export type WebhookPatchBody = Static<typeof WebhookPatchSchema>;
export type WebhookEndpointsPage = Static<typeof EndpointsPageSchema>;
export type WebhookDeleted = Static<typeof EndpointDeleted>;
export type WebhookDeliveriesPage = Static<typeof DeliveriesPageSchema>;
export type WebhookTestResult = Static<typeof TestAnswer>;
/** The body of a delivery, as `verifyWebhook` (longrun/client/webhooks) returns it. */
export type WebhookEvent = WebhookBody;

// the demonstration kind (LONGRUN_DEMO_KINDS=1)
export type SleepRequest = WithDefaults<Static<typeof SleepBodySchema>, 'items' | 'ms' | 'fail' | 'flaky' | 'hang'>;
export type SleepAccepted = Static<typeof SleepAcceptedSchema>['data'];
