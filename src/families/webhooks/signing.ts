/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` + base64
 * of the key bytes; a signature is base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`
 * under those bytes, sent as `v1,<signature>`. Several space-separated signatures (old and new
 * secret during a rotation) let a receiver holding either one verify.
 */
import crypto from 'node:crypto';

const PREFIX = 'whsec_';
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;

export function newSecret(): string {
  return PREFIX + crypto.randomBytes(32).toString('base64');
}

/** Why a secret a user supplied is unusable, or null if it is fine. */
export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(PREFIX)) return `must start with ${PREFIX}`;
  const body = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return `must be ${PREFIX} followed by base64`;
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) return `must encode ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} bytes, not ${bytes}`;
  return null;
}

export function sign(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  return crypto.createHmac('sha256', key).update(`${msgId}.${timestampSeconds}.${body}`).digest('base64');
}

/** The three Standard Webhooks headers for one attempt, signed with every given secret. */
export function signedHeaders(secrets: string[], msgId: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => `v1,${sign(s, msgId, timestamp, body)}`).join(' '),
  };
}
