/**
 * One of every resource an organisation can own, made over HTTP as a client would, and the reads
 * that show their stored state (for "nothing changed" checks).
 *
 * Guarantees: when `seedResources` returns, every job it started has ended (so nothing it made
 * changes by itself afterwards), and every pool holds at least one ID of its kind — except
 * `renderFile` when `render` is false.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { documentWhenIngested } from '../helpers/knowledge.ts';
import { tools, uploadClip, clipWhenAnalysed } from '../helpers/media.ts';
import { resume } from '../helpers/sourcing.ts';
import { call, type Answer } from '../helpers/testServer.ts';
import { sendRaw, type IdPools, type Operation, type ResourceKind, resourceKindOfParam } from '../helpers/openapiRequests.ts';
import { until } from '../helpers/wait.ts';

/** Two seconds of 160×120 video with a tone: enough for analysis and a render, cheap to make. */
export function makeTinyVideo(dir: string): string {
  const file = path.join(dir, 'tiny.mp4');
  if (fs.existsSync(file)) return file;
  execFileSync(tools.ffmpeg.path, [
    '-y',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10:duration=2',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=22050:duration=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  return file;
}

function ok(answer: Answer, what: string, status = [200, 201, 202]): Answer {
  if (!status.includes(answer.status)) throw new Error(`seeding: ${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer;
}

async function untilDone(get: () => Promise<Answer>, done: (a: Answer) => boolean, what: string): Promise<Answer> {
  for (let i = 0; i < 60; i++) {
    const answer = await get();
    if (done(answer)) return answer;
  }
  throw new Error(`seeding: ${what} did not finish`);
}

/** Asks again until `done`: deliveries have no long-poll. */
async function answerWhen(get: () => Promise<Answer>, done: (a: Answer) => boolean, what: string): Promise<Answer> {
  let answer: Answer | undefined;
  await until(`seeding: ${what}`, async () => done((answer = await get())), { timeoutMs: 20_000 });
  return answer!;
}

export interface SeedOptions {
  /** Makes e-mail addresses unique, so two seeds in one organisation do not update each other. */
  tag: string;
  /** Where deliveries go: a receiver that answers 2xx. */
  receiverUrl: string;
  video: string;
  /** Render a candidate too (a real ffmpeg run of two seconds of video). */
  render: boolean;
}

/** Every job of the organisation has ended. */
export async function jobsSettled(url: string, key: string): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const page = ok(await call(`${url}/jobs?limit=100`, { key }), 'GET /jobs').body;
    const open = page.data.jobs.filter((j: { status: string }) => j.status === 'queued' || j.status === 'running');
    if (open.length === 0) return page.data.jobs.map((j: { id: string }) => j.id);
    await call(`${url}/jobs/${open[0].id}?wait=5`, { key });
  }
  throw new Error('seeding: jobs did not settle');
}

export async function seedResources(url: string, key: string, o: SeedOptions): Promise<IdPools> {
  const jobsBefore = new Set(await jobsSettled(url, key));
  const webhook = ok(await call(`${url}/webhooks`, { key, json: { url: `${o.receiverUrl}/${o.tag}`, events: ['*'], name: o.tag } }), 'POST /webhooks').body.data
    .id as string;

  const imported = ok(
    await call(`${url}/profiles`, {
      key,
      json: [
        resume('Jane Smith', `jane.${o.tag}@example.com`, {
          label: 'Senior Backend Engineer',
          city: 'Berlin',
          countryCode: 'DE',
          linkedin: `https://www.linkedin.com/in/jane${o.tag}`,
          skills: ['Node', 'TypeScript', 'PostgreSQL'],
          work: [{ name: 'Stripe', position: 'Senior Backend Engineer', startDate: '2019-01', highlights: ['Node.js and TypeScript on PostgreSQL'] }],
        }),
        resume('Alex Müller', `alex.${o.tag}@example.com`, {
          label: 'Backend Engineer',
          city: 'Munich',
          countryCode: 'DE',
          skills: ['Node', 'PostgreSQL'],
          work: [{ name: 'Zalando', position: 'Backend Engineer', startDate: '2020-01' }],
        }),
      ],
    }),
    'POST /profiles',
  ).body.profileIds as string[];

  const sourcingRun = ok(
    await call(`${url}/sourcing`, {
      key,
      json: {
        title: 'Senior Backend Engineer',
        jobDescription: 'Node.js, TypeScript and PostgreSQL; 5+ years.',
        location: 'Berlin, Germany',
        limit: 2,
        webhookId: webhook,
      },
    }),
    'POST /sourcing',
  ).body.requestId as string;
  const results = await untilDone(
    () => call(`${url}/sourcing/${sourcingRun}/results?wait=10`, { key }),
    (a) => a.status === 200,
    'sourcing run',
  );
  const sourced = (results.body.candidates as { profileId: string }[]).map((c) => c.profileId);
  expect(sourced.length, 'the sourcing run found the seeded profiles').toBeGreaterThan(0);

  const enrichmentRun = ok(
    await call(`${url}/sourcing/enrich`, { key, json: { profileIds: sourced.slice(0, 1), webhookId: webhook } }),
    'POST /sourcing/enrich',
  ).body.requestId as string;
  await untilDone(
    () => call(`${url}/sourcing/enrich/${enrichmentRun}/results?wait=10`, { key }),
    (a) => a.status === 200,
    'enrichment run',
  );

  const clip = ok(await uploadClip(url, key, o.video, `clip ${o.tag}`), 'POST /clips').body.data.id as string;
  await clipWhenAnalysed(url, key, clip);
  const candidate = ok(await call(`${url}/clips/${clip}/candidates`, { key, json: { startMs: 0, endMs: 1000, title: 'The first second' } }), 'POST candidates')
    .body.data.id as string;
  const renderFile: string[] = [];
  if (o.render) {
    const job = ok(await call(`${url}/clips/${clip}/render`, { key, json: { candidateId: candidate } }), 'POST render').body.data.jobId as string;
    await untilDone(
      () => call(`${url}/jobs/${job}?wait=10`, { key }),
      (a) => a.status === 200 && a.body.data.status !== 'running',
      'render',
    );
    renderFile.push(`${job}.mp4`);
  }
  const upload = ok(await call(`${url}/clips/uploads`, { key, json: { fileName: 'big.mp4', size: 200_000, partSize: 65_536 } }), 'POST /clips/uploads').body
    .data.uploadId as string;

  const kb = ok(await call(`${url}/kbs`, { key, json: { name: `kb ${o.tag}`, description: 'notes' } }), 'POST /kbs').body.data.id as string;
  const docAnswer = await fetch(`${url}/kbs/${kb}/docs?title=Notes&uri=${encodeURIComponent(`notes://${o.tag}`)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/markdown' },
    body: '# Onboarding\n\nUsers who reach a first success in the first session come back. Activation rises when the signup form is short.',
  });
  const doc = (await docAnswer.json()).data.id as string;
  await documentWhenIngested(url, key, kb, doc);

  const ideaJob = ok(
    await call(`${url}/ideas/enrich`, {
      key,
      json: {
        idea: { title: 'Short signup forms', citations: [{ snippet: 'Activation rises', docId: doc }] },
        platforms: [{ platform: 'twitter' }, { platform: 'linkedin', mode: 'standard' }],
        kbId: kb,
      },
    }),
    'POST /ideas/enrich',
  ).body.data.jobId as string;
  await untilDone(
    () => call(`${url}/ideas/enrich/${ideaJob}?wait=10`, { key }),
    (a) => ['completed', 'failed'].includes(a.body?.data?.status),
    'idea job',
  );

  const agent = ok(
    await call(`${url}/agents`, { key, json: { name: `agent ${o.tag}`, platforms: ['twitter', 'linkedin'], kbId: kb, postsPerRun: 2 } }),
    'POST /agents',
  ).body.data.id as string;
  const agentRun = ok(await call(`${url}/agents/${agent}/run`, { key, method: 'POST' }), 'POST run').body.data.runId as string;
  await untilDone(
    () => call(`${url}/agents/${agent}/runs/${agentRun}?wait=10`, { key }),
    (a) => ['completed', 'failed'].includes(a.body?.data?.status),
    'agent run',
  );

  const deliveries = await answerWhen(
    () => call(`${url}/webhooks/${webhook}/deliveries`, { key }),
    (a) => a.body.data.deliveries.length > 0 && a.body.data.deliveries.every((d: { status: string }) => d.status !== 'pending'),
    'webhook deliveries',
  );
  const jobs = (await jobsSettled(url, key)).filter((id) => !jobsBefore.has(id));
  return {
    profile: imported,
    sourcingRun: [sourcingRun],
    enrichmentRun: [enrichmentRun],
    job: jobs,
    clip: [clip],
    candidate: [candidate],
    upload: [upload],
    renderFile,
    kb: [kb],
    doc: [doc],
    ideaJob: [ideaJob],
    agent: [agent],
    agentRun: [agentRun],
    webhook: [webhook],
    delivery: deliveries.body.data.deliveries.map((d: { id: string }) => d.id),
  };
}

/**
 * Parts of an answer that change by themselves: signed URLs carry their expiry, and the time
 * windows of the job stats and the credit history slide with the clock (a run that crosses a
 * bucket's edge moves counts from one bucket to the next), so those compare by their totals.
 */
function steady(text: string): string {
  const unsigned = text.replace(/expires=\d+&signature=[0-9a-f]+/g, 'expires=…&signature=…').replace(/"expiresAt":"[^"]+"/g, '"expiresAt":"…"');
  if (!unsigned.includes('"bucketSeconds"')) return unsigned;
  const answer = JSON.parse(unsigned) as { data: { from?: string; to?: string; buckets?: Bucket[]; points?: Bucket[] } };
  const { buckets, points } = answer.data;
  const data = { ...answer.data, from: '…', to: '…', buckets: buckets && totals(buckets), points: points && totals(points) };
  return JSON.stringify({ ...answer, data });
}

type Bucket = Record<string, string | number>;

/** The counts of a window's buckets summed; a level (the balance at a bucket's end) is the last bucket's. */
function totals(buckets: Bucket[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const bucket of buckets) {
    for (const [name, value] of Object.entries(bucket)) {
      if (typeof value !== 'number') continue;
      sums[name] = name === 'available' || name === 'reserved' ? value : (sums[name] ?? 0) + value;
    }
  }
  return sums;
}

/**
 * Every GET operation with path parameters, called with each seeded ID of its kind (and with
 * `withLists`, every list too): the status and body (binary bodies by length) by request. Event
 * streams are left out (they stay open), and so are the health probes.
 */
export async function readAll(url: string, key: string, operations: Operation[], pools: IdPools, withLists = false): Promise<Map<string, string>> {
  const reads = new Map<string, string>();
  for (const op of operations) {
    if (op.method !== 'GET' || op.path.endsWith('/events') || op.path === '/healthz' || op.path === '/readyz') continue;
    if (op.pathParams.length === 0 && !withLists) continue;
    if (op.pathParams.length === 0) {
      const answer = await sendRaw(
        url,
        { method: 'GET', path: op.queryParams.some((q) => q.name === 'limit') ? `${op.path}?limit=100` : op.path, headers: { authorization: `Bearer ${key}` } },
        10_000,
      );
      reads.set(`GET ${op.path}`, `${answer.status} ${steady(answer.text)}`);
      continue;
    }
    const kinds = op.pathParams.map((p) => resourceKindOfParam(op.path, p.name));
    const count = Math.max(...kinds.map((k) => pools[k]?.length ?? 0));
    for (let i = 0; i < count; i++) {
      let p = op.path;
      op.pathParams.forEach((param, j) => {
        const ids = pools[kinds[j] as ResourceKind] ?? [];
        p = p.replace(`{${param.name}}`, ids[i % ids.length] ?? 'none');
      });
      // A period given, so "the last 30 days" does not move between two reads.
      if (op.queryParams.some((q) => q.name === 'from')) p += '?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z';
      const answer = await sendRaw(url, { method: 'GET', path: p, headers: { authorization: `Bearer ${key}` } }, 10_000);
      const body = String(answer.headers['content-type'] ?? '').includes('json') ? steady(answer.text) : `<${answer.text.length} bytes>`;
      reads.set(`GET ${p}`, `${answer.status} ${body}`);
    }
  }
  return reads;
}
