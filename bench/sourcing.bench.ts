/**
 * The sourcing family end to end, over real HTTP to a real server in this process (SQLite in a
 * temporary directory): bulk import of N generated JSON Resume profiles (POST /profiles, 1,000 a
 * request), sourcing-run latency (submit to results, R runs one at a time) and the full-text
 * search alone (profileSearch, called directly), then enrichment throughput (E runs of up to 10
 * profiles, 8 in flight). Prints a table and writes bench/results/sourcing.json.
 *
 *   npm run bench -- sourcing [--profiles=100000] [--runs=50] [--enrich-runs=100]
 *   npx tsx bench/sourcing.bench.ts --profiles=5000 --runs=10 --enrich-runs=10
 *
 * The rate limit is raised so that the benchmark measures the work, not the limiter.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { apiKeyCreate } from '../src/auth/apiKeys.ts';
import { creditsGrant } from '../src/store/ledger.ts';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/app/families.ts';
import { searchWordsFor } from '../src/families/sourcing/runs/kind.ts';
import { parseRole } from '../src/families/sourcing/scoring/requirements.ts';
import { buildApp } from '../src/app/apiServer.ts';
import { openStore } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { orgCreate } from '../src/store/orgs.ts';
import { searchTerms } from '../src/searchTerms.ts';
import { profileSearch } from '../src/families/sourcing/talentPool/sql/profileSearch.ts';

const flag = (name: string, fallback: number) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const params = { profiles: flag('profiles', 100_000), runs: flag('runs', 50), enrichRuns: flag('enrich-runs', 100) };

// ---- Deterministic profiles -------------------------------------------------------------------
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20260101);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const some = <T>(list: readonly T[], n: number): T[] =>
  list
    .map((v) => ({ v, k: rand() }))
    .sort((a, b) => a.k - b.k)
    .slice(0, n)
    .map((x) => x.v);
const split = (s: string) => s.split('|');

// Title families, each with the skills its people list (aliases included: k8s, Postgres, TS, golang, Torch).
const FAMILIES = [
  [
    'Backend Engineer|Senior Backend Engineer|Software Engineer|Senior Software Engineer|Staff Engineer|Java Developer|Python Developer|Go Engineer',
    'Node.js|NodeJS|TypeScript|TS|Java|Spring Boot|Python|Django|golang|Go|PostgreSQL|Postgres|MySQL|Redis|Kafka|gRPC|REST APIs|Microservices|k8s|Docker|AWS',
  ],
  [
    'Frontend Engineer|Senior Frontend Engineer|React Developer|UI Engineer|Full Stack Developer|Mobile Engineer',
    'React|ReactJS|JavaScript|JS|TypeScript|TS|Next.js|Vue|Angular|CSS|Tailwind|HTML5|GraphQL|Jest|Figma|React Native|Swift|Node',
  ],
  [
    'Data Engineer|Senior Data Engineer|Analytics Engineer|Data Analyst|BI Developer|Data Scientist',
    'Python|SQL|Spark|PySpark|Airflow|dbt|Snowflake|BigQuery|Kafka|Postgres|Pandas|Tableau|Looker|Databricks|Redshift|ETL|Data modeling',
  ],
  [
    'Machine Learning Engineer|Senior ML Engineer|MLOps Engineer|AI Research Scientist|NLP Engineer|Computer Vision Engineer',
    'Python|PyTorch|Torch|TensorFlow|scikit-learn|sklearn|CUDA|LLMs|Hugging Face|MLflow|Kubeflow|vLLM|NLP|Computer vision|RAG|k8s|Pandas|NumPy',
  ],
  [
    'DevOps Engineer|Site Reliability Engineer|Platform Engineer|Cloud Engineer|Infrastructure Engineer',
    'Kubernetes|k8s|Docker|Terraform|AWS|GCP|Azure|Ansible|Linux|Prometheus|Grafana|CI/CD|GitHub Actions|Helm|EKS|golang|Python|Bash',
  ],
  [
    'Product Designer|Senior UX Designer|UI Designer|UX Researcher|Visual Designer',
    'Figma|Sketch|Prototyping|User research|Design systems|Wireframing|Accessibility|Interaction design|Typography|Usability testing',
  ],
  [
    'Product Manager|Senior Product Manager|Technical Program Manager|Product Owner',
    'Product management|Roadmapping|Agile|Scrum|Stakeholder management|SQL|A/B testing|B2B SaaS|Jira|User research',
  ],
  [
    'Accountant|Sales Manager|Marketing Manager|HR Business Partner|Customer Success Manager|Recruiter',
    'Excel|IFRS|Salesforce|HubSpot|SEO|Negotiation|Payroll|Communication skills|Google Sheets|CRM',
  ],
].map(([titles, skills]) => ({ titles: split(titles!), skills: split(skills!) }));
const CITIES = split(
  'Berlin,DE|Munich,DE|Hamburg,DE|Amsterdam,NL|Paris,FR|Madrid,ES|Lisbon,PT|Warsaw,PL|Stockholm,SE|Dublin,IE|London,GB|Manchester,GB|Edinburgh,GB|New York,US|San Francisco,US|Austin,US|Seattle,US|Boston,US|Chicago,US',
);
const COMPANIES = split(
  'Stripe|Zalando|Spotify|Shopify|Monzo|N26|Booking.com|Adyen|Delivery Hero|SAP|Siemens|Datadog|Netflix|Airbnb|Acme Corp|Globex|Initech|Contoso|Revolut|Klarna',
);
const FIRST = split('Jane|Alex|Priya|Tom|Maria|Lukas|Sofia|Omar|Chen|Anna|David|Fatima|Jonas|Elena|Marco|Aisha|Ben|Yuki|Carlos|Nora');
const LAST = split('Smith|Müller|Rao|Baker|Garcia|Schmidt|Rossi|Khan|Wang|Novak|Johnson|Silva|Dubois|Kowalski|Jensen|Okafor|Brown|Tanaka|Lopez|Fischer');
const HIGHLIGHTS = split(
  'Built services with {a} and {b}.|Migrated the platform from {a} to {b}.|Led a team of {n} engineers working on {a}.|Cut latency by {n}0% using {a}.|Owned the {a} roadmap and hiring.|Introduced {a} and {b} across {n} teams.',
);

const month = (m: number) => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;

function profile(i: number) {
  const family = pick(FAMILIES);
  const skills = some(family.skills, int(3, 10));
  const [city, countryCode] = pick(CITIES).split(',') as [string, string];
  const work = [];
  let at = int(2005, 2022) * 12 + int(0, 11);
  const last = 2026 * 12 + 5;
  for (let p = int(1, 5); p > 0 && at < last; p--) {
    const end = at + int(6, 60);
    const ongoing = end >= last || (p === 1 && rand() < 0.7);
    const highlights = Array.from({ length: int(1, 4) }, () =>
      pick(HIGHLIGHTS)
        .replace('{a}', pick(skills))
        .replace('{b}', pick(skills))
        .replace('{n}', String(int(2, 9))),
    );
    work.unshift({ name: pick(COMPANIES), position: pick(family.titles), startDate: month(at), ...(ongoing ? {} : { endDate: month(end) }), highlights });
    if (ongoing) break;
    at = end + int(0, 6);
  }
  const linkedin = { network: 'LinkedIn', url: `https://www.linkedin.com/in/bench-${i}` };
  const basics = {
    name: `${pick(FIRST)} ${pick(LAST)}`,
    label: work[0]!.position,
    email: `p${i}@bench.example.com`,
    location: { city, countryCode },
    profiles: [linkedin],
  };
  return { basics, work, skills: [{ name: 'Skills', keywords: skills }] };
}

const ROLES = [
  ['Senior Backend Engineer', 'Node.js and TypeScript|PostgreSQL|REST APIs', 'Kubernetes|Kafka', 'Berlin, Germany'],
  ['Senior Frontend Engineer', 'React and TypeScript|CSS', 'Next.js|GraphQL', 'London, UK'],
  ['Data Engineer', 'Python and SQL|Airflow|Spark', 'dbt|Snowflake', 'Amsterdam, Netherlands or Remote (EU)'],
  ['Machine Learning Engineer', 'Python|PyTorch|MLOps', 'LLMs|CUDA', 'San Francisco, CA'],
  ['Site Reliability Engineer', 'Kubernetes|Terraform|AWS', 'Prometheus|golang', 'New York, NY'],
].map(([title, must, nice, location]) => ({
  title: title!,
  jobDescription: [
    'Requirements:',
    '- 4+ years of professional experience',
    ...split(must!).map((s) => `- ${s}`),
    'Nice to have:',
    ...split(nice!).map((s) => `- ${s}`),
  ].join('\n'),
  location: location!,
  limit: 10,
}));

// ---- Measuring ---------------------------------------------------------------------------------
/** Nearest-rank percentile, to 0.1 ms. */
const pct = (xs: number[], p: number) => Math.round([...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)]! * 10) / 10;
const ms = (since: number) => performance.now() - since;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-'));
  const store = openStore(loadConfig({ dataDir }, {}).databaseUrl);
  await migrateToLatest(store.db);
  const config = loadConfig({ dataDir, port: 0, logLevel: 'silent' }, { LONGRUN_RATE_LIMIT_MAX: '10000000' });
  const log = pino({ level: 'silent' });
  const composition = compose(config, store, log);
  const { engine } = composition;
  const app = await buildApp(composition);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  engine.start();
  try {
    const org = await orgCreate(store.db, 'bench-org');
    await creditsGrant(store.db, org.id, 10_000_000);
    const { key } = await apiKeyCreate(store.db, { orgId: org.id });
    const call = async (method: string, route: string, json?: unknown) => {
      const headers: Record<string, string> = { authorization: `Bearer ${key}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) };
      const res = await fetch(url + route, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text), text };
    };
    const expect = (answer: { status: number; text: string }, status: number, what: string) => {
      if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 500)}`);
    };
    const untilDone = async (route: string) => {
      for (;;) {
        const answer = await call('GET', `${route}?wait=30`);
        if (answer.status === 200) return answer.body;
        expect(answer, 202, route);
      }
    };

    // 1. Import.
    let importMs = 0;
    const wallStart = performance.now();
    for (let from = 0; from < params.profiles; from += 1000) {
      const batch = Array.from({ length: Math.min(1000, params.profiles - from) }, (_, k) => profile(from + k));
      const started = performance.now();
      expect(await call('POST', '/profiles', batch), 201, 'POST /profiles');
      importMs += ms(started);
      if ((from / 1000) % 10 === 9) console.log(`  imported ${from + batch.length} (${Math.round((from + batch.length) / (importMs / 1000))}/s)`);
    }
    const importWallMs = ms(wallStart);

    // 2. Sourcing runs, one at a time.
    const runMs: number[] = [];
    const returned = new Set<string>();
    let sample = { foundCount: 0, scoredCount: 0 };
    for (let r = 0; r < params.runs; r++) {
      const started = performance.now();
      const submitted = await call('POST', '/sourcing', ROLES[r % ROLES.length]);
      expect(submitted, 202, 'POST /sourcing');
      const result = await untilDone(`/sourcing/${submitted.body.requestId}/results`);
      runMs.push(ms(started));
      if (result.status !== 'completed') throw new Error(`sourcing run ${result.requestId}: ${result.status} ${result.errorCode}`);
      if (r === 0) sample = { foundCount: result.foundCount, scoredCount: result.scoredCount };
      for (const c of result.candidates as { profileId: string }[]) returned.add(c.profileId);
    }

    // 3. The search alone, with the terms a run uses.
    const searchMs: number[] = [];
    for (let r = 0; r < params.runs; r++) {
      const input = ROLES[r % ROLES.length]!;
      const terms = searchTerms(searchWordsFor(input, parseRole(input)));
      const started = performance.now();
      await profileSearch(store.db, org.id, terms, 200);
      searchMs.push(ms(started));
    }

    // 4. Enrichment, 8 runs in flight.
    const pool = [...returned];
    let next = 0;
    let enriched = 0;
    const enrichStart = performance.now();
    const worker = async () => {
      for (let i = next++; i < params.enrichRuns; i = next++) {
        const profileIds = Array.from({ length: Math.min(10, pool.length) }, (_, k) => pool[(i * 10 + k) % pool.length]!);
        const submitted = await call('POST', '/sourcing/enrich', { profileIds });
        expect(submitted, 202, 'POST /sourcing/enrich');
        const result = await untilDone(`/sourcing/enrich/${submitted.body.requestId}/results`);
        if (result.status !== 'completed' || result.failureCount !== 0)
          throw new Error(`enrichment run ${result.requestId}: ${JSON.stringify(result).slice(0, 500)}`);
        enriched += result.enrichedCount;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const enrichMs = ms(enrichStart);

    const results = {
      importProfilesPerSecond: Math.round(params.profiles / (importMs / 1000)),
      importSeconds: Math.round(importMs / 100) / 10,
      importWallSeconds: Math.round(importWallMs / 100) / 10,
      sourcingRunMs: { p50: pct(runMs, 50), p95: pct(runMs, 95), p99: pct(runMs, 99), max: pct(runMs, 100) },
      sourcingFoundCount: sample.foundCount,
      sourcingScoredCount: sample.scoredCount,
      searchQueryMs: { p50: pct(searchMs, 50), p99: pct(searchMs, 99) },
      distinctProfilesReturned: pool.length,
      enrichedProfiles: enriched,
      enrichSeconds: Math.round(enrichMs / 100) / 10,
      enrichProfilesPerSecond: Math.round((enriched / (enrichMs / 1000)) * 10) / 10,
    };
    const rows: [string, string][] = [
      [
        'profiles imported',
        `${params.profiles} in ${results.importSeconds} s (${results.importProfilesPerSecond}/s; wall with generation ${results.importWallSeconds} s)`,
      ],
      [
        `sourcing run, ${params.runs} runs`,
        `p50 ${results.sourcingRunMs.p50} ms, p95 ${results.sourcingRunMs.p95}, p99 ${results.sourcingRunMs.p99}, max ${results.sourcingRunMs.max}`,
      ],
      ['first run found / scored', `${sample.foundCount} / ${sample.scoredCount}`],
      ['search query alone', `p50 ${results.searchQueryMs.p50} ms, p99 ${results.searchQueryMs.p99} ms`],
      [`enrichment, ${params.enrichRuns} runs`, `${enriched} profiles in ${results.enrichSeconds} s (${results.enrichProfilesPerSecond}/s)`],
    ];
    for (const [label, value] of rows) console.log(`${label.padEnd(28)}${value}`);

    const cpus = os.cpus();
    const machine = { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, platform: `${process.platform} ${process.arch}` };
    const report = { name: 'sourcing', date: new Date().toISOString(), machine, params, results };
    const out = fileURLToPath(new URL('results', import.meta.url));
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'sourcing.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`written ${path.relative(process.cwd(), path.join(out, 'sourcing.json'))}`);
  } finally {
    engine.signals.shutdown();
    await app.close();
    await engine.stop(1000);
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
