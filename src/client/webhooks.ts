/**
 * `longrun/client/webhooks`, for Node only (it uses node:crypto, and so is kept out of the
 * client's main entry, which also runs in browsers).
 *
 * `verifyWebhook(headers, body, secret)`: checks a delivery the way Standard Webhooks defines
 * (https://www.standardwebhooks.com) and as src/families/webhooks/signing.ts signs: HMAC-SHA256 under
 * the secret's bytes (`whsec_` + base64) of `{webhook-id}.{webhook-timestamp}.{body}`, sent as
 * `v1,<base64>` — several, space-separated, while a secret is being rotated. Signatures are
 * compared in constant time, and a timestamp more than `toleranceSeconds` (5 min) away from
 * now is refused, so a captured delivery cannot be replayed later. Pass the body exactly as
 * received (the raw string or bytes, not re-serialised JSON). Returns the parsed event; throws
 * `WebhookVerificationError` otherwise.
 */
import crypto from 'node:crypto';
import type { WebhookEvent } from './types.ts';

export type { WebhookEvent };

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

/** Headers as fetch gives them, or as node:http does (`request.headers`). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** "Now", for tests and replays of stored deliveries. */
  now?: Date;
}

const PREFIX = 'whsec_';

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

function secretBytes(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new TypeError('The webhook secret is empty; it looks like whsec_ followed by base64.');
  return key;
}

export function verifyWebhook(headers: WebhookHeaders, body: string | Uint8Array, secret: string, opts: VerifyWebhookOptions = {}): WebhookEvent {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header.');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('The webhook-timestamp header is not a number of seconds.');

  const tolerance = opts.toleranceSeconds ?? 300;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const sent = Number(timestamp);
  if (now - sent > tolerance) throw new WebhookVerificationError(`The delivery is too old (${now - sent} s; at most ${tolerance} s).`);
  if (sent - now > tolerance) throw new WebhookVerificationError(`The delivery's timestamp is ${sent - now} s in the future.`);

  const expected = crypto.createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.`).update(body).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    // timingSafeEqual needs equal lengths; a signature's length is no secret.
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('No signature matches: the body was changed, or it was signed with another secret.');

  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('The signed body is not JSON.');
  }
}
