/**
 * The scopes an API key can hold, and what a key's scopes allow. Product scopes bound the
 * families' routes (`x:write` includes `x:read`; a key with none holds every product scope);
 * operator scopes describe the whole server and `keys:write` makes and revokes keys: both are
 * held only when granted by name.
 */
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

/**
 * `keys:write` lists, makes and revokes the organisation's keys (`/keys`). No other scope implies
 * it, an empty list included, and there is no `keys:read`: a key that can see keys can make them.
 */
export const KEY_SCOPES = ['keys:write'] as const;

export type Scope = (typeof PRODUCT_SCOPES)[number] | (typeof OPERATOR_SCOPES)[number] | (typeof KEY_SCOPES)[number];

export const ALL_SCOPES: readonly Scope[] = [...PRODUCT_SCOPES, ...OPERATOR_SCOPES, ...KEY_SCOPES];

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
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

/**
 * The scopes of `wanted` (a key's scope list; empty: every product scope) that a key with
 * `granted` does not hold. Empty when a key with `granted` may make or revoke a key with `wanted`.
 */
export function scopesNotHeld(granted: readonly string[], wanted: readonly string[]): string[] {
  const asked = wanted.length === 0 ? PRODUCT_SCOPES : wanted;
  return asked.filter((scope) => !isScope(scope) || !scopeAllows(granted, scope));
}
