/**
 * Builds the HTTP server: Fastify with one plugin per concern, in the order requests meet them.
 *
 *   onRequest   the request's span, when tracing is on → auth (key, scope) → rate limit
 *   parsing     JSON, bounded by `bodyLimitBytes` and nesting depth (plugins/jsonBody.ts)
 *   preValidation  NUL refused in params, query and body (plugins/nulGuard.ts)
 *   validation  TypeBox schemas: bodies as sent, query/params/headers coerced (validation.ts)
 *   preHandler  idempotency
 *   handler     the route
 *   errors      each family's envelope, whatever failed above
 */
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Composition } from './families.ts';
import { VERSION } from '../version.ts';
import { ItemView, JobView } from '../engine/index.ts';
import { authPlugin } from '../http/plugins/auth.ts';
import { dashboardPlugin } from '../http/plugins/dashboard.ts';
import { errorsPlugin } from '../http/plugins/errors.ts';
import { idempotencyPlugin } from '../http/plugins/idempotency.ts';
import { jsonBodyPlugin } from '../http/plugins/jsonBody.ts';
import { metricsPlugin } from '../http/plugins/metrics.ts';
import { nulGuardPlugin } from '../http/plugins/nulGuard.ts';
import { openapiPlugin } from '../http/plugins/openapi.ts';
import { rateLimitPlugin } from '../http/plugins/rateLimit.ts';
import { tracingPlugin } from '../http/plugins/tracing.ts';
import { accountRoutes } from '../http/routes/account.ts';
import { creditHistoryRoutes } from '../http/routes/creditHistory.ts';
import { healthRoutes } from '../http/routes/health.ts';
import { jobFailureRoutes } from '../http/routes/jobFailures.ts';
import { jobBulkRoutes } from '../http/routes/jobsBulk.ts';
import { jobRerunRoutes } from '../http/routes/jobRerun.ts';
import { jobRoutes } from '../http/routes/jobs.ts';
import { jobStatsRoutes } from '../http/routes/jobStats.ts';
import { keysRoutes } from '../http/routes/keys.ts';
import { workersRoutes } from '../http/routes/workers.ts';
import { RequestLog } from '../http/requestLog.ts';
import { clientErrorHandler, frameworkErrorHandler, MAX_PARAM_LENGTH } from '../http/preRouteErrors.ts';
import { ajvServerOptions, validatorSchemaController } from '../http/validation.ts';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface BuildOptions {
  /**
   * false: no metrics plugin (no /metrics, no request or query series). Only for
   * `npm run bench -- tracing`, which measures what metrics cost against a server without them.
   */
  metrics?: boolean;
}

export async function buildApp({ engine, deps, families, metrics }: Composition, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { config, store, log } = deps;
  const app = Fastify({
    loggerInstance: log,
    // Status polls, long-polls, event streams and probes at debug (http/requestLog.ts).
    logController: new RequestLog(),
    bodyLimit: config.bodyLimitBytes,
    // A caller's own request ID is kept if it is sane, so logs on both sides line up.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
    // Errors the router and Node's HTTP parser raise before any route runs: the family envelope.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Bodies validated as sent, query/params/headers coerced from text; numbers finite (validation.ts).
    ajv: ajvServerOptions,
    schemaController: validatorSchemaController(),
  });

  // A callback hook, not an async one: every request runs it.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // First, so every hook after it (auth included) runs inside the request's span.
  if (config.tracing) await app.register(tracingPlugin);
  await app.register(errorsPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(openapiPlugin, { version: VERSION });
  if (options.metrics !== false) await app.register(metricsPlugin, { store, registry: metrics });
  await app.register(authPlugin, { db: store.db });
  await app.register(rateLimitPlugin, { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs });
  await app.register(idempotencyPlugin, { db: store.db, ttlHours: config.idempotencyTtlHours });
  await app.register(nulGuardPlugin);

  await app.register(healthRoutes, { store, tools: deps.mediaTools, storage: deps.storage });
  await app.register(accountRoutes, { db: store.db });
  await app.register(creditHistoryRoutes, { db: store.db });
  await app.register(workersRoutes, { db: store.db });
  await app.register(keysRoutes, { db: store.db });
  // At the root: the job routes and the families' submissions (answering a finished job) refer to them.
  app.addSchema(JobView);
  app.addSchema(ItemView);
  await app.register(jobRoutes, { db: store.db, engine });
  await app.register(jobStatsRoutes, { db: store.db, engine });
  await app.register(jobFailureRoutes, { db: store.db, engine });
  await app.register(jobBulkRoutes, { db: store.db, engine });
  await app.register(jobRerunRoutes, { db: store.db, engine });
  // One parent for every family's routes, so the schemas they share by `$ref` are declared once.
  await app.register(async (scope) => {
    for (const schema of families.flatMap((f) => f.schemas ?? [])) scope.addSchema(schema);
    for (const family of families) await family.routes(scope);
  });
  await app.register(dashboardPlugin);
  return app;
}
