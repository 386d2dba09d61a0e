/**
 * The OpenAPI 3.1 document at `/openapi.json`, generated from the route schemas, and a
 * readable page of it at `/docs` (Swagger UI, served from the package: no CDN).
 * Registered before any route, so it sees them all.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ContentError, SourcingError } from '../schemas.ts';

export const openapiPlugin = fp(async (app: FastifyInstance, opts: { version: string }) => {
  app.addSchema(ContentError);
  app.addSchema(SourcingError);
  await app.register(swagger, {
    // Shared schemas keep their own names in components.schemas instead of def-0, def-1, …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'longrun',
        version: opts.version,
        description:
          'Slow work over HTTP: submit, then poll the status route (202 while running, 200 when done) or receive a signed webhook.',
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
