/**
 * Authentication and scopes. Every route but the public ones needs `Authorization: Bearer <key>`
 * or `x-api-key: <key>`, and a key allowed the route's `config.scope` (see `RouteScope`).
 *
 * Guarantees: a route that is not public and declares no scope cannot be added — the server
 * fails to start, naming it — so no route is open to every key by omission. A job route
 * (`job-kind:read`/`job-kind:write`) is checked twice: here, for any product scope, and in the
 * route, for the scope of the job's kind (`requireScope` once the job is loaded).
 *
 * Guarantees: the check runs in `onRequest`, before the body is read or parsed, so an
 * unauthenticated caller cannot make the server parse anything; a revoked key stops working on
 * its next request (keys are looked up per request, not cached; on SQLite the requests of one
 * event-loop turn read one snapshot, see store/sqliteReadSnapshot.ts, which a revocation in
 * this process ends at once and one in another process reaches by the next turn).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { apiKeyVerify } from '../../auth/apiKeys.ts';
import { isScope, PRODUCT_SCOPES, scopeAllows, type Scope } from '../../scopes.ts';
import { AppError } from '../../errors.ts';
import { nowIso } from '../../ids.ts';
import { apiKeyTouch } from '../../store/apiKeys.ts';
import type { Db } from '../../store/database.ts';

export interface AuthContext {
  orgId: string;
  keyId: string;
  scopes: string[];
  /** Requests per window for this key, or null for the server default. */
  rateLimit: number | null;
}

/**
 * What a key needs for a route: a scope by name, or one of these markers —
 * - `any-key`: any valid key, operator keys too (`/me`: a key may always see itself);
 * - `any-product-scope`: a key allowed at least one product scope (credits, the demo kind);
 * - `job-kind:read` / `job-kind:write`: the read or write scope of the job's kind
 *   (`JobKind.scope`), which the route checks once it has loaded the job.
 */
export type RouteScope = Scope | 'any-key' | 'any-product-scope' | 'job-kind:read' | 'job-kind:write';

const MARKERS: readonly string[] = ['any-key', 'any-product-scope', 'job-kind:read', 'job-kind:write'];

function isRouteScope(value: unknown): value is RouteScope {
  return typeof value === 'string' && (isScope(value) || MARKERS.includes(value));
}

/** Whether a key with `granted` scopes passes `needed` (before the route's own check of a job's kind). */
export function routeScopeAllows(granted: readonly string[], needed: RouteScope): boolean {
  if (needed === 'any-key') return true;
  if (needed === 'any-product-scope' || needed === 'job-kind:read' || needed === 'job-kind:write') {
    return granted.length === 0 || granted.some((scope) => (PRODUCT_SCOPES as readonly string[]).includes(scope));
  }
  return scopeAllows(granted, needed);
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** What a key needs for this route; every route that is not public must say (see `RouteScope`). */
    scope?: RouteScope;
    /** A request carrying `?signature=` may come without a key: the route checks the signature itself. */
    signedUrl?: boolean;
    /** The 401 message when no key is given, where the route's contract words it its own way. */
    missingKeyMessage?: string;
  }
}

const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/openapi.json', '/docs', '/dashboard']);

/** The dashboard's files are public: they hold no data, which the page fetches with the user's key. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return PUBLIC_PATHS.has(path) || path.startsWith('/docs/') || path.startsWith('/dashboard/');
}

/** The 403 of a key that lacks `needed`, which is named; `what` says who needs it (default: this route). */
export function requireScope(request: FastifyRequest, needed: RouteScope, what = 'this route'): void {
  if (!request.auth || routeScopeAllows(request.auth.scopes, needed)) return;
  const message =
    needed === 'any-product-scope' || needed === 'job-kind:read' || needed === 'job-kind:write'
      ? `This API key has no product scope; ${what} needs one.`
      : `This API key lacks the "${needed}" scope ${what} needs.`;
  throw new AppError('forbidden', message);
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? '';
  }
  const header = request.headers['x-api-key'];
  return Array.isArray(header) ? header[0] : header;
}

/** `last_used_at` is written at most this often per key, so reads do not each cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db }) => {
  const lastTouched = new Map<string, number>();
  app.decorateRequest('auth', null);

  // Every route added after this plugin (all product routes) must say what it needs.
  app.addHook('onRoute', (route) => {
    if (isPublicPath(route.url)) return;
    const scope: unknown = route.config?.scope;
    if (!isRouteScope(scope)) {
      throw new Error(
        `route ${String(route.method)} ${route.url} declares no valid config.scope (${JSON.stringify(scope)}): ` +
          `give it a scope, or 'any-key', 'any-product-scope', 'job-kind:read' or 'job-kind:write'`,
      );
    }
  });

  app.addHook('onRequest', async (request) => {
    if (isPublicPath(request.routeOptions.url ?? request.url)) return; // the route matched, however its path was encoded
    if (request.routeOptions.config.signedUrl && typeof (request.query as Record<string, unknown>).signature === 'string') return;
    const key = presentedKey(request);
    if (!key) throw new AppError('unauthorized', request.routeOptions.config.missingKeyMessage);
    const check = await apiKeyVerify(opts.db, key);
    if (!check.ok) throw new AppError(check.reason === 'revoked' ? 'key_revoked' : 'unauthorized');
    const { row } = check;
    request.auth = { orgId: row.org_id, keyId: row.id, scopes: JSON.parse(row.scopes) as string[], rateLimit: row.rate_limit };

    // Unmatched URLs (the 404 handler) have no scope: a valid key is all they need.
    const needed = request.routeOptions.config.scope;
    if (needed) requireScope(request, needed);

    const now = Date.now();
    if (now - (lastTouched.get(row.id) ?? 0) > TOUCH_INTERVAL_MS) {
      lastTouched.set(row.id, now);
      apiKeyTouch(opts.db, row.id, nowIso()).catch((err: unknown) => request.log.warn({ err }, 'could not record key use'));
    }
  });
});

/** The caller's organisation; only for routes behind authentication. */
export function orgOf(request: FastifyRequest): string {
  if (!request.auth) throw new Error(`route ${request.routeOptions.url} used orgOf() but is public`);
  return request.auth.orgId;
}
