/** The job engine's tables: jobs, their items and events, and the organisations' turns. */
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
  /** The submission's W3C trace context (`{"traceparent":…}` as JSON), continued by the worker; null when tracing was off. */
  trace_context: string | null;
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
  /** The sequence number of the item's end event (`item.succeeded`/`failed`); null before 0021. */
  end_seq: number | null;
}

export interface JobEventsTable {
  job_id: string;
  seq: number;
  type: string;
  data: string;
  created_at: string;
}

/** A job that reruns the failed and canceled items of another (0023). */
export interface JobRerunsTable {
  job_id: string;
  rerun_of: string;
  org_id: string;
}

export interface EngineOrgTurnsTable {
  org_id: string;
  active_jobs: number;
  last_served_at: string | null;
}

/** An operator's limit on one organisation's starts of one kind (0024, `longrun throttle set`). */
export interface ThrottleLimitsTable {
  org_id: string;
  kind: string;
  items: number;
  interval_ms: number;
  updated_at: string;
}

/** When the next item of one organisation's kind may start, in ms since the epoch by the database's clock (0024). */
export interface ThrottleSlotsTable {
  org_id: string;
  kind: string;
  next_slot_ms: number;
}
