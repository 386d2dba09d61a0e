/**
 * `GET /sourcing/enrich/{id}/results` against the seed page (`../shared/seeds/sourcing-enrich-results.md`):
 * each of its four examples reproduced from a real run over HTTP and checked field for field
 * with a JSON schema written here from the seed, not taken from the server's own schemas.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendPool, backendRole, importProfiles, sourcingRun, untilDone } from '../helpers/sourcing.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

const Iso = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' });
const EnrId = Type.String({ pattern: '^enr_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const Exact = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: false });
const Strings = Type.Array(Type.String());

const SeedCandidate = Exact({
  profileId: Type.String(),
  name: Type.String(),
  linkedinUrl: Type.String(),
  matchScore: Type.Integer({ minimum: 0, maximum: 100 }),
  rationale: Type.String({ minLength: 1 }),
  skills: Strings,
  headline: Type.String(),
  location: Type.String(),
  currentCompany: Type.String(),
  currentRole: Type.String(),
  aiFitPoints: Strings,
  aiRedFlags: Strings,
  aiDetailedRationale: Type.Array(Exact({ title: Type.String(), company: Type.String(), duration: Type.String(), relevanceExplanation: Type.String() })),
  detailedExperience: Type.Array(Exact({ role: Type.String(), company: Type.String(), duration: Type.String(), highlights: Strings })),
  emails: Strings,
});

const SeedProcessing = Exact({
  success: Type.Literal(true),
  requestId: EnrId,
  status: Type.Literal('processing'),
  message: Type.Literal('Enrichment is in progress. Please poll again in a few seconds.'),
  createdAt: Iso,
});

const SeedCompleted = Exact({
  success: Type.Literal(true),
  requestId: EnrId,
  status: Type.Literal('completed'),
  enrichedCount: Type.Integer(),
  failureCount: Type.Integer(),
  creditsConsumed: Type.Integer(),
  createdAt: Iso,
  completedAt: Iso,
  data: Type.Array(
    Type.Union([
      Exact({ profileId: Type.String(), success: Type.Literal(true), candidate: SeedCandidate }),
      Exact({
        profileId: Type.String(),
        success: Type.Literal(false),
        errorCode: Type.String(),
        errorMessage: Type.String(),
      }),
    ]),
  ),
});

const SeedFailed = Exact({
  success: Type.Literal(true),
  requestId: EnrId,
  status: Type.Literal('failed'),
  errorCode: Type.Literal('INTERNAL_ERROR'),
  errorMessage: Type.Literal('An unexpected error occurred during enrichment.'),
  createdAt: Iso,
  completedAt: Iso,
});

function expectShape(schema: TSchema, value: unknown) {
  const errors = [...TypeCompiler.Compile(schema).Errors(value)].map((e) => `${e.path} ${e.message}`);
  expect(errors, JSON.stringify(value, null, 1)).toEqual([]);
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** An organisation with the backend pool imported and one sourcing run over it. */
async function sourcedOrg(name: string, credits = 100) {
  const { org, key } = await server.newOrg(name, { credits });
  const ids = await importProfiles(server.url, key, backendPool);
  const run = await sourcingRun(server.url, key, { ...backendRole, limit: 3 });
  expect(run.body.status).toBe('completed');
  return { org, key, ids, run };
}

const enrich = (key: string, body: unknown) => call(`${server.url}/sourcing/enrich`, { key, json: body });
const results = (key: string, id: string) => `${server.url}/sourcing/enrich/${id}/results`;
const balance = async (key: string) => (await call(`${server.url}/credits`, { key })).body.data as { available: number; reserved: number };

describe('GET /sourcing/enrich/{id}/results, as the seed shows it', () => {
  it('"Still Processing": 202 with the seed message while the run waits', async () => {
    const { key, ids } = await sourcedOrg('processing');
    await server.engine.stop(1000); // nothing claims the run until we start again
    try {
      const accepted = await enrich(key, { profileIds: [ids[0]] });
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({
        success: true,
        requestId: expect.stringMatching(/^enr_/),
        status: 'processing',
        message: 'Enrichment run accepted and queued for processing.',
        createdAt: expect.any(String),
        webhookId: null,
      });
      const processing = await call(results(key, accepted.body.requestId), { key });
      expect(processing.status).toBe(202);
      expect(processing.headers.get('retry-after')).toBe('2');
      expectShape(SeedProcessing, processing.body);
      expect(processing.body.createdAt).toBe(accepted.body.createdAt);
    } finally {
      server.engine.start();
    }
  });

  it('"Completed": 200 with every profile enriched, credits equal to enrichedCount', async () => {
    const { key, ids, run } = await sourcedOrg('completed');
    const before = await balance(key);
    const accepted = await enrich(key, { profileIds: [ids[0], ids[1]] });
    const done = await untilDone(results(key, accepted.body.requestId), key);
    expectShape(SeedCompleted, done.body);
    expect(done.body).toMatchObject({ status: 'completed', enrichedCount: 2, failureCount: 0, creditsConsumed: 2 });
    expect(done.body.data.map((d: { profileId: string }) => d.profileId)).toEqual([ids[0], ids[1]]);
    const jane = done.body.data[0].candidate;
    expect(jane).toMatchObject({
      profileId: ids[0],
      name: 'Jane Smith',
      linkedinUrl: 'https://www.linkedin.com/in/janesmith',
      emails: ['jane.smith@example.com'],
      currentCompany: 'Stripe',
      currentRole: 'Senior Software Engineer',
      location: 'Berlin, DE',
    });
    expect(jane.detailedExperience[0]).toEqual({
      role: 'Senior Software Engineer',
      company: 'Stripe',
      duration: '2020 - Present',
      highlights: ['Built payment APIs in Node.js and TypeScript on PostgreSQL.'],
    });
    // The same profile, scored against the same run: the same score as the run gave it.
    const fromRun = run.body.candidates.find((c: { profileId: string }) => c.profileId === ids[0]);
    expect(jane.matchScore).toBe(fromRun.matchScore);
    expect(await balance(key)).toEqual({ available: before.available - 2, reserved: 0 });

    // Asked again, a finished run answers the same bytes (from the per-process cache), and still
    // to its own organisation only.
    const again = await call(results(key, accepted.body.requestId), { key });
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(again.text).toBe(done.text);
    const stranger = await server.newOrg('completed-stranger');
    expect((await call(results(key, accepted.body.requestId), { key: stranger.key })).status).toBe(404);
  });

  it('"Completed with Partial Failure": 2 known + 1 unknown profile → 2 enriched, 1 failed, 2 credits', async () => {
    const { key, ids } = await sourcedOrg('partial');
    const before = await balance(key);
    const accepted = await enrich(key, { profileIds: [ids[0], 'prof_unknown-xyz', ids[1]] });
    const done = await untilDone(results(key, accepted.body.requestId), key);
    expectShape(SeedCompleted, done.body);
    expect(done.body).toMatchObject({ status: 'completed', enrichedCount: 2, failureCount: 1, creditsConsumed: 2 });
    expect(done.body.data[1]).toEqual({
      profileId: 'prof_unknown-xyz',
      success: false,
      errorCode: 'PROFILE_NOT_FOUND',
      errorMessage: 'Profile not found in any sourcing session for this company.',
    });
    expect(await balance(key)).toEqual({ available: before.available - 2, reserved: 0 });
    const ledger = await call(`${server.url}/credits/ledger`, { key });
    const charges = ledger.body.data.entries.filter((e: { kind: string; ref: string }) => e.kind === 'charge' && e.ref === accepted.body.requestId);
    expect(charges.map((c: { itemRef: string; amount: number }) => [c.itemRef, c.amount]).sort()).toEqual(
      [
        [ids[0], 1],
        [ids[1], 1],
      ].sort(),
    );
  });

  it('"Failed": a run none of whose profiles can be processed ends failed with INTERNAL_ERROR and charges nothing', async () => {
    const { key, ids } = await sourcedOrg('failed');
    // A real fault: the stored documents are not résumés (JSON, as PostgreSQL's column demands), so scoring either throws.
    await server.store.db.updateTable('profiles').set({ resume: 'null' }).where('id', 'in', [ids[0]!, ids[1]!]).execute();
    const before = await balance(key);
    const accepted = await enrich(key, { profileIds: [ids[0], ids[1]] });
    const done = await untilDone(results(key, accepted.body.requestId), key);
    expectShape(SeedFailed, done.body);
    expect(await balance(key)).toEqual(before);
  });

  it('an unexpected fault in one profile fails only that profile', async () => {
    const { key, ids } = await sourcedOrg('one-fault');
    await server.store.db.updateTable('profiles').set({ resume: 'null' }).where('id', '=', ids[1]!).execute();
    const accepted = await enrich(key, { profileIds: [ids[0], ids[1]] });
    const done = await untilDone(results(key, accepted.body.requestId), key);
    expectShape(SeedCompleted, done.body);
    expect(done.body).toMatchObject({ enrichedCount: 1, failureCount: 1, creditsConsumed: 1 });
    expect(done.body.data[1]).toMatchObject({ profileId: ids[1], success: false, errorCode: 'INTERNAL_ERROR' });
  });

  it('a profile of the pool that no sourcing run returned is PROFILE_NOT_FOUND', async () => {
    const { key, ids } = await sourcedOrg('not-returned');
    const accountant = ids[3]!; // in the pool, but the run asked for 3 and he ranks last
    const accepted = await enrich(key, { profileIds: [accountant] });
    const done = await untilDone(results(key, accepted.body.requestId), key);
    expect(done.body).toMatchObject({ status: 'completed', enrichedCount: 0, failureCount: 1, creditsConsumed: 0 });
    expect(done.body.data[0].errorCode).toBe('PROFILE_NOT_FOUND');
  });
});

describe('enrichment runs and the engine', () => {
  it('a canceled run reads as failed with CANCELED, and its credits come back', async () => {
    const { key, ids } = await sourcedOrg('canceled');
    const before = await balance(key);
    await server.engine.stop(1000);
    let id: string;
    try {
      id = (await enrich(key, { profileIds: [ids[0], ids[1]] })).body.requestId;
      expect(await balance(key)).toEqual({ available: before.available - 2, reserved: 2 });
      expect((await call(`${server.url}/jobs/${id}/cancel`, { key, method: 'POST' })).status).toBe(200);
    } finally {
      server.engine.start();
    }
    const answer = await call(results(key, id), { key });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'failed', errorCode: 'CANCELED', errorMessage: 'The run was canceled before it finished.' });
    expect(await balance(key)).toEqual(before);
  });

  it('honours Idempotency-Key: the same request twice is one run', async () => {
    const { key, ids } = await sourcedOrg('idempotent');
    const headers = { 'idempotency-key': 'enrich-once' };
    const first = await call(`${server.url}/sourcing/enrich`, { key, headers, json: { profileIds: [ids[0]] } });
    const second = await call(`${server.url}/sourcing/enrich`, { key, headers, json: { profileIds: [ids[0]] } });
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((await call(`${server.url}/jobs?kind=enrichment`, { key })).body.data.total).toBe(1);
  });
});

describe('POST /sourcing/enrich refuses what it cannot do', () => {
  it('402 when the balance is below the number of profileIds, and no run is created', async () => {
    const { key, ids } = await sourcedOrg('poor', 5); // the run took 3 of 5
    const answer = await enrich(key, { profileIds: [ids[0], ids[1], ids[2]] });
    expect(answer.status).toBe(402);
    expect(answer.body).toMatchObject({ success: false, errorCode: 'INSUFFICIENT_CREDITS' });
    const jobs = await call(`${server.url}/jobs?kind=enrichment`, { key });
    expect(jobs.body.data.total).toBe(0);
  });

  it('422 for duplicate profileIds; 400 for none, more than 10, or a malformed webhookId', async () => {
    const { key } = await server.newOrg('bad-enrich', { credits: 100 });
    const dup = await enrich(key, { profileIds: ['prof_a', 'prof_b', 'prof_a'] });
    expect(dup.status).toBe(422);
    expect(dup.body).toEqual({ success: false, errorCode: 'VALIDATION_ERROR', errorMessage: 'profileIds must not repeat; repeated: prof_a.' });
    expect((await enrich(key, { profileIds: [] })).status).toBe(400);
    const eleven = await enrich(key, { profileIds: Array.from({ length: 11 }, (_, i) => `prof_${i}`) });
    expect(eleven.status).toBe(400);
    expect(eleven.body.errorMessage).toMatch(/profileIds/);
    expect((await enrich(key, { profileIds: ['prof_a'], webhookId: 'https://example.com' })).status).toBe(400);
    expect((await call(`${server.url}/credits`, { key })).body.data).toEqual({ available: 100, reserved: 0 });
  });

  it('404 REQUEST_NOT_FOUND for an unknown ID, another organisation’s run, or a sourcing run ID; 401 without a key', async () => {
    const { key, ids, run } = await sourcedOrg('owner');
    const accepted = await enrich(key, { profileIds: [ids[0]] });
    const other = await server.newOrg('stranger');
    for (const id of [accepted.body.requestId, 'enr_00000000-0000-7000-8000-000000000000', run.body.requestId]) {
      const answer = await call(results(other.key, id), { key: id === run.body.requestId ? key : other.key });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ success: false, errorCode: 'REQUEST_NOT_FOUND', errorMessage: `No request ${id}.` });
    }
    const anonymous = await call(results(key, accepted.body.requestId));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ success: false, errorCode: 'UNAUTHORIZED', errorMessage: 'Missing or invalid API key.' });
  });
});
