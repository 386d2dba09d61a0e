/**
 * `/webhooks`: endpoints (create, list, get, update, rotate the secret, delete), their delivery
 * log, a manual retry, and a test ping. Content-family envelope.
 */
import { Type, type Static, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { WebhookConfig } from '../../config.ts';
import type { Engine, JobKind } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { newId, nowIso } from '../../ids.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { ContentOk, PageQuery } from '../../http/schemas.ts';
import type { Db } from '../../store/database.ts';
import { BlockedUrlError, checkPublicUrl } from '../../net/addressGuard.ts';
import { customHeaders, signingSecrets, type DeliveryInput } from './deliveryKind.ts';
import { pingBody } from './payload.ts';
import { postWebhook, SendError } from './send.ts';
import { newSecret, secretProblem, signedHeaders } from './signing.ts';
import {
  deliveriesPageForEndpoint,
  deliveryAttemptsOf,
  deliveryGetForEndpoint,
  deliveryHandOver,
  deliveryInsert,
  deliveryRecordAttempt,
} from './sql/deliveries.ts';
import { endpointDeleteForOrg, endpointGetForOrg, endpointInsert, endpointsPageForOrg, endpointUpdate, type EndpointRow } from './sql/endpoints.ts';
import { CreateBody, CustomHeaders, DeliveriesPage, DeliveryView, EndpointDeleted, EndpointsPage, EndpointView, PatchBody, TestAnswer } from './schemas.ts';
import { deliveryView, endpointView } from './view.ts';

const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const RESERVED_HEADERS = /^(webhook-.*|content-type|content-length|host|user-agent|connection|transfer-encoding|te|upgrade|expect|keep-alive|proxy-.*)$/i;

const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });

type TestResult = Static<typeof TestAnswer>;
const DeliveryParams = Type.Object({ id: Type.String({ maxLength: 100 }), deliveryId: Type.String({ maxLength: 100 }) });

export interface WebhookRouteOptions {
  db: Db;
  engine: Engine;
  config: WebhookConfig;
  delivery: JobKind<DeliveryInput>;
}

export async function webhookRoutes(instance: FastifyInstance, opts: WebhookRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine, config } = opts;
  app.addSchema(EndpointView);
  app.addSchema(DeliveryView);

  async function checkedUrl(raw: string): Promise<string> {
    try {
      return (await checkPublicUrl(raw, config)).toString();
    } catch (error) {
      if (error instanceof BlockedUrlError) throw new AppError('validation_error', `body.url is refused: ${error.message}`);
      throw error;
    }
  }

  function checkedHeaders(headers: Static<typeof CustomHeaders> | undefined): string | undefined {
    const reserved = headers?.find((h) => RESERVED_HEADERS.test(h.name));
    if (reserved) throw new AppError('validation_error', `body.headers: "${reserved.name}" is set by longrun and cannot be replaced.`);
    return headers && JSON.stringify(headers);
  }

  function checkedSecret(secret: string | undefined): string {
    if (secret === undefined) return newSecret();
    const problem = secretProblem(secret);
    if (problem) throw new AppError('validation_error', `body.secret ${problem}.`);
    return secret;
  }

  async function endpointOf(orgId: string, id: string): Promise<EndpointRow> {
    const row = await endpointGetForOrg(db, orgId, id);
    if (!row) throw new AppError('not_found', `No webhook endpoint ${id}.`);
    return row;
  }

  app.post(
    '/webhooks',
    {
      config: { scope: 'webhooks:write', idempotent: true },
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint',
        description:
          'The URL must be https (http only with LONGRUN_WEBHOOK_ALLOW_HTTP=1) and must not resolve to a loopback, private or link-local address. `signingSecret` is shown only here and on rotation.',
        body: CreateBody,
        response: { 201: ContentOk(Type.Ref(EndpointView)) },
      },
    },
    async (request, reply) => {
      const now = nowIso();
      const secret = checkedSecret(request.body.secret);
      const row: EndpointRow = {
        id: newId('wh'),
        org_id: orgOf(request),
        name: request.body.name ?? null,
        url: await checkedUrl(request.body.url),
        events: JSON.stringify(request.body.events),
        headers: checkedHeaders(request.body.headers) ?? '[]',
        secret,
        previous_secret: null,
        previous_secret_expires_at: null,
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
        consecutive_failures: 0,
        created_at: now,
        updated_at: now,
      };
      await endpointInsert(db, row);
      return reply.code(201).send({ success: true as const, data: endpointView(row, secret) });
    },
  );

  app.get(
    '/webhooks',
    {
      config: { scope: 'webhooks:read' },
      schema: {
        tags: ['webhooks'],
        summary: "The organisation's webhook endpoints, newest first",
        querystring: PageQuery,
        response: { 200: ContentOk(EndpointsPage) },
      },
    },
    async (request) => {
      const { endpoints, total } = await endpointsPageForOrg(db, orgOf(request), request.query);
      return { success: true as const, data: { webhooks: endpoints.map((e) => endpointView(e)), total } };
    },
  );

  app.get(
    '/webhooks/:id',
    {
      config: { scope: 'webhooks:read' },
      schema: { tags: ['webhooks'], summary: 'One webhook endpoint', params: Params, response: { 200: ContentOk(Type.Ref(EndpointView)) } },
    },
    async (request) => ({ success: true as const, data: endpointView(await endpointOf(orgOf(request), request.params.id)) }),
  );

  app.patch(
    '/webhooks/:id',
    {
      config: { scope: 'webhooks:write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Change an endpoint: URL, events, headers, enabled, or rotate its secret',
        description:
          '`enabled: true` re-enables an endpoint the circuit breaker or a 410 disabled. `rotateSecret: true` answers with the new `signingSecret`; for 24 h deliveries carry signatures of both secrets.',
        params: Params,
        body: PatchBody,
        response: { 200: ContentOk(Type.Ref(EndpointView)) },
      },
    },
    async (request) => {
      const endpoint = await endpointOf(orgOf(request), request.params.id);
      const body = request.body;
      const now = nowIso();
      if (body.secret !== undefined && !body.rotateSecret) throw new AppError('validation_error', 'body.secret is only accepted with rotateSecret: true.');
      const secret = body.rotateSecret ? checkedSecret(body.secret) : undefined;
      const row = await endpointUpdate(db, endpoint.id, {
        ...(body.url !== undefined ? { url: await checkedUrl(body.url) } : {}),
        ...(body.events !== undefined ? { events: JSON.stringify(body.events) } : {}),
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.headers !== undefined ? { headers: checkedHeaders(body.headers) } : {}),
        ...(body.enabled === true ? { enabled: 1, disabled_reason: null, disabled_at: null, consecutive_failures: 0 } : {}),
        ...(body.enabled === false && endpoint.enabled === 1 ? { enabled: 0, disabled_reason: 'Disabled by the user.', disabled_at: now } : {}),
        ...(secret ? { secret, previous_secret: endpoint.secret, previous_secret_expires_at: new Date(Date.now() + ROTATION_OVERLAP_MS).toISOString() } : {}),
        updated_at: now,
      });
      return { success: true as const, data: endpointView(row, secret) };
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { scope: 'webhooks:write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete an endpoint and its delivery log',
        params: Params,
        response: { 200: ContentOk(EndpointDeleted) },
      },
    },
    async (request) => {
      if (!(await endpointDeleteForOrg(db, orgOf(request), request.params.id))) throw new AppError('not_found', `No webhook endpoint ${request.params.id}.`);
      return { success: true as const, data: { id: request.params.id, deleted: true as const } };
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { scope: 'webhooks:read' },
      schema: {
        tags: ['webhooks'],
        summary: "An endpoint's deliveries, newest first: attempts, last status, last error, next attempt, answer snippet",
        params: Params,
        querystring: PageQuery,
        response: { 200: ContentOk(DeliveriesPage) },
      },
    },
    async (request) => {
      const endpoint = await endpointOf(orgOf(request), request.params.id);
      const { deliveries, total } = await deliveriesPageForEndpoint(db, endpoint.id, request.query);
      const attempts = await deliveryAttemptsOf(
        db,
        deliveries.map((d) => d.id),
      );
      return { success: true as const, data: { deliveries: deliveries.map((d) => deliveryView(d, attempts)), total } };
    },
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/retry',
    {
      config: { scope: 'webhooks:write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery now: a failed one, a delivered one to replay it, or a waiting one ahead of its next attempt',
        description:
          'Same webhook-id and body, new signatures; the retry schedule starts over. A delivery waiting for its next attempt is sent now instead (that attempt is not made). ' +
          '409 while an attempt of the delivery is being sent at this moment: two sends of one delivery never overlap.',
        params: DeliveryParams,
        response: { 202: ContentOk(Type.Ref(DeliveryView)) },
      },
    },
    async (request, reply) => {
      const endpoint = await endpointOf(orgOf(request), request.params.id);
      const delivery = await deliveryGetForEndpoint(db, endpoint.id, request.params.deliveryId);
      if (!delivery) throw new AppError('not_found', `No delivery ${request.params.deliveryId} for endpoint ${endpoint.id}.`);
      const now = nowIso();
      // The answer is the delivery as handed over (pending, with its new sender), read in the
      // transaction that hands it: once committed, the sender may have sent it already.
      const view = await db.transaction().execute(async (trx) => {
        const job = await engine.submitIn(trx, { orgId: endpoint.org_id, kind: opts.delivery, input: { deliveryId: delivery.id } });
        const handed = await deliveryHandOver(trx, delivery.id, delivery.job_id, job.id, now);
        // Thrown inside the transaction: the new sender is rolled back with it.
        if (handed === 'sending') throw new AppError('conflict', `Delivery ${delivery.id} is being sent right now; retry once that attempt has ended.`);
        if (handed === 'changed') throw new AppError('conflict', `Delivery ${delivery.id} was just handed to another send; read it again.`);
        const row = await deliveryGetForEndpoint(trx, endpoint.id, delivery.id);
        return deliveryView(row!, await deliveryAttemptsOf(trx, [delivery.id]));
      });
      // The replaced sender, if it was waiting for its next attempt, ends canceled (it would send nothing anyway).
      if (delivery.job_id && delivery.status === 'pending') await engine.cancel(endpoint.org_id, delivery.job_id);
      return reply.code(202).send({ success: true as const, data: view });
    },
  );

  app.post(
    '/webhooks/:id/test',
    {
      config: { scope: 'webhooks:write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a signed `ping` event now and report how the endpoint answered',
        description:
          'One attempt, recorded in the delivery log (event type `ping`, not retried on its own; the retry route sends it again). It does not count toward the circuit breaker.',
        params: Params,
        response: { 200: ContentOk(TestAnswer) },
      },
    },
    async (request) => {
      const endpoint = await endpointOf(orgOf(request), request.params.id);
      const created = nowIso();
      const deliveryId = newId('msg');
      const body = JSON.stringify(pingBody(endpoint.id, created));
      await deliveryInsert(db, {
        id: deliveryId,
        endpoint_id: endpoint.id,
        org_id: endpoint.org_id,
        event_type: 'ping',
        payload: body,
        job_id: null,
        status: 'pending',
        attempts: 0,
        last_status_code: null,
        last_error: null,
        response_snippet: null,
        next_attempt_at: null,
        created_at: created,
        updated_at: created,
        delivered_at: null,
      });
      const headers = { ...customHeaders(endpoint), ...signedHeaders(signingSecrets(endpoint), deliveryId, body) };
      const started = Date.now();
      let answer: TestResult;
      let snippet: string | null = null;
      try {
        const sent = await postWebhook(endpoint.url, body, headers, { ...config });
        const delivered = sent.status >= 200 && sent.status < 300;
        snippet = sent.snippet;
        answer = { deliveryId, delivered, httpStatus: sent.status, error: delivered ? null : `The endpoint answered ${sent.status}.` };
      } catch (error) {
        if (!(error instanceof SendError)) throw error;
        answer = { deliveryId, delivered: false, httpStatus: null, error: error.message };
      }
      const now = nowIso();
      await deliveryRecordAttempt(
        db,
        deliveryId,
        { statusCode: answer.httpStatus, error: answer.error, durationMs: Date.now() - started },
        { status: answer.delivered ? 'succeeded' : 'failed', response_snippet: snippet, next_attempt_at: null, delivered_at: answer.delivered ? now : null },
      );
      return { success: true as const, data: answer };
    },
  );
}
