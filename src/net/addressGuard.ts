/**
 * The SSRF guard: outgoing requests to user-given URLs (webhooks, clip imports, knowledge-base
 * documents) go only to public addresses. Every address decision, for an IP literal in a URL or
 * an address a host name resolved to, is made by one function, `isPublicAddress`, on addresses
 * parsed by ipaddr.js.
 *
 * Guarantees: the URL is `https` (or `http` when the operator allows it) and carries no
 * credentials; an IP literal is checked as WHATWG URL normalised it (`http://2130706433/`,
 * `http://0x7f.1/` and `http://127.1/` are all 127.0.0.1 by then); a host name is resolved once,
 * every address it resolves to is checked, and the connection is made to a checked address
 * through `lookup` — there is no second resolution between the check and the connect for DNS
 * rebinding to slip into. Public means: IPv4 outside every special-purpose range (loopback,
 * RFC 1918, 0.0.0.0/8, CGNAT, link-local incl. 169.254.169.254, multicast, broadcast, reserved,
 * documentation, benchmarking …); IPv6 inside global unicast 2000::/3 and outside its special
 * ranges, where an IPv6 form that carries an IPv4 address (IPv4-mapped, IPv4-translated, NAT64
 * 64:ff9b::/96, 6to4, Teredo) is public only if every IPv4 address it carries is. IPv4-compatible
 * addresses (`[::127.0.0.1]`, stored by URL as `[::7f00:1]`) are outside 2000::/3 and refused.
 * `allowPrivate` (LONGRUN_WEBHOOK_ALLOW_PRIVATE) turns the address check off for an operator who
 * needs it (tests talk to a loopback receiver); the scheme and credential checks stay.
 */
import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** The NAT64 well-known prefix (RFC 6052); its local-use sibling 64:ff9b:1::/48 is not public. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

const NON_PUBLIC = 'a loopback, private, link-local or otherwise non-public address';

function ipv4FromParts(high: number, low: number): IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The IPv4 addresses an IPv6 address carries, by the form its range defines; null: a plain IPv6 address. */
function embeddedIPv4(address: IPv6): IPv4[] | null {
  const p = address.parts;
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
    case 'rfc6052': // 64:ff9b::a.b.c.d (the /48 local-use prefix is refused before this is asked)
      return [ipv4FromParts(p[6]!, p[7]!)];
    case '6to4': // 2002:aabb:ccdd::/48
      return [ipv4FromParts(p[1]!, p[2]!)];
    case 'teredo': // 2001:0:server:server:flags:port:~client:~client
      return [ipv4FromParts(p[2]!, p[3]!), ipv4FromParts(~p[6]! & 0xffff, ~p[7]! & 0xffff)];
    default:
      return null;
  }
}

function isPublicIPv4(address: IPv4): boolean {
  return address.range() === 'unicast';
}

function isPublicIPv6(address: IPv6): boolean {
  if (address.range() === 'rfc6052' && !address.match(NAT64_WELL_KNOWN)) return false;
  const carried = embeddedIPv4(address);
  if (carried) return carried.every(isPublicIPv4);
  return address.range() === 'unicast' && address.match(GLOBAL_UNICAST);
}

/** True only for a public unicast address; anything that does not parse as an address is not public. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv4' ? isPublicIPv4(parsed as IPv4) : isPublicIPv6(parsed as IPv6);
}

export function isBlockedAddress(address: string): boolean {
  return !isPublicAddress(address);
}

export interface GuardOptions {
  allowPrivate: boolean;
  allowHttp: boolean;
}

/** A URL or address the guard refuses; its message says which and why. */
export class BlockedUrlError extends Error {
  override name = 'BlockedUrlError';
}

/** The URL's host without IPv6 brackets, and whether it is an IP literal rather than a name. */
function hostOf(url: URL): { host: string; literal: boolean } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, literal: ipaddr.isValid(host) };
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
  const { host, literal } = hostOf(url);
  if (literal && !options.allowPrivate && !isPublicAddress(host)) throw new BlockedUrlError(`${host} is ${NON_PUBLIC}.`);
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that resolves once and hands over only addresses that pass the check. */
export function guardedLookup(options: GuardOptions) {
  return (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    dns.lookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const allowed = options.allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) {
        const list = addresses.map((a) => a.address).join(', ');
        return callback(new BlockedUrlError(`${hostname} resolves to ${list}: ${NON_PUBLIC}.`), '');
      }
      if (lookupOptions.all) callback(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** Resolves a host name now and refuses it if it has no public address (for early, clear errors at registration). */
export async function checkHostResolves(url: URL, options: GuardOptions): Promise<void> {
  const { host, literal } = hostOf(url);
  if (literal || options.allowPrivate) return;
  await new Promise<void>((resolve, reject) => {
    // A name that does not resolve now is accepted: it is checked again when it is used.
    guardedLookup(options)(host, { all: true }, (err) => (err && err instanceof BlockedUrlError ? reject(err) : resolve()));
  });
}

/**
 * The check for a URL a user registers (webhook endpoint, clip import, document URL): `checkUrl`
 * and then `checkHostResolves`, so a refusal is a clear 4xx now rather than a failure later.
 * What is stored is the normalised URL this returns.
 */
export async function checkPublicUrl(raw: string, options: GuardOptions): Promise<URL> {
  const url = checkUrl(raw, options);
  await checkHostResolves(url, options);
  return url;
}
