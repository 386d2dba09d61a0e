/**
 * Row types of every table, as Kysely sees them. Timestamps are ISO 8601 strings in UTC
 * (they sort as text on both SQLite and PostgreSQL); JSON columns hold JSON text.
 */
export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  /** SHA-256 of the key's secret part, hex. The key itself is never stored. */
  secret_hash: string;
  /** JSON array of scope names; empty means every product scope. */
  scopes: string;
  /** Requests per rate-limit window for this key; null means the server default. */
  rate_limit: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type LedgerEntryKind = 'grant' | 'reserve' | 'charge' | 'release';

export interface CreditAccountsTable {
  org_id: string;
  /** Credits that can still be reserved or spent. */
  available: number;
  /** Credits set aside for work in progress. */
  reserved: number;
  updated_at: string;
}

export interface CreditLedgerTable {
  id: string;
  org_id: string;
  kind: LedgerEntryKind;
  amount: number;
  /** What the entry is for: a job ID for reservations, charges and releases. */
  ref: string | null;
  /** Which part of `ref`: an item key for per-item charges. */
  item_ref: string | null;
  note: string | null;
  created_at: string;
}

export interface IdempotencyKeysTable {
  org_id: string;
  key: string;
  request_hash: string;
  /** `pending` while the first request runs, `done` once its response is stored. */
  state: 'pending' | 'done';
  response_status: number | null;
  response_body: string | null;
  created_at: string;
  expires_at: string;
}

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';
/** `canceled`: the item had not finished when its job ended (canceled, or failed outside its items). */
export type ItemStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'canceled';

export interface JobsTable {
  id: string;
  org_id: string;
  kind: string;
  status: JobStatus;
  input: string;
  output: string | null;
  error_code: string | null;
  error_message: string | null;
  priority: number;
  /** How many times a worker has claimed the job. */
  attempts: number;
  run_at: string;
  /** When a worker may next claim it; null once finished. See migration 0002. */
  available_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  items_total: number;
  items_succeeded: number;
  items_failed: number;
  credits_reserved: number;
  credits_charged: number;
  last_event_seq: number;
  /** 0…1 within the running item, when the kind reports progress. */
  progress: number | null;
  /** Jobs sharing a queue run one at a time, oldest first (e.g. `agent:<id>`); null for none. */
  queue: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

export interface JobItemsTable {
  job_id: string;
  seq: number;
  key: string;
  status: ItemStatus;
  input: string | null;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  /** Not before this time (retry backoff). */
  available_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobEventsTable {
  job_id: string;
  seq: number;
  type: string;
  data: string;
  created_at: string;
}

export interface EngineOrgTurnsTable {
  org_id: string;
  active_jobs: number;
  last_served_at: string | null;
}

export interface ProfilesTable {
  id: string;
  org_id: string;
  name: string;
  headline: string | null;
  location: string | null;
  linkedin_url: string | null;
  /** JSON array of strings. */
  emails: string;
  /** The JSON Resume document, as JSON text. */
  resume: string;
  /** SQLite only: the profile's row in the FTS5 index. */
  search_rowid: number | null;
  created_at: string;
  updated_at: string;
}

export interface ProfileIdentitiesTable {
  org_id: string;
  kind: 'email' | 'linkedin';
  value: string;
  profile_id: string;
}

export interface SourcingRunProfilesTable {
  run_id: string;
  org_id: string;
  profile_id: string;
  rank: number;
  match_score: number;
  created_at: string;
}

export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  name: string | null;
  url: string;
  /** JSON array of event types or ["*"]. */
  events: string;
  /** JSON array of {name, value}. */
  headers: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  /** 1 or 0 (SQLite has no boolean). */
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  org_id: string;
  event_type: string;
  payload: string;
  job_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  response_snippet: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookDeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export type ClipStatus = 'uploading' | 'processing' | 'ready' | 'rendering' | 'rendered' | 'failed';

export interface ClipsTable {
  id: string;
  org_id: string;
  name: string;
  status: ClipStatus;
  error: string | null;
  /** Relative to the clips directory. */
  source_path: string | null;
  file_size: number | null;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  video_codec: string | null;
  audio_codec: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClipCandidatesTable {
  id: string;
  clip_id: string;
  start_ms: number;
  end_ms: number;
  title: string;
  score: number | null;
  source: 'detected' | 'user';
  created_at: string;
}

export interface ClipCaptionsTable {
  clip_id: string;
  format: string;
  /** JSON array of {startMs, endMs, text}. */
  cues: string;
  created_at: string;
}

export interface ClipRendersTable {
  job_id: string;
  clip_id: string;
  org_id: string;
  candidate_id: string;
  template: string;
  captions: number;
  output_path: string | null;
  created_at: string;
}

export interface ClipUploadsTable {
  id: string;
  org_id: string;
  name: string;
  file_name: string;
  size: number;
  part_size: number;
  /** JSON object: part number → SHA-256 hex. */
  parts: string;
  created_at: string;
  expires_at: string;
}

export interface ServerSettingsTable {
  key: string;
  value: string;
}

export interface KbsTable {
  id: string;
  org_id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface KbDocsTable {
  id: string;
  kb_id: string;
  org_id: string;
  uri: string;
  title: string | null;
  content_type: string;
  status: 'processing' | 'indexed' | 'failed';
  error: string | null;
  /** Uploaded bytes (base64) until ingested. */
  source: string | null;
  chunks: number;
  created_at: string;
  updated_at: string;
}

export interface KbChunksTable {
  id: string;
  doc_id: string;
  kb_id: string;
  seq: number;
  heading: string | null;
  content: string;
  search_rowid: number | null;
}

export type Tone = 'professional' | 'casual' | 'educational' | 'inspirational' | 'humorous';

export interface AgentsTable {
  id: string;
  org_id: string;
  name: string;
  kb_id: string | null;
  /** JSON array of platform names. */
  platforms: string;
  posts_per_run: number;
  /** A 5-field cron expression; null for a manual agent. */
  schedule: string | null;
  /** IANA name; the schedule is read in it. */
  timezone: string;
  instructions: string;
  tone: Tone;
  enabled: number;
  last_run_at: string | null;
  /** The next tick to fire; null when nothing is scheduled (manual or disabled). */
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AgentRunsTable {
  /** The job's ID (`run_<ULID>`), or its own for a run refused before it had a job. */
  id: string;
  agent_id: string;
  org_id: string;
  job_id: string | null;
  trigger: 'manual' | 'schedule';
  /** The cron tick a scheduled run fires for; unique per agent. */
  scheduled_for: string | null;
  /** JSON array of the passage IDs written about. */
  passages: string;
  /** Copied from the job when it ends. */
  final_status: 'completed' | 'failed' | null;
  error: string | null;
  /** When the run was triggered. */
  created_at: string;
  completed_at: string | null;
}

export interface AgentPostsTable {
  id: string;
  run_id: string;
  agent_id: string;
  org_id: string;
  item_key: string;
  platform: string;
  topic: string;
  title: string | null;
  content: string;
  /** JSON array of cited URIs. */
  sources: string;
  tokens_used: number;
  created_at: string;
}

export interface Database {
  organisations: OrganisationsTable;
  api_keys: ApiKeysTable;
  credit_accounts: CreditAccountsTable;
  credit_ledger: CreditLedgerTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  job_items: JobItemsTable;
  job_events: JobEventsTable;
  engine_org_turns: EngineOrgTurnsTable;
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
}
