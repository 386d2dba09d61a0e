/**
 * API keys: `lr_<keyId>_<secret>`, where the secret is 32 random bytes (base64url).
 *
 * Guarantees: the key is shown once, at creation; only SHA-256 of the secret is stored (a fast
 * hash is enough for 256 bits of entropy, where a password hash would only slow every request);
 * the stored and offered hashes are compared in constant time, and an unknown key ID costs the
 * same comparison, so timing does not tell a caller which part was wrong.
 */
import crypto from 'node:crypto';
import { nowIso } from '../ids.ts';
import { apiKeyFindById, apiKeyInsert, type ApiKeyRow } from '../store/apiKeys.ts';
import type { Db } from '../store/database.ts';
import { newId } from '../ids.ts';

export const PRODUCT_SCOPES = [
  'sourcing:read',
  'sourcing:write',
  'enrich:read',
  'enrich:write',
  'clips:read',
  'clips:write',
  'agents:read',
  'agents:write',
  'kb:read',
  'kb:write',
  'webhooks:read',
  'webhooks:write',
] as const;

/** Operator scopes are never implied by an empty scope list: they must be granted by name. */
export const OPERATOR_SCOPES = ['metrics:read', 'workers:read'] as const;

export type Scope = (typeof PRODUCT_SCOPES)[number] | (typeof OPERATOR_SCOPES)[number];

const ALL_SCOPES: readonly string[] = [...PRODUCT_SCOPES, ...OPERATOR_SCOPES];

export function isScope(value: string): value is Scope {
  return ALL_SCOPES.includes(value);
}

/**
 * Whether a key with `granted` scopes may use a route that needs `required`.
 * No scopes means every product scope; `x:write` includes `x:read`.
 */
export function scopeAllows(granted: readonly string[], required: Scope): boolean {
  if (granted.length === 0) return (PRODUCT_SCOPES as readonly string[]).includes(required);
  if (granted.includes(required)) return true;
  return required.endsWith(':read') && granted.includes(required.replace(/:read$/, ':write'));
}

const KEY_PATTERN = /^lr_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): string {
  return crypto.hash('sha256', secret, 'hex');
}

export interface CreatedKey {
  row: ApiKeyRow;
  /** The full key: shown to its owner once, never stored. */
  key: string;
}

export async function apiKeyCreate(db: Db, input: { orgId: string; name?: string; scopes?: Scope[]; rateLimit?: number | null }): Promise<CreatedKey> {
  const id = newId('key');
  const secret = crypto.randomBytes(32).toString('base64url');
  const row: ApiKeyRow = {
    id,
    org_id: input.orgId,
    name: input.name ?? 'default',
    secret_hash: hashSecret(secret),
    scopes: JSON.stringify(input.scopes ?? []),
    rate_limit: input.rateLimit ?? null,
    created_at: nowIso(),
    last_used_at: null,
    revoked_at: null,
  };
  await apiKeyInsert(db, row);
  return { row, key: `lr_${id.slice('key_'.length)}_${secret}` };
}

export type KeyCheck = { ok: true; row: ApiKeyRow } | { ok: false; reason: 'invalid' | 'revoked' };

// Compared against when the key ID is unknown, so that path costs what a known one does.
const DECOY_HASH = hashSecret('decoy');

export async function apiKeyVerify(db: Db, presented: string): Promise<KeyCheck> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return { ok: false, reason: 'invalid' };
  const row = await apiKeyFindById(db, `key_${match[1]}`);
  const expected = Buffer.from(row?.secret_hash ?? DECOY_HASH, 'hex');
  const offered = Buffer.from(hashSecret(match[2]!), 'hex');
  const equal = crypto.timingSafeEqual(expected, offered);
  if (!row || !equal) return { ok: false, reason: 'invalid' };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  return { ok: true, row };
}
