/**
 * The engine's one public entry: everything outside src/engine imports the engine from here,
 * never its modules (test/engine/publicEntry.test.ts keeps it so). What is here is the engine's
 * contract — the engine, the kinds that plug into it, job and item rows and their views, the
 * reads the routes need, the waits — and what is not can change without a caller noticing.
 */
export { Engine, type EngineActivity, type EngineOptions, type EngineStopSummary } from './engine.ts';
export { EngineSignals, type RelayedSignal } from './signals.ts';
export type { EngineObserver, ObservedItemOutcome, ObservedJob } from './observer.ts';
export { relaySignals } from './signalRelay.ts';
export { ItemTimeoutError, PermanentError, RetryableError } from './errors.ts';
export {
  defineKind,
  kindScopeFor,
  type CommitContext,
  type FinishedItem,
  type ItemPricing,
  type ItemSpec,
  type JobKind,
  type JobOutcome,
  type KindScope,
  type ProcessContext,
  type ScopeFamily,
} from './kind.ts';
export type { SubmitRequest } from './submit.ts';
export { throttleLimitCheck, type ThrottleLimit } from './throttle.ts';
export type { WaitingReason } from './waitingReason.ts';
export type { CancelResult } from './sql/jobCancel.ts';
export type { EndedJob, EventRow, ItemRow, JobEventType, JobFinishedHook, JobRow } from './types.ts';

export {
  BulkBody,
  BulkResults,
  RerunAccepted,
  RerunBody,
  FailuresQuery,
  FailuresView,
  ItemsPage,
  ItemView,
  JobsPage,
  JobsQuery,
  JobStatusSchema,
  JobView,
  MAX_BULK,
} from './schemas.ts';
export { isFinished, itemView, jobView } from './views.ts';
export { MAX_WAIT_SECONDS, waitForJobChange, waitForJobEnd } from './waitForChange.ts';

// Reads, each scoped as its module says.
export { eventsAfter, itemsAllForJob, itemsPageForJob, jobGetForOrg, jobIdsForOrgByKind, jobsPageForOrg } from './sql/jobsRead.ts';
export { type FailureCount, failuresCountByCode } from './sql/jobsFailures.ts';

// Reruns of what did not succeed.
export { itemsWithReruns, jobRerun, jobRerunOf, type RerunHost, type RerunOutcome } from './rerun.ts';
export { TERMINAL_EVENTS } from './sql/eventAppend.ts';

// The organisation's jobs in figures (`GET /stats/jobs`).
export { JobStats, JobStatsQuery, MAX_FAILURE_CODES, STATS_WINDOWS, type StatsWindow } from './schemas.ts';
export { jobsStatsForOrg, type JobStatsRows, type JobStatsWindow } from './sql/jobsStats.ts';

// The queue as metrics read it.
export { jobsOpenByKind, type OpenJobsOfKind } from './sql/jobsOpenByKind.ts';

// Maintenance.
export { jobsDeleteFinishedBefore } from './sql/jobsMaintenance.ts';
