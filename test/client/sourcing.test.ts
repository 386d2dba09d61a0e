/**
 * The typed client over the sourcing family: the talent pool (JSON and CSV imports, list, get,
 * delete), a sourcing run and an enrichment run followed to their results — flat answers, as the
 * family's contract has them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type EnrichmentResults, type LongrunClient, type SourcingResults } from '../../src/client/index.ts';
import { backendPool, backendRole } from '../helpers/sourcing.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let client: LongrunClient;
beforeAll(async () => {
  server = await startTestServer();
  client = createClient({ url: server.url, apiKey: server.key });
});
afterAll(async () => {
  await server?.close();
});

/** Long-polls a results route until it is no longer processing. */
async function settled<T extends { status: string }>(read: (o: { wait: number }) => Promise<T>): Promise<T> {
  for (;;) {
    const answer = await read({ wait: 30 });
    if (answer.status !== 'processing') return answer;
  }
}

describe('sourcing family', () => {
  it('imports, lists, reads and deletes profiles', async () => {
    const imported = await client.profiles.import(backendPool);
    expect(imported).toMatchObject({ success: true, created: 4, updated: 0 });
    expect(imported.profileIds).toHaveLength(4);

    const csv = 'name,email,headline,skills\nCara Diaz,cara@example.com,Data Engineer,Python;Spark\n';
    const fromCsv = await client.profiles.importCsv(csv);
    expect(fromCsv.profiles).toEqual([{ profileId: expect.stringMatching(/^prof_/), status: 'created' }]);

    const page = await client.profiles.list({ limit: 2 });
    expect(page).toMatchObject({ success: true, total: 5, limit: 2, offset: 0 });
    expect(page.profiles).toHaveLength(2);

    const one = await client.profiles.get(imported.profileIds[0]!);
    expect(one).toMatchObject({ success: true, id: imported.profileIds[0], name: 'Jane Smith', emails: ['jane.smith@example.com'] });
    expect(one.resume.basics.name).toBe('Jane Smith');

    expect(await client.profiles.delete(fromCsv.profileIds[0]!)).toEqual({ success: true, id: fromCsv.profileIds[0], deleted: true });
    expect((await client.profiles.list()).total).toBe(4);
  });

  it('runs sourcing, then enriches the candidates it returned', async () => {
    const started = await client.sourcing.start({ ...backendRole, limit: 3 });
    expect(started).toMatchObject({ success: true, status: 'processing', requestId: expect.stringMatching(/^req_/), webhookId: null });

    const results: SourcingResults = await settled((o) => client.sourcing.results(started.requestId, o));
    if (results.status !== 'completed') throw new Error(`sourcing ended ${results.status}`);
    expect(results.candidates.length).toBeGreaterThan(0);
    expect(results.candidates.length).toBeLessThanOrEqual(3);
    expect(['Jane Smith', 'Alex Müller']).toContain(results.candidates[0]!.name);
    const scores = results.candidates.map((c) => c.matchScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(results.creditsConsumed).toBe(results.candidates.length);
    // The run is a job too.
    expect((await client.waitFor(started.requestId)).kind).toBe('sourcing');

    const profileIds = results.candidates.map((c) => c.profileId);
    const enrich = await client.sourcing.enrich({ profileIds: [...profileIds, 'prof_never_sourced'] });
    expect(enrich.requestId).toMatch(/^enr_/);
    const enriched: EnrichmentResults = await settled((o) => client.sourcing.enrichResults(enrich.requestId, o));
    if (enriched.status !== 'completed') throw new Error(`enrichment ended ${enriched.status}`);
    expect(enriched).toMatchObject({ enrichedCount: profileIds.length, failureCount: 1, creditsConsumed: profileIds.length });
    const failed = enriched.data.find((d) => !d.success);
    expect(failed).toMatchObject({ profileId: 'prof_never_sourced', success: false, errorCode: 'PROFILE_NOT_FOUND' });
    const first = enriched.data.find((d) => d.success);
    if (!first?.success) throw new Error('no enriched profile');
    expect(first.candidate.aiFitPoints.length).toBeGreaterThan(0);
  });
});
