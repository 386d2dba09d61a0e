/** The webhooks family's tables: endpoints, deliveries and their attempts. */
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
