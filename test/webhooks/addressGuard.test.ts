/**
 * The SSRF guard's one address check (`isPublicAddress`, on ipaddr.js): a table of addresses and
 * URL forms, the DNS answers checked at send time, and — over HTTP on both backends — every
 * route that registers a URL refusing the non-public ones with a 422 and storing nothing.
 */
import dns from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchToFile } from '../../src/net/fetchToFile.ts';
import { BlockedUrlError, checkPublicUrl, checkUrl, guardedLookup, isPublicAddress } from '../../src/net/addressGuard.ts';
import { postWebhook } from '../../src/families/webhooks/send.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';

const strictGuard = { allowPrivate: false, allowHttp: true };

// Addresses as a resolver or WHATWG URL would hand them over, and why each is not public.
const NOT_PUBLIC: [string, string][] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['0.0.0.0', 'this network'],
  ['0.1.2.3', 'this network (0.0.0.0/8)'],
  ['10.1.2.3', 'RFC 1918'],
  ['172.16.0.1', 'RFC 1918'],
  ['172.31.255.255', 'RFC 1918'],
  ['192.168.1.20', 'RFC 1918'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade NAT'],
  ['169.254.169.254', 'link-local, cloud metadata'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::7f00:1', 'IPv4-compatible 127.0.0.1 (URL form of [::127.0.0.1])'],
  ['::a00:1', 'IPv4-compatible 10.0.0.1'],
  ['::808:808', 'IPv4-compatible, deprecated even with a public IPv4'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254'],
  ['::ffff:0:7f00:1', 'IPv4-translated (RFC 6145) loopback'],
  ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ['64:ff9b::c0a8:101', 'NAT64 of 192.168.1.1'],
  ['64:ff9b:1::808:808', 'NAT64 local-use prefix'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:a00:1::1', '6to4 of 10.0.0.1'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo whose client is 192.0.2.45'],
  ['2001:0:a00:1::1', 'Teredo whose server is 10.0.0.1'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone'],
  ['febf::1', 'link-local, top of fe80::/10'],
  ['fec0::1', 'deprecated site-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['100::1', 'discard'],
  ['4000::1', 'outside global unicast 2000::/3'],
  ['not an address', 'not an address'],
  ['', 'empty'],
];

const PUBLIC = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '2001:4860:4860::8888', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];

// URL forms that WHATWG URL normalises to a non-public address before the check.
const HOSTILE_URLS = [
  'http://2130706433/',
  'http://0x7f.1/',
  'http://0x7f000001/',
  'http://0177.0.0.1/',
  'http://127.1/',
  'http://127.0.0.1./',
  'http://%31%32%37.0.0.1/',
  'http://\uff11\uff12\uff17.0.0.1/',
  'http://0/',
  'http://[::127.0.0.1]/',
  'http://[0::127.0.0.1]/',
  'http://[::ffff:0:127.0.0.1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[0:0:0:0:0:ffff:7f00:0001]/',
  'http://[::ffff:169.254.169.254]/latest/meta-data',
  'http://[64:ff9b::10.0.0.1]/',
  'http://[2002:c0a8:101::1]/',
  'http://[fc00::1]/',
  'http://[fe80::1]/',
  'http://[ff02::1]/',
  'http://[::]/',
  'http://100.64.0.1/',
  'http://169.254.169.254/',
];

// The table needs no database: it runs in the SQLite pass only.
describe('isPublicAddress', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(NOT_PUBLIC)('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(PUBLIC)('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each(HOSTILE_URLS)('refuses the URL %s, whatever form its address takes', (url) => {
    expect(() => checkUrl(url, strictGuard)).toThrow(/non-public address/);
  });

  it('keeps the operator allowance: with allowPrivate the address check is off, the scheme check is not', () => {
    expect(checkUrl('http://[::127.0.0.1]/', { allowPrivate: true, allowHttp: true }).hostname).toBe('[::7f00:1]');
    expect(() => checkUrl('http://8.8.8.8/', { allowPrivate: true, allowHttp: false })).toThrow(/must use https/);
  });

  it('checks every DNS answer through the same function, and hands over only the public ones', async () => {
    const answers: dns.LookupAddress[] = [];
    vi.spyOn(dns, 'lookup').mockImplementation(((_host: string, _options: unknown, callback: (err: null, addresses: dns.LookupAddress[]) => void) =>
      callback(null, answers)) as never);
    const lookup = (host: string) =>
      new Promise<dns.LookupAddress[]>((resolve, reject) =>
        guardedLookup(strictGuard)(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as dns.LookupAddress[]))),
      );

    answers.splice(0, answers.length, { address: '::ffff:7f00:1', family: 6 }, { address: '64:ff9b::a00:1', family: 6 }, { address: '100.64.0.1', family: 4 });
    await expect(lookup('rebind.example')).rejects.toBeInstanceOf(BlockedUrlError);
    await expect(checkPublicUrl('https://rebind.example/hook', strictGuard)).rejects.toThrow(/rebind\.example resolves to .*non-public/);

    answers.splice(0, answers.length, { address: '10.0.0.1', family: 4 }, { address: '8.8.8.8', family: 4 }, { address: '::7f00:1', family: 6 });
    expect(await lookup('mixed.example')).toEqual([{ address: '8.8.8.8', family: 4 }]);
  });
});

describe('URLs with a non-public address, end to end', () => {
  let strict: TestServer; // the defaults, except http allowed so the receiver's http URLs pass the scheme check
  let receiver: Receiver;
  beforeAll(async () => {
    strict = await startTestServer({ env: { LONGRUN_WEBHOOK_ALLOW_HTTP: '1' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await strict?.close();
  });

  // Each of these would reach this machine's receiver if the guard let it through.
  const loopbackForms = () => [
    `http://[::127.0.0.1]:${receiver.port}/`,
    `http://[::ffff:127.0.0.1]:${receiver.port}/`,
    `http://2130706433:${receiver.port}/`,
    `http://0x7f.1:${receiver.port}/`,
    `http://127.1:${receiver.port}/`,
    `http://[64:ff9b::127.0.0.1]:${receiver.port}/`,
    `http://[2002:7f00:1::1]:${receiver.port}/`,
    `http://localhost:${receiver.port}/`,
  ];

  const counts = async () => {
    const db = strict.store.db;
    const count = async (table: 'webhook_endpoints' | 'clips' | 'kb_docs' | 'jobs') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { webhooks: await count('webhook_endpoints'), clips: await count('clips'), docs: await count('kb_docs'), jobs: await count('jobs') };
  };

  const expectRefused = (answer: Awaited<ReturnType<typeof call>>, url: string) => {
    expect(answer.status, url).toBe(422);
    expect(answer.body, url).toMatchObject({ success: false, error: 'validation_error' });
    expect(answer.body.message, url).toMatch(/^body\.url is refused: .*non-public address/);
  };

  it('refuses them at registration — webhook create and change, clip import, document by URL — and stores nothing', async () => {
    const { key } = await strict.newOrg('ssrf-registration', { credits: 10 });
    const endpoint = (await call(`${strict.url}/webhooks`, { key, json: { url: 'https://hooks.example.com/in', events: ['*'] } })).body.data;
    const kb = (await call(`${strict.url}/kbs`, { key, json: { name: 'Notes' } })).body.data;
    const before = await counts();

    for (const url of [...loopbackForms(), ...HOSTILE_URLS]) {
      expectRefused(await call(`${strict.url}/webhooks`, { key, json: { url, events: ['*'] } }), url);
      expectRefused(await call(`${strict.url}/webhooks/${endpoint.id}`, { key, method: 'PATCH', json: { url } }), url);
      expectRefused(await call(`${strict.url}/clips/import`, { key, json: { url } }), url);
      expectRefused(await call(`${strict.url}/kbs/${kb.id}/docs`, { key, json: { url } }), url);
    }

    expect(await counts()).toEqual(before);
    expect((await call(`${strict.url}/webhooks/${endpoint.id}`, { key })).body.data.url).toBe('https://hooks.example.com/in');
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses them at send and fetch time too, for a URL stored before the guard knew better', async () => {
    const { key } = await strict.newOrg('ssrf-send');
    const created = await call(`${strict.url}/webhooks`, { key, json: { url: 'https://hooks.example.com/in', events: ['*'] } });
    for (const url of loopbackForms()) {
      await strict.store.db.updateTable('webhook_endpoints').set({ url }).where('id', '=', created.body.data.id).execute();
      const ping = await call(`${strict.url}/webhooks/${created.body.data.id}/test`, { key, method: 'POST' });
      expect(ping.body.data, url).toMatchObject({ delivered: false, httpStatus: null });
      expect(ping.body.data.error, url).toMatch(/non-public/);
      await expect(postWebhook(url, '{}', {}, { ...strictGuard, timeoutMs: 2000 }), url).rejects.toMatchObject({ code: 'BLOCKED_ADDRESS' });
      await expect(fetchToFile(url, `${tempDir()}/file`, { ...strictGuard, maxBytes: 1024, timeoutMs: 2000 }), url).rejects.toThrow(/non-public/);
    }
    expect(receiver.received).toHaveLength(0);

    // The operator allowance still reaches the same receiver.
    const allowed = await postWebhook(`http://[::ffff:127.0.0.1]:${receiver.port}/allowed`, '{}', {}, { allowPrivate: true, allowHttp: true, timeoutMs: 2000 });
    expect(allowed.status).toBe(200);
    expect((await receiver.next('/allowed')).body).toBe('{}');
  });
});
