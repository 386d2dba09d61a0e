/**
 * Row types of every table, as Kysely sees them, one module per concern in tables/. Timestamps
 * are ISO 8601 strings in UTC as the code reads and writes them (text on SQLite, timestamptz on
 * PostgreSQL, read back as the same strings); JSON columns hold JSON text.
 */
import type { ApiKeysTable, CreditAccountsTable, CreditLedgerTable, IdempotencyKeysTable, OrganisationsTable, ServerSettingsTable } from './tables/accounts.ts';
import type { ClipCandidatesTable, ClipCaptionsTable, ClipRendersTable, ClipsTable, ClipUploadsTable } from './tables/clips.ts';
import type { AgentPostsTable, AgentRunsTable, AgentsTable, KbChunksTable, KbDocsTable, KbsTable } from './tables/content.ts';
import type {
  EngineOrgTurnsTable,
  JobEventsTable,
  JobItemsTable,
  JobRerunsTable,
  JobsTable,
  ThrottleLimitsTable,
  ThrottleSlotsTable,
} from './tables/engine.ts';
import type { ProcessesTable } from './tables/processes.ts';
import type { ProfileIdentitiesTable, ProfilesTable, SourcingRunProfilesTable } from './tables/sourcing.ts';
import type { WebhookDeliveriesTable, WebhookDeliveryAttemptsTable, WebhookEndpointsTable } from './tables/webhooks.ts';

export type * from './tables/accounts.ts';
export type * from './tables/clips.ts';
export type * from './tables/content.ts';
export type * from './tables/engine.ts';
export type * from './tables/processes.ts';
export type * from './tables/sourcing.ts';
export type * from './tables/webhooks.ts';

export interface Database {
  organisations: OrganisationsTable;
  api_keys: ApiKeysTable;
  credit_accounts: CreditAccountsTable;
  credit_ledger: CreditLedgerTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  job_items: JobItemsTable;
  job_events: JobEventsTable;
  job_reruns: JobRerunsTable;
  engine_org_turns: EngineOrgTurnsTable;
  throttle_limits: ThrottleLimitsTable;
  throttle_slots: ThrottleSlotsTable;
  profiles: ProfilesTable;
  profile_identities: ProfileIdentitiesTable;
  sourcing_run_profiles: SourcingRunProfilesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  clips: ClipsTable;
  clip_candidates: ClipCandidatesTable;
  clip_captions: ClipCaptionsTable;
  clip_renders: ClipRendersTable;
  server_settings: ServerSettingsTable;
  clip_uploads: ClipUploadsTable;
  kbs: KbsTable;
  kb_docs: KbDocsTable;
  kb_chunks: KbChunksTable;
  agents: AgentsTable;
  agent_runs: AgentRunsTable;
  agent_posts: AgentPostsTable;
  processes: ProcessesTable;
}
