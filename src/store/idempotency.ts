/**
 * Idempotency records: the first response to a POST carrying an `Idempotency-Key`, kept so a
 * retry of the same request gets the same answer. Keyed per organisation.
 *
 * A pending record is a claim: the request that inserted it is known by its `created_at` and
 * `request_hash`, and the `…Claim` statements below change the record only while it is still
 * that claim, so a late write (retried after a database fault) never touches a later claim.
 */
import type { Selectable } from 'kysely';
import type { Db } from './database.ts';
import type { IdempotencyKeysTable } from './schema.ts';
import { isUniqueViolation } from './dialect.ts';

export type IdempotencyRecord = Selectable<IdempotencyKeysTable>;

/** A response as stored: status, body, and the headers a replay sends again. */
export interface StoredResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

function responseColumns(response: StoredResponse) {
  const headers = response.headers && Object.keys(response.headers).length > 0 ? JSON.stringify(response.headers) : null;
  return { state: 'done' as const, response_status: response.status, response_body: response.body, response_headers: headers };
}

/** The stored headers of a record, `{}` when it has none. */
export function storedHeaders(record: Pick<IdempotencyRecord, 'response_headers'>): Record<string, string> {
  return record.response_headers ? (JSON.parse(record.response_headers) as Record<string, string>) : {};
}

export async function idempotencyGet(db: Db, orgId: string, key: string): Promise<IdempotencyRecord | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
}

/** Claims a key for a request about to run; false when another request holds it already. */
export async function idempotencyInsertPendingIfAbsent(
  db: Db,
  record: Pick<IdempotencyRecord, 'org_id' | 'key' | 'request_hash' | 'created_at' | 'expires_at'>,
): Promise<boolean> {
  try {
    await db
      .insertInto('idempotency_keys')
      .values({ ...record, state: 'pending', response_status: null, response_body: null, response_headers: null })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function idempotencyComplete(db: Db, orgId: string, key: string, response: StoredResponse): Promise<void> {
  await db.updateTable('idempotency_keys').set(responseColumns(response)).where('org_id', '=', orgId).where('key', '=', key).execute();
}

/** Who holds a key: the request that inserted its pending record. */
export interface IdempotencyClaimRow {
  orgId: string;
  key: string;
  requestHash: string;
  createdAt: string;
}

function claimRow(claim: IdempotencyClaimRow) {
  return { org_id: claim.orgId, key: claim.key, request_hash: claim.requestHash, created_at: claim.createdAt } as const;
}

/** Stores the claim's response (again, when the handler stored it in its own transaction). */
export async function idempotencyCompleteClaim(db: Db, claim: IdempotencyClaimRow, response: StoredResponse): Promise<void> {
  const row = claimRow(claim);
  await db
    .updateTable('idempotency_keys')
    .set(responseColumns(response))
    .where('org_id', '=', row.org_id)
    .where('key', '=', row.key)
    .where('request_hash', '=', row.request_hash)
    .where('created_at', '=', row.created_at)
    .execute();
}

/** Frees the key of a claim whose request failed; a record the request completed stays. */
export async function idempotencyReleaseClaim(db: Db, claim: IdempotencyClaimRow): Promise<void> {
  const row = claimRow(claim);
  await db
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', row.org_id)
    .where('key', '=', row.key)
    .where('request_hash', '=', row.request_hash)
    .where('created_at', '=', row.created_at)
    .where('state', '=', 'pending')
    .execute();
}

/**
 * Deletes the record if it is expired, or pending since before `staleBefore` (its request died
 * with its process), so the key can be used again.
 */
export async function idempotencyDeleteIfStale(db: Db, orgId: string, key: string, now: string, staleBefore: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb.and([eb('state', '=', 'pending'), eb('created_at', '<', staleBefore)])]))
    .execute();
}

/** Deletes every expired record; returns how many. */
export async function idempotencyDeleteExpired(db: Db, now: string): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
