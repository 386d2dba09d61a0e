/**
 * Scopes on the generic job routes: a job is opened by the scope of its kind (`JobKind.scope`),
 * `<family>:read` to see it and `<family>:write` to cancel it, and a list shows only the kinds
 * the key may read.
 *
 * A job of the caller's organisation whose kind the key may not open answers 403 naming the
 * scope, not 404: the key belongs to the organisation that owns the job, so its existence is no
 * secret from it, and the 403 says what to ask for. A job of another organisation stays 404.
 * A job of a kind this server does not register (or that declares no scope) opens for no key.
 */
import type { FastifyRequest } from 'fastify';
import { type Engine, kindScopeFor } from '../engine/index.ts';
import { AppError } from '../errors.ts';
import { requireScope, routeScopeAllows } from './plugins/auth.ts';

export type JobAccess = 'read' | 'write';

/** Throws 403 unless the request's key may `access` jobs of `kind`. */
export function requireKindScope(request: FastifyRequest, engine: Engine, kind: string, access: JobAccess): void {
  const needed = kindScopeFor(engine.kind(kind), access);
  if (!needed) throw new AppError('forbidden', `Jobs of kind "${kind}" are not served by this server's job routes.`);
  requireScope(request, needed, `jobs of kind "${kind}"`);
}

/** The registered kinds whose jobs the request's key may read. */
export function kindsReadable(request: FastifyRequest, engine: Engine): string[] {
  const granted = request.auth?.scopes ?? [];
  return engine
    .registeredKinds()
    .filter((kind) => {
      const needed = kindScopeFor(kind, 'read');
      return needed !== null && routeScopeAllows(granted, needed);
    })
    .map((kind) => kind.name);
}

/**
 * The kinds a list over the organisation's jobs covers: `kind` alone when given (403 when the
 * key may not read it; none when this server does not know it), else every kind the key may
 * read but the server's own bookkeeping kinds.
 */
export function kindsListed(request: FastifyRequest, engine: Engine, kind: string | undefined): string[] {
  const readable = kindsReadable(request, engine);
  if (kind !== undefined) {
    if (engine.kind(kind)) requireKindScope(request, engine, kind, 'read');
    return readable.filter((k) => k === kind);
  }
  const internal = engine.internalKinds();
  return readable.filter((k) => !internal.includes(k));
}

/** Fails startup if a registered kind declares no scope: its jobs would be open to no key. */
export function assertKindsScoped(engine: Engine): void {
  const unscoped = engine
    .registeredKinds()
    .filter((kind) => !kind.scope)
    .map((kind) => kind.name);
  if (unscoped.length > 0) throw new Error(`job kinds without a scope: ${unscoped.join(', ')}; set \`scope\` in their defineKind`);
}
