import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testBackend } from '../helpers/testDatabase.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('operations', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { LONGRUN_RATE_LIMIT_MAX: '5', LONGRUN_RATE_LIMIT_WINDOW_MS: '60000' } });
  });
  afterAll(() => server.close());

  it('/healthz and /readyz answer without a key', async () => {
    expect((await call(`${server.url}/healthz`)).body).toEqual({ success: true, data: { status: 'ok' } });
    const ready = (await call(`${server.url}/readyz`)).body;
    expect(ready).toMatchObject({ success: true, data: { status: 'ready', database: testBackend() } });
    // Which ffmpeg renders use: the PATH's when there is one (CI installs Debian's), else the one npm installed.
    expect(ready.data.media.ffmpeg).toMatchObject({ path: expect.stringMatching(/ffmpeg$/), source: expect.stringMatching(/^(npm|path)$/), executable: true });
    expect(ready.data.media.ffprobe).toMatchObject({ path: expect.stringMatching(/ffprobe$/), executable: true });
  });

  it('/readyz fails while a migration is not applied', async () => {
    const applied = await server.store.db
      .selectFrom('kysely_migration' as never)
      .selectAll()
      .execute();
    await sql`delete from kysely_migration`.execute(server.store.db);
    try {
      const answer = await call(`${server.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.body.error).toBe('service_unavailable');
      expect(answer.body.message).toContain('0001_foundation');
    } finally {
      for (const row of applied as { name: string; timestamp: string }[]) {
        await sql`insert into kysely_migration (name, timestamp) values (${row.name}, ${row.timestamp})`.execute(server.store.db);
      }
    }
    expect((await call(`${server.url}/readyz`)).status).toBe(200);
  });

  it('limits requests per key with X-RateLimit headers, then 429 with Retry-After', async () => {
    const { key } = await server.newOrg('limited');
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await call(`${server.url}/me`, { key }));
    expect(answers[0]!.headers.get('x-ratelimit-limit')).toBe('5');
    expect(answers[0]!.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(answers[0]!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    expect(answers.slice(0, 5).every((a) => a.status === 200)).toBe(true);
    const limited = answers[5]!;
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another key has its own budget.
    expect((await call(`${server.url}/me`, { key: server.key })).status).toBe(200);
  });

  it('uses a key’s own limit over the server default', async () => {
    const { key } = await server.newOrg('generous');
    await server.store.db
      .updateTable('api_keys')
      .set({ rate_limit: 50 })
      .where('id', '=', `key_${key.split('_')[1]}`)
      .execute();
    const answer = await call(`${server.url}/me`, { key });
    expect(answer.headers.get('x-ratelimit-limit')).toBe('50');
  });

  it('counts requests by route pattern in /metrics', async () => {
    const operator = await server.newOrg('ops', { scopes: ['metrics:read'] });
    await call(`${server.url}/healthz`);
    const metrics = await call(`${server.url}/metrics`, { key: operator.key });
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toMatch(/longrun_http_requests_total\{method="GET",route="\/healthz",status_code="200"\} \d+/);
    expect(metrics.text).toContain('longrun_http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/longrun_db_pool_connections\{state="total"\} [1-9]/);
    expect(metrics.text).toMatch(/longrun_db_query_duration_seconds_count\{outcome="ok"\} [1-9]/);
    expect(metrics.text).toContain('process_resident_memory_bytes');
  });

  it('serves an OpenAPI 3.1 document of the routes and a docs page', async () => {
    const doc = (await call(`${server.url}/openapi.json`)).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/me', '/credits', '/credits/ledger', '/healthz', '/readyz']));
    expect(doc.paths['/credits/ledger'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'offset', 'ref']);
    expect(doc.components.securitySchemes.bearer.scheme).toBe('bearer');
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('echoes a request ID on every response', async () => {
    const answer = await call(`${server.url}/healthz`);
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
