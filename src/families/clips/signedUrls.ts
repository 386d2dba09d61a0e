/**
 * Signed, expiring URLs for rendered files, so a player or a CDN can fetch `outputUrl` without
 * the API key. The signature is HMAC-SHA256 of `<path>:<expires>` under a key made once per
 * database (server_settings), so every process of a cluster signs and checks alike; it is
 * compared in constant time.
 */
import crypto from 'node:crypto';
import type { Db } from '../../store/database.ts';

const KEY_NAME = 'render_url_key';

export async function signingKey(db: Db): Promise<Buffer> {
  await db
    .insertInto('server_settings')
    .values({ key: KEY_NAME, value: crypto.randomBytes(32).toString('base64') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('server_settings').select('value').where('key', '=', KEY_NAME).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}

function mac(key: Buffer, pathname: string, expires: number): string {
  return crypto.createHmac('sha256', key).update(`${pathname}:${expires}`).digest('hex');
}

export function signPath(key: Buffer, pathname: string, expires: number): string {
  return `${pathname}?expires=${expires}&signature=${mac(key, pathname, expires)}`;
}

export function signatureValid(key: Buffer, pathname: string, expires: number, signature: string, now = Date.now()): boolean {
  if (!Number.isInteger(expires) || expires * 1000 < now) return false;
  const expected = Buffer.from(mac(key, pathname, expires), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
