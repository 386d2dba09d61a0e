/**
 * Authentication and scopes. Every route but the public ones needs `Authorization: Bearer <key>`
 * or `x-api-key: <key>`; a route that declares `config.scope` also needs a key allowed that scope.
 *
 * Guarantees: the check runs in `onRequest`, before the body is read or parsed, so an
 * unauthenticated caller cannot make the server parse anything; a revoked key stops working on
 * its next request (keys are looked up per request, not cached; on SQLite the requests of one
 * event-loop turn read one snapshot, see store/sqliteReadSnapshot.ts, which a revocation in
 * this process ends at once and one in another process reaches by the next turn).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { apiKeyVerify, scopeAllows, type Scope } from '../../auth/apiKeys.ts';
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

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route. */
    scope?: Scope;
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

  app.addHook('onRequest', async (request) => {
    if (isPublicPath(request.routeOptions.url ?? request.url)) return; // the route matched, however its path was encoded
    if (request.routeOptions.config.signedUrl && /[?&]signature=/.test(request.url)) return;
    const key = presentedKey(request);
    if (!key) throw new AppError('unauthorized', request.routeOptions.config.missingKeyMessage);
    const check = await apiKeyVerify(opts.db, key);
    if (!check.ok) throw new AppError(check.reason === 'revoked' ? 'key_revoked' : 'unauthorized');
    const { row } = check;
    request.auth = { orgId: row.org_id, keyId: row.id, scopes: JSON.parse(row.scopes) as string[], rateLimit: row.rate_limit };

    const needed = request.routeOptions.config.scope;
    if (needed && !scopeAllows(request.auth.scopes, needed)) {
      throw new AppError('forbidden', `This API key lacks the "${needed}" scope this route needs.`);
    }

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
