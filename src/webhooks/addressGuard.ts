/**
 * The SSRF guard: outgoing requests to user-given URLs (webhooks, later URL imports) go only to
 * public addresses.
 *
 * Guarantees: the URL is `https` (or `http` when the operator allows it); an IP literal is
 * checked as it is; a host name is resolved once, every address it resolves to is checked, and
 * the connection is made to a checked address through `lookup` — there is no second resolution
 * between the check and the connect for DNS rebinding to slip into. Refused: loopback, private
 * (RFC 1918, unique-local), carrier-grade NAT, link-local (including 169.254.169.254),
 * multicast, unspecified and reserved ranges, IPv4 and IPv6 alike (IPv4-mapped IPv6 included).
 * `allowPrivate` turns the address check off (tests talk to a loopback receiver).
 */
import dns from 'node:dns';
import net from 'node:net';

const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32], ['100::', 64],
] as const) blocked.addSubnet(prefix, bits, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(address, 'ipv6');
}

export interface GuardOptions {
  allowPrivate: boolean;
  allowHttp: boolean;
}

/** A URL or address the guard refuses; its message says which and why. */
export class BlockedUrlError extends Error {
  override name = 'BlockedUrlError';
}

/** Checks what can be checked without a lookup: scheme, credentials, and an IP-literal host. */
export function checkUrl(raw: string, options: GuardOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedUrlError(`"${raw}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowHttp)) {
    throw new BlockedUrlError(options.allowHttp ? 'The URL must use http or https.' : 'The URL must use https.');
  }
  if (url.username || url.password) throw new BlockedUrlError('The URL must not carry a user name or password.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && !options.allowPrivate && isBlockedAddress(host)) {
    throw new BlockedUrlError(`${host} is a loopback, private, link-local or otherwise non-public address.`);
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that resolves once and hands over only addresses that pass the check. */
export function guardedLookup(options: GuardOptions) {
  return (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    dns.lookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const allowed = options.allowPrivate ? addresses : addresses.filter((a) => !isBlockedAddress(a.address));
      if (allowed.length === 0) {
        const list = addresses.map((a) => a.address).join(', ');
        return callback(new BlockedUrlError(`${hostname} resolves to ${list}: a loopback, private, link-local or otherwise non-public address.`), '');
      }
      if (lookupOptions.all) callback(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** Resolves a host name now and refuses it if it has no public address (for early, clear errors at registration). */
export async function checkHostResolves(url: URL, options: GuardOptions): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) || options.allowPrivate) return;
  await new Promise<void>((resolve, reject) => {
    guardedLookup(options)(host, { all: true }, (err) => (err && err instanceof BlockedUrlError ? reject(err) : resolve()));
  });
}
