/**
 * The caller's own account: who the key belongs to, and its organisation's credits.
 * `/me` opens for any valid key (an operator's `metrics:read` key too: a key may always see
 * itself); the credits routes for a key with any product scope, as every product spends them.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { creditsBalance, creditsLedgerPage } from '../../store/ledger.ts';
import { apiKeyFindById } from '../../store/apiKeys.ts';
import type { Db } from '../../store/database.ts';
import { orgFindById } from '../../store/orgs.ts';
import { orgOf } from '../plugins/auth.ts';
import { Balance, ContentOk, LedgerPage, LedgerQuery, Me } from '../schemas.ts';

export async function accountRoutes(instance: FastifyInstance, opts: { db: Db }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = opts;

  app.get(
    '/me',
    {
      config: { scope: 'any-key' },
      schema: {
        tags: ['account'],
        summary: 'The organisation and API key making this request',
        response: {
          200: ContentOk(Me),
        },
      },
    },
    async (request) => {
      const org = (await orgFindById(db, orgOf(request)))!;
      const key = (await apiKeyFindById(db, request.auth!.keyId))!;
      return {
        success: true as const,
        data: {
          organisation: { id: org.id, name: org.name, createdAt: org.created_at },
          key: { id: key.id, name: key.name, scopes: JSON.parse(key.scopes) as string[], createdAt: key.created_at },
        },
      };
    },
  );

  app.get(
    '/credits',
    {
      config: { scope: 'any-product-scope' },
      schema: { tags: ['account'], summary: "The organisation's credit balance", response: { 200: ContentOk(Balance) } },
    },
    async (request) => ({ success: true as const, data: await creditsBalance(db, orgOf(request)) }),
  );

  app.get(
    '/credits/ledger',
    {
      config: { scope: 'any-product-scope' },
      schema: {
        tags: ['account'],
        summary: 'Credit ledger entries, newest first',
        description: '`?ref=<job>`: only the entries of that job (its reservation, a charge per item, its release).',
        querystring: LedgerQuery,
        response: { 200: ContentOk(LedgerPage) },
      },
    },
    async (request) => ({ success: true as const, data: await creditsLedgerPage(db, orgOf(request), request.query) }),
  );
}
