/** Organisations, their API keys, credits and idempotency records, and the server's own settings. */
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
  /** Headers of the stored response that a replay sends again, as a JSON object (0022). */
  response_headers: string | null;
  created_at: string;
  expires_at: string;
}

export interface ServerSettingsTable {
  key: string;
  value: string;
}
