/**
 * `/keys`: an organisation's API keys, behind `keys:write` (granted by name only, see scopes.ts).
 *
 * Guarantees: a key makes only keys whose scopes it holds itself (an empty list means every
 * product scope, so only a key holding all of them makes one), and a key made here takes its
 * maker's rate limit, so no key can make a stronger one. A key revokes only keys whose scopes
 * it holds, so a narrow key cannot lock out a broader one, and never itself: the caller would
 * lose the key it is using on its next request; to replace a key, make its successor and revoke
 * the old key with the new one. The new key is in the creating answer only (no Idempotency-Key
 * here: a stored answer would keep the key in the clear).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiKeyCreate } from '../../auth/apiKeys.ts';
import { AppError } from '../../errors.ts';
import { nowIso } from '../../ids.ts';
import { isScope, scopesNotHeld } from '../../scopes.ts';
import { apiKeyFindById, apiKeyPageForOrg, apiKeyRevokeIfActive, type ApiKeyRow } from '../../store/apiKeys.ts';
import type { Db } from '../../store/database.ts';
import { orgOf } from '../plugins/auth.ts';
import { ContentOk, KeyCreateBody, KeyCreated, KeyIdParams, KeysPage, KeyView, PageQuery } from '../schemas.ts';

function keyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    rateLimit: row.rate_limit,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** The 403 of a caller that lacks some of `wanted`, naming what it lacks. */
function requireHeld(request: FastifyRequest, wanted: readonly string[], what: string): void {
  const missing = scopesNotHeld(request.auth!.scopes, wanted);
  if (missing.length > 0) throw new AppError('forbidden', `This API key cannot ${what}: it does not hold ${missing.join(', ')}.`);
}

export async function keysRoutes(instance: FastifyInstance, opts: { db: Db }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = opts;

  app.get(
    '/keys',
    {
      config: { scope: 'keys:write' },
      schema: {
        tags: ['account'],
        summary: "The organisation's API keys, newest first, revoked ones too (never a secret)",
        querystring: PageQuery,
        response: { 200: ContentOk(KeysPage) },
      },
    },
    async (request) => {
      const page = await apiKeyPageForOrg(db, orgOf(request), request.query);
      return { success: true as const, data: { keys: page.keys.map(keyView), total: page.total } };
    },
  );

  app.post(
    '/keys',
    {
      config: { scope: 'keys:write' },
      schema: {
        tags: ['account'],
        summary: 'Make an API key with scopes this key holds; the key is in this answer only',
        body: KeyCreateBody,
        response: { 201: ContentOk(KeyCreated) },
      },
    },
    async (request, reply) => {
      const scopes = request.body.scopes;
      const unknown = scopes.filter((scope) => !isScope(scope));
      if (unknown.length > 0) throw new AppError('validation_error', `body.scopes: no scope ${unknown.join(', ')}; see the description of POST /keys.`);
      requireHeld(request, scopes, 'make a key with these scopes');
      const { row, key } = await apiKeyCreate(db, {
        orgId: orgOf(request),
        name: request.body.name,
        scopes: scopes.filter(isScope),
        rateLimit: request.auth!.rateLimit,
      });
      reply.code(201);
      return { success: true as const, data: { ...keyView(row), key } };
    },
  );

  app.delete(
    '/keys/:keyId',
    {
      config: { scope: 'keys:write' },
      schema: {
        tags: ['account'],
        summary: 'Revoke a key (not the one making the request); it stops working at once',
        params: KeyIdParams,
        response: { 200: ContentOk(KeyView) },
      },
    },
    async (request) => {
      const { keyId } = request.params;
      const row = await apiKeyFindById(db, keyId);
      if (!row || row.org_id !== orgOf(request)) throw new AppError('not_found', `No API key ${keyId}.`);
      if (row.id === request.auth!.keyId)
        throw new AppError('conflict', 'A key cannot revoke itself: make its successor, then revoke this key with the new one.');
      requireHeld(request, JSON.parse(row.scopes) as string[], 'revoke a key with these scopes');
      if (!(await apiKeyRevokeIfActive(db, keyId, nowIso()))) throw new AppError('conflict', `API key ${keyId} is already revoked.`);
      return { success: true as const, data: keyView((await apiKeyFindById(db, keyId))!) };
    },
  );
}
