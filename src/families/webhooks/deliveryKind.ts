/**
 * `webhook`: sends one delivery (an outbox row) to its endpoint. A job of the engine, so it has
 * a lease, retries on the configured schedule, and survives crashes: a delivery whose sender
 * died is sent again by the next worker (at least once; the `webhook-id` stays the same so a
 * receiver can tell a repeat).
 *
 * Rules: 2xx is delivered. 410 disables the endpoint. A refused address fails at once. Anything
 * else (3xx — redirects are not followed —, 4xx, 5xx, timeouts, connection errors) is retried
 * after the schedule's next delay (±20 % jitter), or after Retry-After when a 429/502/503/504
 * asks for longer (up to 24 h); after the last attempt the delivery is failed and counts toward
 * the endpoint's circuit breaker.
 *
 * A manual retry may hand a waiting delivery to a new sender (routes.ts, `deliveryHandOver`):
 * the replaced sender then sends nothing when its time comes.
 */
import { defineKind, type JobKind, PermanentError, RetryableError } from '../../engine/index.ts';
import { nowIso } from '../../ids.ts';
import type { WebhookConfig } from '../../config.ts';
import type { Db } from '../../store/database.ts';
import { postWebhook, SendError, type SendResult } from './send.ts';
import { signedHeaders } from './signing.ts';
import { deliveryGet, deliveryRecordAttempt, deliveryTakeForSend, deliveryUpdate } from './sql/deliveries.ts';
import { endpointDisable, endpointFailureCount, endpointGetAnyOrg, endpointSucceeded, type EndpointRow } from './sql/endpoints.ts';

export interface DeliveryInput {
  deliveryId: string;
}

const HONOURS_RETRY_AFTER = new Set([429, 502, 503, 504]);
/** A receiver may push its next attempt back by at most a day, not park a delivery for months. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** How one attempt went: a 2xx, another HTTP answer, or none (`SendError`'s codes, lower-cased). */
export type AttemptOutcome = 'succeeded' | 'http_error' | 'timeout' | 'connection_failed' | 'blocked_address';

export interface DeliveryKindOptions {
  /** Picks each retry's jitter, in [0, 1) (tests pin it). Default Math.random. */
  random?: () => number;
  /** Told of every attempt sent, with its time (metrics: index.ts). */
  attempted?: (outcome: AttemptOutcome, seconds: number) => void;
}

/** Every secret that signs now: the current one, and the previous one during a rotation. */
export function signingSecrets(endpoint: EndpointRow, now = new Date()): string[] {
  const previous = endpoint.previous_secret && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at > now.toISOString();
  return previous ? [endpoint.secret, endpoint.previous_secret!] : [endpoint.secret];
}

export function customHeaders(endpoint: EndpointRow): Record<string, string> {
  return Object.fromEntries((JSON.parse(endpoint.headers) as { name: string; value: string }[]).map((h) => [h.name, h.value]));
}

export function deliveryKind(db: Db, config: WebhookConfig, options: DeliveryKindOptions = {}): JobKind<DeliveryInput> {
  const random = options.random ?? Math.random;
  const maxAttempts = config.retrySchedule.length + 1;
  const guard = { allowPrivate: config.allowPrivate, allowHttp: config.allowHttp, timeoutMs: config.timeoutMs };

  return defineKind<DeliveryInput>({
    name: 'webhook',
    scope: 'webhooks',
    internal: true,
    maxAttempts,
    itemTimeoutMs: config.timeoutMs + 5_000,
    retryDelayMs: () => 0, // the processor decides each delay (schedule or Retry-After) and says so
    async process({ input, item, signal, jobId }) {
      const delivery = await deliveryTakeForSend(db, input.deliveryId, jobId);
      if (!delivery) {
        if (await deliveryGet(db, input.deliveryId)) throw new PermanentError('DELIVERY_REPLACED', 'A manual retry handed the delivery to another send.');
        throw new PermanentError('DELIVERY_NOT_FOUND', 'The delivery no longer exists (its endpoint was deleted).');
      }
      const endpoint = await endpointGetAnyOrg(db, delivery.endpoint_id);
      if (!endpoint) throw new PermanentError('DELIVERY_NOT_FOUND', 'The endpoint no longer exists.');
      if (endpoint.enabled !== 1) {
        await deliveryUpdate(db, delivery.id, { status: 'failed', last_error: 'The endpoint is disabled.', next_attempt_at: null, updated_at: nowIso() });
        throw new PermanentError('ENDPOINT_DISABLED', 'The endpoint is disabled.');
      }

      const headers = { ...customHeaders(endpoint), ...signedHeaders(signingSecrets(endpoint), delivery.id, delivery.payload) };
      let answer: SendResult | null = null;
      let failure: SendError | null = null;
      const started = Date.now();
      try {
        answer = await postWebhook(endpoint.url, delivery.payload, headers, { ...guard, signal });
      } catch (error) {
        if (!(error instanceof SendError)) throw error;
        failure = error;
      }
      const now = nowIso();
      const durationMs = Date.now() - started;
      const outcome = answer ? (answer.status >= 200 && answer.status < 300 ? 'succeeded' : 'http_error') : (failure!.code.toLowerCase() as AttemptOutcome);
      options.attempted?.(outcome, durationMs / 1000);
      const seen = { response_snippet: answer?.snippet ?? null, job_id: jobId };
      const attempt = (error: string | null) => ({ statusCode: answer?.status ?? null, error, durationMs });

      if (answer && answer.status >= 200 && answer.status < 300) {
        await deliveryRecordAttempt(db, delivery.id, attempt(null), { ...seen, status: 'succeeded', next_attempt_at: null, delivered_at: now });
        await endpointSucceeded(db, endpoint.id, now);
        return { statusCode: answer.status };
      }
      const error = failure
        ? failure.message
        : `The endpoint answered ${answer!.status}${answer!.status >= 300 && answer!.status < 400 ? ' (redirects are not followed)' : ''}.`;
      const giveUp = async (code: string, message: string): Promise<never> => {
        // The circuit breaker counts this failure; when it opens, the delivery's error (and the
        // job's item.failed event) says so.
        const opened = await endpointFailureCount(db, endpoint.id, config.failuresToDisable, now);
        const said = opened ? `${message} The endpoint has now been disabled after ${config.failuresToDisable} failed deliveries in a row.` : message;
        await deliveryRecordAttempt(db, delivery.id, attempt(said), { ...seen, status: 'failed', next_attempt_at: null });
        throw new PermanentError(opened ? 'ENDPOINT_DISABLED' : code, said);
      };

      if (answer?.status === 410) {
        await deliveryRecordAttempt(db, delivery.id, attempt(error), { ...seen, status: 'failed', next_attempt_at: null });
        await endpointDisable(db, endpoint.id, 'The endpoint answered 410 Gone.', now);
        throw new PermanentError('ENDPOINT_GONE', 'The endpoint answered 410 Gone; it has been disabled.');
      }
      if (failure?.code === 'BLOCKED_ADDRESS') return giveUp('BLOCKED_ADDRESS', error);
      if (item.attempt >= maxAttempts) return giveUp('DELIVERY_FAILED', `${error} Gave up after ${item.attempt} attempts.`);

      const scheduled = config.retrySchedule[item.attempt - 1]! * (0.8 + random() * 0.4);
      const asked = answer && HONOURS_RETRY_AFTER.has(answer.status) ? Math.min(answer.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS) : 0;
      const delay = Math.round(Math.max(scheduled, asked));
      await deliveryRecordAttempt(db, delivery.id, attempt(error), { ...seen, status: 'pending', next_attempt_at: new Date(Date.now() + delay).toISOString() });
      throw new RetryableError(failure?.code ?? `HTTP_${answer!.status}`, error, delay);
    },
  });
}
