/**
 * The OpenAPI 3.1 document at `/openapi.json`, generated from the route schemas, and a
 * readable page of it at `/docs` (Swagger UI, served from the package: no CDN).
 * Registered before any route, so it sees them all.
 *
 * Guarantees: every route behind a key documents its 401, and every route with a scope its 403,
 * with its family's error envelope (`ContentError` or `SourcingError`, families.ts), added here in
 * one place rather than by each route. A route's own 401/403 schema, if it gives one, is kept.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { familyOf } from '../envelopes.ts';
import { ContentError, SourcingError } from '../schemas.ts';
import { isPublicPath } from './auth.ts';

export const openapiPlugin = fp(async (app: FastifyInstance, opts: { version: string }) => {
  app.addSchema(ContentError);
  app.addSchema(SourcingError);
  // Before swagger's own onRoute hook, so the document it builds holds these responses too.
  app.addHook('onRoute', (route) => {
    if (isPublicPath(route.url) || route.schema?.hide) return;
    // JSON whatever the route produces on success (an MP4, an event stream): errors are envelopes.
    const envelope = (description: string) => ({
      description,
      content: { 'application/json': { schema: { $ref: familyOf(route.url) === 'sourcing' ? 'SourcingError#' : 'ContentError#' } } },
    });
    const refusals: Record<string, unknown> = { 401: envelope('No API key, or an unknown or revoked one') };
    // `any-key` routes open to every valid key: no scope to lack.
    if (route.config?.scope !== 'any-key') refusals[403] = envelope('The key lacks the scope this route needs');
    const schema = (route.schema ??= {});
    schema.response = { ...refusals, ...(schema.response as Record<string, unknown> | undefined) };
  });
  await app.register(swagger, {
    // Shared schemas keep their own names in components.schemas instead of def-0, def-1, …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'longrun',
        version: opts.version,
        description: 'Slow work over HTTP: submit, then poll the status route (202 while running, 200 when done) or receive a signed webhook.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
