/**
 * The isolation matrix (issue 25, point 8): organisation A owns one of every resource (profiles,
 * a sourcing run, an enrichment run, a clip with a candidate and a render, a resumable upload, a
 * knowledge base with a document, an idea job, an agent with a run, a webhook with deliveries,
 * an API key);
 * organisation B, with a key of every scope, calls every operation of `/openapi.json` with A's
 * IDs in the path and in the body fields that name resources.
 *
 * B must get what it gets for an ID that never existed: 404 in the family's envelope, the same
 * error code, the same message but for the ID — so an answer tells B nothing about A. No answer
 * to B may carry an ID of A that B did not send, and afterwards every read of A (resources and
 * lists, credits included) is what it was. A path-parameter operation the matrix cannot call
 * with an ID of A fails the first test: a new route is never left out.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { KEY_SCOPES, OPERATOR_SCOPES, PRODUCT_SCOPES } from '../../src/scopes.ts';
import { apiKeyFindById } from '../../src/store/apiKeys.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';
import {
  envelopeProblem,
  familyOfRawPath,
  mentionsId,
  minimalValue,
  operationsOf,
  resourceKindOfParam,
  sendRaw,
  type IdPools,
  type Operation,
  type RawAnswer,
  type ResourceKind,
} from '../helpers/openapiRequests.ts';
import { makeTinyVideo, readAll, seedResources } from './seedResources.ts';

/** An ID of the same shape that no one has: the last four characters changed (valid in ULIDs and UUIDs). */
function absentTwin(id: string): string {
  const [stem, ext] = id.endsWith('.mp4') ? [id.slice(0, -4), '.mp4'] : [id, ''];
  return `${stem.slice(0, -4)}${stem.endsWith('0000') ? '1111' : '0000'}${ext}`;
}

/** Raw bodies of the operations the document describes no body for, valid for the resource named in the path. */
function rawBody(op: Operation): { contentType: string; body: string | Buffer; headers?: Record<string, string> } | null {
  switch (op.id) {
    case 'PUT /clips/uploads/{uploadId}/parts/{n}': {
      const part = Buffer.alloc(65_536, 1);
      return { contentType: 'application/octet-stream', body: part, headers: { 'x-content-sha256': crypto.createHash('sha256').update(part).digest('hex') } };
    }
    case 'POST /kbs/{kbId}/docs':
      return { contentType: 'text/plain', body: 'A note from another organisation.' };
    case 'POST /clips/{clipId}/captions':
      return { contentType: 'text/vtt', body: 'WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n' };
    default:
      return null;
  }
}

/** Operations that act on a list of job IDs and report per job. */
const BULK_ACTIONS = new Set(['POST /jobs/cancel', 'POST /jobs/rerun']);

describe('isolation matrix: organisation B with the IDs of organisation A', () => {
  let server: TestServer;
  let receiver: Receiver;
  let operations: Operation[];
  let a: IdPools;
  let keyB: string;
  let before: Map<string, string>;
  /** A's IDs that B has sent: B's own jobs may carry them back (their input), which tells B nothing. */
  const sentByB = new Set<string>();
  const allIdsOfA = () =>
    Object.values(a)
      .flat()
      .map((id) => id.replace(/\.mp4$/, ''));

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer({
      credits: 10_000,
      env: { LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1', LONGRUN_WEBHOOK_TIMEOUT_MS: '1000' },
    });
    operations = operationsOf((await sendRaw(server.url, { method: 'GET', path: '/openapi.json', headers: {} })).body as never);
    a = await seedResources(server.url, server.key, { tag: 'a', receiverUrl: receiver.url, video: makeTinyVideo(tempDir('longrun-matrix-')), render: true });
    a.apiKey = [(await apiKeyCreate(server.store.db, { orgId: server.org.id, name: 'a', scopes: ['kb:read'] })).row.id];
    keyB = (await server.newOrg('organisation B', { credits: 10_000, scopes: [...PRODUCT_SCOPES, ...OPERATOR_SCOPES, ...KEY_SCOPES] })).key;
    before = await readAll(server.url, server.key, operations, a, true);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const idOfA = (kind: ResourceKind): string => {
    if (kind === 'partNumber') return '1';
    const id = a[kind]?.[0];
    if (!id) throw new Error(`organisation A has no ${kind}`);
    return id;
  };

  /**
   * B's request for `op` with IDs from `idFor`. `only` keeps, of the optional top-level body fields
   * that name resources, just that one (or none: ''), so one refusal does not hide another.
   */
  function requestFor(op: Operation, idFor: (kind: ResourceKind) => string, only?: string) {
    let path = op.path;
    for (const p of op.pathParams) path = path.replace(`{${p.name}}`, encodeURIComponent(idFor(resourceKindOfParam(op.path, p.name))));
    const query = op.queryParams
      .filter((q) => mentionsId(q.schema, q.name))
      .map((q) => `${q.name}=${encodeURIComponent(String(minimalValue(q.schema, idFor, q.name)))}`);
    if (query.length > 0) path += `?${query.join('&')}`;
    const headers: Record<string, string> = { authorization: `Bearer ${keyB}` };
    let body: string | Buffer | undefined;
    const raw = rawBody(op);
    if (raw) {
      headers['content-type'] = raw.contentType;
      Object.assign(headers, raw.headers);
      body = raw.body;
    } else if (op.jsonBody) {
      headers['content-type'] = 'application/json';
      const value = minimalValue(op.jsonBody, idFor, undefined, true) as Record<string, unknown>;
      if (only !== undefined) for (const field of optionalIdFields(op)) if (field !== only) delete value[field];
      body = JSON.stringify(value);
    }
    return { method: op.method, path, headers, body };
  }

  /** The answer with every ID B sent replaced, so A's and the absent twin's answers compare. */
  function shape(answer: RawAnswer, sent: string[]) {
    let text = answer.text;
    for (const id of sent) text = text.split(id).join('<id>');
    const body = JSON.parse(text || 'null') as Record<string, unknown> | null;
    return { status: answer.status, body };
  }

  const optionalIdFields = (op: Operation): string[] =>
    Object.entries((op.jsonBody?.properties ?? {}) as Record<string, Record<string, unknown>>)
      .filter(([k, schema]) => !(op.jsonBody?.required ?? []).includes(k) && mentionsId(schema, k))
      .map(([k]) => k);
  const pathOps = () => operations.filter((op) => op.pathParams.length > 0);
  const bodyRefOps = () =>
    operations.filter(
      (op) => op.pathParams.length === 0 && ((op.jsonBody && mentionsId(op.jsonBody)) || op.queryParams.some((q) => mentionsId(q.schema, q.name))),
    );

  it('has an ID of A for every path parameter of every operation', () => {
    const missing = pathOps().flatMap((op) =>
      op.pathParams
        .map((p) => resourceKindOfParam(op.path, p.name))
        .filter((k) => k !== 'partNumber' && !a[k]?.length)
        .map((k) => `${op.id}: no ${k}`),
    );
    expect(missing).toEqual([]);
    expect(pathOps().length).toBeGreaterThan(40);
  });

  it("answers B on every path-parameter operation as if A's IDs did not exist: 404 in the family envelope", async () => {
    const problems: string[] = [];
    for (const op of pathOps()) {
      const sentA = op.pathParams.map((p) => idOfA(resourceKindOfParam(op.path, p.name)));
      const own = requestFor(op, idOfA);
      const twin = requestFor(op, (kind) => (kind === 'partNumber' ? '1' : absentTwin(idOfA(kind))));
      const answer = await sendRaw(server.url, own, 5000);
      const absent = await sendRaw(server.url, twin, 5000);
      const where = `${op.id} as ${own.method} ${own.path.slice(0, 150)}`;
      if (answer.status !== 404) problems.push(`${where}: ${answer.status} (want 404) ${answer.text.slice(0, 200)}`);
      const envelope = envelopeProblem(familyOfRawPath(own.path), answer.body);
      if (envelope) problems.push(`${where}: ${envelope}`);
      const mine = shape(
        answer,
        sentA.map((id) => id.replace(/\.mp4$/, '')),
      );
      const never = shape(
        absent,
        op.pathParams.map((p) => absentTwin(idOfA(resourceKindOfParam(op.path, p.name))).replace(/\.mp4$/, '')),
      );
      if (JSON.stringify(mine) !== JSON.stringify(never))
        problems.push(
          `${where}: answers differently from an ID that never existed:\n      A's:    ${JSON.stringify(mine).slice(0, 300)}\n      absent: ${JSON.stringify(never).slice(0, 300)}`,
        );
      const leaked = allIdsOfA().filter((id) => !sentA.some((s) => s.startsWith(id)) && answer.text.includes(id));
      if (leaked.length > 0) problems.push(`${where}: the answer carries A's ${leaked.join(', ')}`);
    }
    expect(problems, `B reached A's resources:\n  ${problems.join('\n  ')}\n`).toEqual([]);
  }, 60_000);

  it("answers B the same for A's IDs in bodies and queries as for IDs that never existed", async () => {
    const problems: string[] = [];
    expect(
      bodyRefOps()
        .map((op) => op.id)
        .sort(),
    ).toEqual(['POST /agents', 'POST /ideas/enrich', 'POST /jobs/cancel', 'POST /jobs/rerun', 'POST /sourcing', 'POST /sourcing/enrich']);
    const cases = bodyRefOps().flatMap((op) => ['', ...optionalIdFields(op)].map((only) => ({ op, only })));
    for (const { op, only } of cases) {
      const own = requestFor(op, idOfA, only);
      const twin = requestFor(op, (kind) => absentTwin(idOfA(kind)), only);
      const sentA = allIdsOfA().filter((id) => String(own.body).includes(id));
      sentA.forEach((id) => sentByB.add(id));
      const answer = await sendRaw(server.url, own, 5000);
      const absent = await sendRaw(server.url, twin, 5000);
      const where = `${op.id} ${String(own.body).slice(0, 200)}`;
      // Bulk actions answer 200 with a result per ID: A's must read as absent ones do (compared below).
      if (answer.status < 400 && answer.status !== 202 && !BULK_ACTIONS.has(op.id)) problems.push(`${where}: ${answer.status}: accepted A's IDs`);
      if (answer.status >= 400) {
        const envelope = envelopeProblem(familyOfRawPath(own.path), answer.body);
        if (envelope) problems.push(`${where}: ${envelope}`);
      }
      const strip = (x: ReturnType<typeof shape>) => JSON.stringify(x).replace(/"(requestId|jobId|id|createdAt|updatedAt)":"[^"]*"/g, '"$1":"…"');
      const mine = strip(shape(answer, sentA));
      const never = strip(shape(absent, sentA.map(absentTwin)));
      // Documented in ../shared/CONTRACTS.md (POST /sourcing/enrich): "403 when the webhook belongs to
      // another organisation" — an answer that tells B the webhook exists; kept because it is the contract.
      const documented =
        only === 'webhookId' && familyOfRawPath(own.path) === 'sourcing' && answer.status === 403 && /belongs to another organisation/.test(answer.text);
      if (mine !== never && !documented)
        problems.push(`${where}: answers differently from IDs that never existed:\n      A's:    ${mine.slice(0, 300)}\n      absent: ${never.slice(0, 300)}`);
      // An accepted run must not reach A's profiles when it runs: its results read as for unknown ones.
      if (answer.status === 202 && op.id === 'POST /sourcing/enrich') {
        const id = (answer.body as { requestId: string }).requestId;
        let results = await sendRaw(
          server.url,
          { method: 'GET', path: `/sourcing/enrich/${id}/results?wait=10`, headers: { authorization: `Bearer ${keyB}` } },
          15_000,
        );
        for (let i = 0; i < 5 && results.status === 202; i++)
          results = await sendRaw(
            server.url,
            { method: 'GET', path: `/sourcing/enrich/${id}/results?wait=10`, headers: { authorization: `Bearer ${keyB}` } },
            15_000,
          );
        const data = (results.body as { data?: { success: boolean; errorCode?: string }[] }).data ?? [];
        if (data.some((d) => d.success || d.errorCode !== 'PROFILE_NOT_FOUND'))
          problems.push(`${where}: the run reached A's profile: ${results.text.slice(0, 300)}`);
      }
      const leaked = allIdsOfA().filter((id) => !sentA.includes(id) && answer.text.includes(id));
      if (leaked.length > 0) problems.push(`${where}: the answer carries A's ${leaked.join(', ')}`);
    }
    expect(problems, `B reached A's resources through bodies:\n  ${problems.join('\n  ')}\n`).toEqual([]);
  }, 60_000);

  it("shows B none of A's IDs in any list (but those B sent itself)", async () => {
    const problems: string[] = [];
    for (const op of operations.filter((o) => o.method === 'GET' && o.pathParams.length === 0)) {
      for (const query of [
        '',
        ...op.queryParams.filter((q) => q.name === 'kind').map(() => 'kind=sourcing'),
        ...op.queryParams.filter((q) => q.name === 'status').map(() => 'status=completed'),
      ]) {
        const answer = await sendRaw(
          server.url,
          { method: 'GET', path: query ? `${op.path}?${query}` : op.path, headers: { authorization: `Bearer ${keyB}` } },
          5000,
        );
        if (answer.status >= 500) problems.push(`${op.id}?${query}: ${answer.status}`);
        const leaked = allIdsOfA().filter((id) => !sentByB.has(id) && answer.text.includes(id));
        if (leaked.length > 0) problems.push(`${op.id}?${query}: carries A's ${leaked.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('leaves everything of A as it was', async () => {
    const after = await readAll(server.url, server.key, operations, a, true);
    const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
    // A's key is read from the store: A's test key has every product scope, not keys:write.
    expect((await apiKeyFindById(server.store.db, a.apiKey![0]!))?.revoked_at).toBeNull();
    const report = changed.map((k) => `  ${k}\n    before: ${before.get(k)!.slice(0, 300)}\n    after:  ${after.get(k)?.slice(0, 300)}`).join('\n');
    expect(changed, `reads of A that changed:\n${report}`).toEqual([]);
  });
});
