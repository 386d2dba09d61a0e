/**
 * `Idempotency-Key` on POST routes that create something (routes with `config.idempotent`).
 *
 * Guarantees, per organisation and key, for `idempotencyTtlHours` (24 h by default):
 * - the same key with the same request (method, path, body) gets the first response again,
 *   status and body, with `Idempotent-Replayed: true`;
 * - the same key with a different request gets 422 `idempotency_key_reused` (the IETF
 *   Idempotency-Key draft's status for a key reused with another payload);
 * - while the first request still runs, a second gets 409 `idempotency_key_in_use` rather than
 *   running the work twice.
 * Only a 2xx answer is stored, with the headers that locate what it accepted or answered
 * (`REPLAYED_HEADERS`), which a replay sends again. An error releases the key, so the caller can fix the cause and
 * retry with the same key. A handler may store the response itself inside its own transaction
 * (the engine does, so the record commits with the work it describes).
 *
 * Under database faults: what happens after the handler (storing the answer, releasing the key)
 * never changes the answer: a write that fails is logged and tried again in the background
 * until the database answers (a submission that committed is never answered 5xx, and its
 * record was committed with it). A request with a key that fails after its handler committed
 * the record (a connection lost during COMMIT) is answered what it committed. Until then a retry of that key in this process settles it
 * first, so it succeeds as soon as the database is back; in another process it gets 409 until
 * the background write lands (a fraction of a second after the database is back), or a minute
 * after the process holding it died.
 *
 * `Dedupe-Key` (with `Dedupe-Window: N` seconds, 60 by default, at most 86,400) claims a key the
 * same way, per organisation and route (its path parameters included, its query and body not):
 * a second request within the window gets the first answer, whatever its body, with
 * `Dedupe-Replayed: true`; one sent while the first runs gets 409 `dedupe_key_in_use`. The same
 * guarantees otherwise, and the same records (a dedupe key's name cannot be an Idempotency-Key's).
 * A request may carry one of the two headers, not both.
 *
 * "The same request" is the method, the route and its decoded parameters and query, and the
 * body: a JSON body as parsed, a raw body (text, PDF) as bytes with its Content-Type. A streamed
 * body (`config.idempotent: 'streamed'`, e.g. a multipart upload) cannot be hashed before the
 * handler reads it: the handler stores it, then calls `request.idempotencyCheck(fingerprint)`
 * with a fingerprint of what it read, before it commits anything, and sends the replay if one
 * comes back (removing what it stored).
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';
import type { Db } from '../../store/database.ts';
import {
  idempotencyCompleteClaim,
  idempotencyDeleteIfStale,
  idempotencyGet,
  idempotencyInsertPendingIfAbsent,
  idempotencyReleaseClaim,
  storedHeaders,
  type IdempotencyClaimRow,
  type StoredResponse,
} from '../../store/idempotency.ts';

/** The key this request holds: its pending record, known by when it was made and for what. */
export type IdempotencyClaim = IdempotencyClaimRow;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyClaim | null;
    /**
     * For `idempotent: 'streamed'` routes: claims the request's key for a request whose body
     * has this fingerprint. null: go on (no key, or claimed); else the answer to send instead.
     * Throws 422 when the key was used with another request, 409 while it is still in use.
     */
    idempotencyCheck(bodyFingerprint: string): Promise<IdempotentReplay | null>;
  }
  interface FastifyContextConfig {
    /** This POST creates something: honour `Idempotency-Key` (`'streamed'`: see above). */
    idempotent?: boolean | 'streamed';
  }
}

/** The first answer to a request, to send again. */
export interface IdempotentReplay {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Sent again for a `Dedupe-Key`, not an `Idempotency-Key`. */
  deduplicated?: boolean;
}

/**
 * The headers of a first answer that its replay repeats: where the accepted work is and what
 * was applied of the request's preferences (submissionAnswer.ts). Others (a request ID, rate
 * limits) describe the request, not the answer.
 */
export const REPLAYED_HEADERS = ['location', 'operation-location', 'content-location', 'preference-applied', 'retry-after'] as const;

export function sendReplay(reply: FastifyReply, replay: IdempotentReplay): FastifyReply {
  return reply
    .code(replay.status)
    .headers(replay.headers)
    .header(replay.deduplicated ? 'dedupe-replayed' : 'idempotent-replayed', 'true')
    .type('application/json; charset=utf-8')
    .send(replay.body);
}

function replayOf(record: { response_status: number | null; response_body: string | null; response_headers: string | null }): IdempotentReplay {
  return { status: record.response_status ?? 200, body: record.response_body ?? '', headers: storedHeaders(record) };
}

function headersToReplay(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}

const STALE_PENDING_MS = 60_000;
/** How often a write that failed after an answer is tried again, while the database is away. */
const SETTLE_RETRY_MS = 200;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const DEDUPE_WINDOW_SECONDS = { default: 60, max: 86_400 };
/** Every dedupe record's request hash: any body matches. */
const DEDUPE_HASH = 'dedupe';

/** The route as matched: the same however its path or query was encoded. */
function requestIdentity(request: FastifyRequest): string {
  return JSON.stringify([request.method, request.routeOptions.url, request.params ?? null, request.query ?? null]);
}

function bodyFingerprint(request: FastifyRequest): string {
  const body = request.body;
  // A stream reaches a non-streamed route only through a neighbour's parser (upload parts'
  // application/octet-stream): this route takes no such body.
  if (body !== null && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function') {
    throw new AppError('unsupported_media_type', `This route does not take ${request.headers['content-type'] ?? 'this'} bodies.`);
  }
  const hash = crypto.createHash('sha256');
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    // Raw bodies: the same bytes as HTML or as plain text are different documents.
    hash.update(`${(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()}\n`).update(body);
  } else {
    hash.update(JSON.stringify(body ?? null));
  }
  return hash.digest('hex');
}

/** The key a request claims: its Idempotency-Key, or one made of the route and its Dedupe-Key (with the window). */
interface RequestKey {
  key: string;
  dedupeWindowMs: number | null;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers[name];
  return Array.isArray(header) ? header[0] : header;
}

function keyOf(request: FastifyRequest): RequestKey | null {
  const key = headerValue(request, 'idempotency-key');
  const dedupe = headerValue(request, 'dedupe-key');
  if (!request.auth || (key === undefined && dedupe === undefined)) return null;
  if (key !== undefined && dedupe !== undefined) throw new AppError('bad_request', 'Send Idempotency-Key or Dedupe-Key, not both.');
  if (!KEY_PATTERN.test(key ?? dedupe!)) {
    throw new AppError('bad_request', `${key !== undefined ? 'Idempotency-Key' : 'Dedupe-Key'} must be 1 to 255 printable ASCII characters.`);
  }
  if (key !== undefined) return { key, dedupeWindowMs: null };
  const window = headerValue(request, 'dedupe-window') ?? String(DEDUPE_WINDOW_SECONDS.default);
  if (!/^\d{1,6}$/.test(window) || Number(window) < 1 || Number(window) > DEDUPE_WINDOW_SECONDS.max) {
    throw new AppError('bad_request', `Dedupe-Window must be a whole number of seconds from 1 to ${DEDUPE_WINDOW_SECONDS.max}.`);
  }
  // Per route as matched (the kind it submits, and e.g. the agent a run is for), whatever the body.
  const scope = JSON.stringify([request.method, request.routeOptions.url, request.params ?? null]);
  // A space is no character of an Idempotency-Key: the two kinds of record never share a name.
  return { key: `dedupe ${crypto.createHash('sha256').update(scope).update('\n').update(dedupe!).digest('hex')}`, dedupeWindowMs: Number(window) * 1000 };
}

/** What is left to write for a claim whose request has ended: its answer, or the key's release. */
type Settlement = { claim: IdempotencyClaim; response: StoredResponse | null };

export const idempotencyPlugin = fp(async (app: FastifyInstance, opts: { db: Db; ttlHours: number }) => {
  const { db } = opts;
  app.decorateRequest('idempotency', null);

  /** Claims of requests that have ended here whose last write failed, by organisation and key. */
  const unsettled = new Map<string, Settlement>();
  let retryTimer: NodeJS.Timeout | null = null;
  const slot = (orgId: string, key: string) => `${orgId}\n${key}`;

  async function settle(settlement: Settlement): Promise<void> {
    if (settlement.response) await idempotencyCompleteClaim(db, settlement.claim, settlement.response);
    else await idempotencyReleaseClaim(db, settlement.claim);
    const at = slot(settlement.claim.orgId, settlement.claim.key);
    if (unsettled.get(at) === settlement) unsettled.delete(at);
  }

  /** Writes what a request left unwritten, now, and on failure again in the background. */
  async function settleOrRetry(settlement: Settlement, request: FastifyRequest): Promise<void> {
    try {
      await settle(settlement);
    } catch (err) {
      request.log.warn({ err, key: settlement.claim.key }, 'could not record the idempotency key after the answer; retrying in the background');
      unsettled.set(slot(settlement.claim.orgId, settlement.claim.key), settlement);
      retrySoon();
    }
  }

  function retrySoon(): void {
    if (retryTimer || unsettled.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void Promise.allSettled([...unsettled.values()].map(settle)).then(retrySoon);
    }, SETTLE_RETRY_MS);
    retryTimer.unref();
  }

  app.addHook('onClose', async () => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
  });

  async function check(request: FastifyRequest, fingerprint: string): Promise<IdempotentReplay | null> {
    const requested = keyOf(request);
    if (requested === null || request.idempotency) return null;
    const { key, dedupeWindowMs } = requested;
    const dedupe = dedupeWindowMs !== null;
    const orgId = request.auth!.orgId;
    const hash = dedupe ? DEDUPE_HASH : crypto.createHash('sha256').update(requestIdentity(request)).update('\n').update(fingerprint).digest('hex');
    // A request of this key ended here and its record is not written yet: write it first.
    const left = unsettled.get(slot(orgId, key));
    if (left) await settle(left);
    const now = new Date();
    await idempotencyDeleteIfStale(db, orgId, key, now.toISOString(), new Date(now.getTime() - STALE_PENDING_MS).toISOString());

    const createdAt = now.toISOString();
    const claimed = await idempotencyInsertPendingIfAbsent(db, {
      org_id: orgId,
      key,
      request_hash: hash,
      created_at: createdAt,
      expires_at: new Date(now.getTime() + (dedupeWindowMs ?? opts.ttlHours * 3_600_000)).toISOString(),
    });
    if (claimed) {
      request.idempotency = { orgId, key, requestHash: hash, createdAt };
      return null;
    }
    const inUse = dedupe ? 'dedupe_key_in_use' : 'idempotency_key_in_use';
    const existing = await idempotencyGet(db, orgId, key);
    if (!existing) throw new AppError(inUse); // deleted under our feet: let the caller retry
    if (existing.request_hash !== hash) throw new AppError('idempotency_key_reused');
    if (existing.state !== 'done') throw new AppError(inUse);
    return { ...replayOf(existing), deduplicated: dedupe };
  }

  app.decorateRequest('idempotencyCheck', function (this: FastifyRequest, fingerprint: string) {
    return check(this, fingerprint);
  });

  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const replay = await check(request, bodyFingerprint(request));
    if (replay) return sendReplay(reply, replay);
  };

  // Streamed bodies: refuse a malformed key before the body is read; the handler checks the rest.
  const preHandlerStreamed = async (request: FastifyRequest) => {
    keyOf(request);
  };

  /**
   * The response a handler committed with its work, when it failed after all: a connection lost
   * during COMMIT leaves the handler an error though the transaction (job and record) committed.
   */
  async function committedAnswer(claim: IdempotencyClaim): Promise<IdempotentReplay | null> {
    try {
      const record = await idempotencyGet(db, claim.orgId, claim.key);
      const ours = record && record.state === 'done' && record.request_hash === claim.requestHash && record.created_at === claim.createdAt;
      return ours ? replayOf(record) : null;
    } catch {
      return null; // the database is away: nothing to learn, the error stands
    }
  }

  // Never throws: the answer is decided (and for a submission, committed); see the header.
  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 200 && reply.statusCode < 300) {
      await settleOrRetry({ claim, response: { status: reply.statusCode, body: String(payload), headers: headersToReplay(reply) } }, request);
      return payload;
    }
    const committed = await committedAnswer(claim);
    if (committed) {
      request.log.warn({ key: claim.key, status: reply.statusCode }, 'the request failed after its work committed; answering what it committed');
      reply.code(committed.status).headers(committed.headers).type('application/json; charset=utf-8');
      return committed.body;
    }
    await settleOrRetry({ claim, response: null }, request);
    return payload;
  };

  // On the routes that honour the header only: hooks on every route cost each request a turn
  // of the promise queue, and an `onSend` hook makes Fastify run its send pipeline.
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return;
    route.preHandler = [...hookList(route.preHandler), route.config.idempotent === 'streamed' ? preHandlerStreamed : preHandler];
    route.onSend = [...hookList(route.onSend), onSend];
  });
});

function hookList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}
