/**
 * longrun's status routes under load against a plain Fastify route returning the same bytes
 * from memory, in one run. A real longrun server runs in this process (buildApp + compose,
 * as the tests build it; SQLite in a temporary directory, or --db=postgres), with one
 * organisation, plenty of credits and the rate limit raised out of the way. It imports
 * --profiles generated profiles, runs one sourcing run, then --runs enrichment runs of its 10
 * candidates, all finished. Its workers are then stopped, so that only HTTP is measured.
 *
 * autocannon (in a worker thread, so the load does not share this event loop) with
 * --connections for --duration seconds each, after a --warmup, against:
 *   GET /sourcing/enrich/{id}/results   and   GET /jobs/{id}   (cycling over the runs), longrun
 *   and the same two paths on a plain Fastify server answering the stored bodies from a Map,
 *   the two taken in turn in --rounds passes (see `measurePair`);
 *   POST /sourcing/enrich {profileIds: the 10}: submissions/s (the jobs stay queued)
 * Requests/s, p50/p99 latency (ms) and the ratios longrun/plain.
 *
 *   npm run bench -- http [--duration=10] [--rounds=5] [--warmup=2] [--connections=64] [--runs=20] [--profiles=200] [--db=sqlite|postgres]
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { apiKeyCreate } from '../src/auth/apiKeys.ts';
import { creditsGrant } from '../src/store/ledger.ts';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/app/families.ts';
import { buildApp } from '../src/app/apiServer.ts';
import { openStore } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { orgCreate } from '../src/store/orgs.ts';
import { freshDatabase } from './lib/postgres.ts';
import { listFlag, numberFlag, printComparison, round, writeReport, type Comparison } from './lib/report.ts';

const params = {
  duration: numberFlag('duration', 10),
  warmup: numberFlag('warmup', 2),
  rounds: numberFlag('rounds', 5),
  connections: numberFlag('connections', 64),
  runs: numberFlag('runs', 20),
  profiles: numberFlag('profiles', 200),
  db: listFlag('db', ['sqlite', 'postgres'] as const, ['sqlite'])[0]!,
};

// autocannon ships no types; this is the part of it used here.
interface CannonRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<CannonResult>;

interface Load {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, requests: CannonRequest[], seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: params.connections, duration: seconds, requests, workers: 1 });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function checked(name: string, figures: Load): Load {
  console.log(`${name}: ${JSON.stringify(figures)}`);
  if (figures.errors > 0 || figures.non2xx > 0) throw new Error(`${name}: ${figures.errors} errors, ${figures.non2xx} non-2xx answers`);
  return figures;
}

async function measure(name: string, url: string, requests: CannonRequest[]): Promise<Load> {
  await load(url, requests, params.warmup);
  return checked(name, await load(url, requests, params.duration));
}

/**
 * longrun and plain Fastify on the same requests, in --rounds passes that take the two in
 * turn (--duration split between them), so a slow minute of the machine falls on both alike:
 * measured one after the other, the same code's ratio moved between 0.2× and 0.5×. Requests/s
 * over all passes; p50 the median of the passes', p99 the worst pass's.
 */
async function measurePair(what: string, urls: { longrun: string; plain: string }, requests: CannonRequest[]): Promise<{ longrun: Load; plain: Load }> {
  await load(urls.longrun, requests, params.warmup);
  await load(urls.plain, requests, params.warmup);
  const passes = { longrun: [] as Load[], plain: [] as Load[] };
  const seconds = Math.max(1, Math.round(params.duration / params.rounds));
  for (let round = 0; round < params.rounds; round++) {
    passes.longrun.push(await load(urls.longrun, requests, seconds));
    passes.plain.push(await load(urls.plain, requests, seconds));
  }
  const combined = (list: Load[]): Load => {
    const sorted = (pick: (l: Load) => number) => list.map(pick).sort((a, b) => a - b);
    const total = list.reduce((sum, l) => sum + l.total, 0);
    return {
      requestsPerSecond: Math.round(total / (seconds * list.length)),
      p50Ms: sorted((l) => l.p50Ms)[Math.floor((list.length - 1) / 2)]!,
      p99Ms: sorted((l) => l.p99Ms).at(-1)!,
      total,
      errors: list.reduce((sum, l) => sum + l.errors, 0),
      non2xx: list.reduce((sum, l) => sum + l.non2xx, 0),
    };
  };
  return { longrun: checked(`longrun ${what}`, combined(passes.longrun)), plain: checked(`plain Fastify, ${what}`, combined(passes.plain)) };
}

// ---- A small talent pool for one backend role -----------------------------------------------
const SKILLS = ['Node.js', 'TypeScript', 'PostgreSQL', 'Kubernetes', 'Kafka', 'Redis', 'Go', 'AWS', 'Docker', 'GraphQL', 'React', 'Python'];
const CITIES = [
  ['Berlin', 'DE'],
  ['Munich', 'DE'],
  ['London', 'GB'],
  ['Amsterdam', 'NL'],
  ['Lisbon', 'PT'],
] as const;

function profile(i: number) {
  const skills = SKILLS.filter((_, k) => (i + k) % 3 !== 0).slice(0, 4 + (i % 6));
  const [city, countryCode] = CITIES[i % CITIES.length]!;
  const start = 2010 + (i % 10);
  return {
    basics: {
      name: `Person ${i}`,
      email: `person${i}@bench.example.com`,
      label: i % 2 ? 'Senior Backend Engineer' : 'Software Engineer',
      location: { city, countryCode },
      profiles: [{ network: 'LinkedIn', url: `https://www.linkedin.com/in/bench-person-${i}` }],
    },
    work: [
      {
        name: 'Acme',
        position: 'Senior Backend Engineer',
        startDate: `${start + 4}-03`,
        highlights: [`Built services in ${skills[0]} and ${skills[1]}.`, `Ran ${skills[2]} in production.`],
      },
      {
        name: 'Globex',
        position: 'Backend Developer',
        startDate: `${start}-01`,
        endDate: `${start + 4}-02`,
        highlights: [`Led a team of ${2 + (i % 5)} engineers.`],
      },
    ],
    skills: [{ name: 'Skills', keywords: skills }],
  };
}

const ROLE = {
  title: 'Senior Backend Engineer',
  jobDescription: 'Requirements:\n- 5+ years with Node.js and TypeScript\n- PostgreSQL\nNice to have:\n- Kubernetes\n- Kafka',
  location: 'Berlin, Germany',
  limit: 10,
};

async function main() {
  console.log(`http bench: ${JSON.stringify(params)}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-http-'));
  const database = params.db === 'postgres' ? await freshDatabase('http') : null;
  const config = loadConfig(
    { dataDir, port: 0, logLevel: 'silent', ...(database ? { databaseUrl: database.url } : {}) },
    { LONGRUN_RATE_LIMIT_MAX: '10000000' },
  );
  const store = openStore(config.databaseUrl, config.dbPoolSize);
  await migrateToLatest(store.db);
  const log = pino({ level: 'silent' });
  const composition = compose(config, store, log);
  const { engine } = composition;
  const app = await buildApp(composition);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  engine.start();
  const plain = Fastify();
  try {
    const org = await orgCreate(store.db, 'bench');
    await creditsGrant(store.db, org.id, 100_000_000);
    const { key } = await apiKeyCreate(store.db, { orgId: org.id });
    const auth = { authorization: `Bearer ${key}` };
    const call = async (method: string, route: string, json?: unknown) => {
      const res = await fetch(url + route, {
        method,
        headers: { ...auth, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
      return { status: res.status, text, type: res.headers.get('content-type') ?? 'application/json', body: JSON.parse(text) };
    };
    const untilDone = async (route: string) => {
      for (;;) {
        const answer = await call('GET', `${route}?wait=30`);
        if (answer.status === 200) return answer.body;
      }
    };

    // Finished work to poll.
    for (let from = 0; from < params.profiles; from += 1000) {
      await call(
        'POST',
        '/profiles',
        Array.from({ length: Math.min(1000, params.profiles - from) }, (_, k) => profile(from + k)),
      );
    }
    const sourcing = await call('POST', '/sourcing', ROLE);
    const found = await untilDone(`/sourcing/${sourcing.body.requestId}/results`);
    const profileIds = (found.candidates as { profileId: string }[]).map((c) => c.profileId);
    if (profileIds.length === 0) throw new Error('the sourcing run returned no candidates');
    const runIds: string[] = [];
    for (let r = 0; r < params.runs; r++) {
      const submitted = await call('POST', '/sourcing/enrich', { profileIds });
      runIds.push(submitted.body.requestId);
    }
    for (const id of runIds) {
      const result = await untilDone(`/sourcing/enrich/${id}/results`);
      if (result.status !== 'completed' || result.enrichedCount !== profileIds.length) throw new Error(`run ${id}: ${JSON.stringify(result).slice(0, 300)}`);
    }
    await engine.stop(1000);

    // The same bytes, from memory.
    const stored = new Map<string, { text: string; type: string }>();
    const paths = {
      enrich: runIds.map((id) => `/sourcing/enrich/${id}/results`),
      jobs: runIds.map((id) => `/jobs/${id}`),
    };
    for (const p of [...paths.enrich, ...paths.jobs]) {
      const answer = await call('GET', p);
      stored.set(p, { text: answer.text, type: answer.type });
    }
    const serve = (request: { url: string }, reply: { type(t: string): { send(s: string): unknown } }) => {
      const body = stored.get(request.url)!;
      return reply.type(body.type).send(body.text);
    };
    plain.get('/sourcing/enrich/:id/results', async (request, reply) => serve(request, reply));
    plain.get('/jobs/:id', async (request, reply) => serve(request, reply));
    const plainUrl = await plain.listen({ host: '127.0.0.1', port: 0 });

    const gets = (list: string[]) => list.map((p) => ({ method: 'GET', path: p, headers: auth }));
    const bytes = (list: string[]) => Math.round(list.reduce((a, p) => a + Buffer.byteLength(stored.get(p)!.text), 0) / list.length);
    const urls = { longrun: url, plain: plainUrl };
    const enrich = await measurePair('GET /sourcing/enrich/{id}/results', urls, gets(paths.enrich));
    const jobs = await measurePair('GET /jobs/{id}', urls, gets(paths.jobs));
    const results = {
      enrichResultBytes: bytes(paths.enrich),
      jobBytes: bytes(paths.jobs),
      longrunEnrich: enrich.longrun,
      plainEnrich: enrich.plain,
      longrunJobs: jobs.longrun,
      plainJobs: jobs.plain,
      submit: await measure('longrun POST /sourcing/enrich', url, [
        { method: 'POST', path: '/sourcing/enrich', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ profileIds }) },
      ]),
    };

    const rows = (a: Load, b: Load, what: string) => [
      { label: `longrun ${what}`, values: [a.requestsPerSecond] },
      { label: `plain Fastify, same bytes`, values: [b.requestsPerSecond] },
    ];
    const lat = (a: Load, b: Load, what: string) => [
      { label: `longrun ${what}`, values: [a.p50Ms, a.p99Ms] },
      { label: `plain Fastify, same bytes`, values: [b.p50Ms, b.p99Ms] },
    ];
    const ratio = (a: Load, b: Load) => round(a.requestsPerSecond / b.requestsPerSecond, 3);
    const c = `${params.connections} connections, ${params.duration} s`;
    // The pairs' titles say how they were taken (p50: median of the passes, p99: the worst).
    const turns = `${c} each in ${params.rounds} passes taken in turn`;
    const comparisons: Comparison[] = [
      {
        id: 'enrich-results',
        title: `GET /sourcing/enrich/{id}/results (${results.enrichResultBytes} B), ${turns}`,
        unit: 'requests/s (higher is better)',
        series: ['req/s'],
        rows: rows(results.longrunEnrich, results.plainEnrich, 'enrich results'),
        ratios: [
          { label: 'longrun / plain Fastify, enrich results req/s', value: ratio(results.longrunEnrich, results.plainEnrich), target: '>= 0.5' },
          { label: 'longrun enrich results p99', value: results.longrunEnrich.p99Ms, target: '<= 15', unit: 'ms' },
        ],
      },
      {
        id: 'enrich-results-latency',
        title: `GET /sourcing/enrich/{id}/results latency, ${turns}`,
        unit: 'ms (lower is better)',
        series: ['p50', 'p99'],
        rows: lat(results.longrunEnrich, results.plainEnrich, 'enrich results'),
      },
      {
        id: 'job-status',
        title: `GET /jobs/{id} (${results.jobBytes} B), ${turns}`,
        unit: 'requests/s (higher is better)',
        series: ['req/s'],
        rows: rows(results.longrunJobs, results.plainJobs, 'GET /jobs/{id}'),
        ratios: [
          { label: 'longrun / plain Fastify, GET /jobs/{id} req/s', value: ratio(results.longrunJobs, results.plainJobs), target: '>= 0.5' },
          { label: 'longrun GET /jobs/{id} p99', value: results.longrunJobs.p99Ms, target: '<= 15', unit: 'ms' },
        ],
      },
      {
        id: 'job-status-latency',
        title: `GET /jobs/{id} latency, ${turns}`,
        unit: 'ms (lower is better)',
        series: ['p50', 'p99'],
        rows: lat(results.longrunJobs, results.plainJobs, 'GET /jobs/{id}'),
      },
      {
        id: 'submit',
        title: `POST /sourcing/enrich (${profileIds.length} profiles), ${c}, workers stopped; p50 ${results.submit.p50Ms} ms, p99 ${results.submit.p99Ms} ms`,
        unit: 'submissions/s (higher is better)',
        series: ['req/s'],
        rows: [{ label: 'longrun POST /sourcing/enrich', values: [results.submit.requestsPerSecond] }],
      },
    ];
    for (const comparison of comparisons) printComparison(comparison);
    writeReport({ name: 'http', params, results, comparisons });
  } finally {
    engine.signals.shutdown();
    await plain.close();
    await app.close();
    await engine.stop(1000);
    await store.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
