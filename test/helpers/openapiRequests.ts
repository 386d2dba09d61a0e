/**
 * Hostile requests generated from our own `/openapi.json`, for the security sweep and the
 * isolation matrix (test/security/).
 *
 * What it guarantees:
 * - every operation of the document becomes an `Operation`; a body-taking operation the document
 *   gives no `requestBody` must be listed in `RAW_BODIES` (how its body is sent), and a path
 *   parameter must map to a resource kind (`resourceKindOfParam`), or `operationsOf` throws: a
 *   new route is never skipped silently;
 * - requests are built by fast-check arbitraries, so a seed reproduces them exactly;
 * - requests are sent with node:http as they are (no URL normalisation: `%ff`, `%2e%2e`, raw
 *   bytes in a path reach the server as written), with a hard time limit.
 *
 * Not guaranteed: that a generated "valid-ish" request is valid. `bodyVerdict` says whether a
 * JSON body is valid against the operation's schema, strictly (no type coercion), using the
 * same Ajv the server uses.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// The document

/* eslint-disable @typescript-eslint/no-explicit-any */
export type JsonSchema = Record<string, any>;
export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** "POST /kbs/{kbId}/docs" */
  id: string;
  method: string;
  path: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  /** The JSON body schema (`$ref`s resolved), when the document gives one. */
  jsonBody: JsonSchema | null;
  /** Every content type the operation accepts, from the document or `RAW_BODIES`. */
  contentTypes: string[];
  /** Whether the operation reads a body at all. */
  takesBody: boolean;
}

/** Resource kinds the seeds create; path parameters and ID fields in bodies refer to them. */
export type ResourceKind =
  | 'profile'
  | 'sourcingRun'
  | 'enrichmentRun'
  | 'job'
  | 'clip'
  | 'candidate'
  | 'upload'
  | 'renderFile'
  | 'kb'
  | 'doc'
  | 'ideaJob'
  | 'agent'
  | 'agentRun'
  | 'webhook'
  | 'delivery'
  | 'apiKey'
  | 'partNumber';

/**
 * Bodies the document does not describe (no `requestBody`): raw uploads and parsers of a route's
 * own. Keyed by operation id; the content types are the ones the route accepts.
 */
export const RAW_BODIES: Record<string, string[]> = {
  'POST /clips': ['multipart/form-data'],
  'PUT /clips/uploads/{uploadId}/parts/{n}': ['application/octet-stream'],
  'POST /kbs/{kbId}/docs': ['text/plain', 'text/markdown', 'text/html', 'application/pdf', 'application/json'],
  'POST /clips/{clipId}/captions': ['text/vtt', 'application/x-subrip', 'text/srt', 'text/plain', 'application/json'],
};

/** POSTs that take no body at all: an action on the resource in the path. */
export const BODILESS_POSTS = new Set([
  'POST /jobs/{id}/cancel',
  'POST /clips/uploads/{uploadId}/complete',
  'POST /agents/{agentId}/run',
  'POST /webhooks/{id}/deliveries/{deliveryId}/retry',
  'POST /webhooks/{id}/test',
]);

/** Which resource a path parameter names; throws for one it does not know (add it here). */
export function resourceKindOfParam(path: string, name: string): ResourceKind {
  const byName: Record<string, ResourceKind> = {
    clipId: 'clip',
    uploadId: 'upload',
    n: 'partNumber',
    file: 'renderFile',
    kbId: 'kb',
    docId: 'doc',
    agentId: 'agent',
    runId: 'agentRun',
    deliveryId: 'delivery',
    keyId: 'apiKey',
  };
  if (byName[name]) return byName[name];
  if (name === 'jobId' && path.startsWith('/ideas/enrich/')) return 'ideaJob';
  if (name === 'id') {
    if (path.startsWith('/jobs/')) return 'job';
    if (path.startsWith('/profiles/')) return 'profile';
    if (path.startsWith('/sourcing/enrich/')) return 'enrichmentRun';
    if (path.startsWith('/sourcing/')) return 'sourcingRun';
    if (path.startsWith('/webhooks/')) return 'webhook';
  }
  throw new Error(`openapiRequests: no resource kind for path parameter "${name}" of ${path}; add it to resourceKindOfParam`);
}

/** Which resource a body or query field holding an ID refers to, if any. */
export function resourceKindOfField(name: string | undefined): ResourceKind | null {
  const byName: Record<string, ResourceKind> = {
    profileIds: 'profile',
    candidateId: 'candidate',
    kbId: 'kb',
    webhookId: 'webhook',
    docId: 'doc',
    runId: 'agentRun',
    clipId: 'clip',
    ids: 'job',
  };
  return (name && byName[name]) || null;
}

function resolveRefs(schema: unknown, doc: OpenApiDocument, depth = 0): JsonSchema {
  if (depth > 20) throw new Error('openapiRequests: $ref nesting deeper than 20');
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(s, doc, depth + 1)) as unknown as JsonSchema;
  if (!schema || typeof schema !== 'object') return schema as JsonSchema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) {
    const name = ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`openapiRequests: unresolved ${ref}`);
    return resolveRefs(target, doc, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolveRefs(v, doc, depth + 1)]));
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const upper = method.toUpperCase();
      const id = `${upper} ${path}`;
      const params: Parameter[] = (op.parameters ?? []).map((p: Parameter) => ({ ...p, schema: resolveRefs(p.schema ?? {}, doc) }));
      const content: Record<string, { schema?: JsonSchema }> = op.requestBody?.content ?? {};
      const documented = Object.keys(content);
      const raw = RAW_BODIES[id];
      const writes = ['POST', 'PUT', 'PATCH'].includes(upper);
      if (writes && documented.length === 0 && !raw && !BODILESS_POSTS.has(id)) {
        throw new Error(`openapiRequests: ${id} has no requestBody in /openapi.json and is not in RAW_BODIES or BODILESS_POSTS`);
      }
      const pathParams = params.filter((p) => p.in === 'path');
      for (const p of pathParams) resourceKindOfParam(path, p.name);
      operations.push({
        id,
        method: upper,
        path,
        pathParams,
        queryParams: params.filter((p) => p.in === 'query'),
        headerParams: params.filter((p) => p.in === 'header'),
        jsonBody: content['application/json']?.schema ? resolveRefs(content['application/json'].schema, doc) : null,
        contentTypes: raw ?? documented,
        takesBody: writes && !BODILESS_POSTS.has(id),
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------
// Families and envelopes

export type Family = 'sourcing' | 'content';

/** The family of a raw request path, decided on its decoded first segment (`/%70rofiles` is sourcing). */
export function familyOfRawPath(rawPath: string): Family {
  const first = rawPath.split('?')[0]!.split('/')[1] ?? '';
  let decoded = first;
  try {
    decoded = decodeURIComponent(first);
  } catch {
    decoded = first;
  }
  return decoded === 'profiles' || decoded === 'sourcing' ? 'sourcing' : 'content';
}

/** What is wrong with an error answer's envelope, or null when it is the family's. */
export function envelopeProblem(family: Family, body: unknown): string | null {
  if (!body || typeof body !== 'object') return 'the body is not a JSON object';
  const b = body as Record<string, unknown>;
  if (b.success !== false) return 'success is not false';
  if (family === 'sourcing') {
    if (typeof b.errorCode !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(b.errorCode)) return 'no SNAKE_UPPER errorCode (sourcing family)';
    if (typeof b.errorMessage !== 'string') return 'no errorMessage (sourcing family)';
    if ('error' in b || 'message' in b) return 'content-family fields in a sourcing answer';
  } else {
    if (typeof b.error !== 'string' || !/^[a-z][a-z0-9_]*$/.test(b.error)) return 'no snake_lower error (content family)';
    if (typeof b.message !== 'string') return 'no message (content family)';
    if ('errorCode' in b || 'errorMessage' in b) return 'sourcing-family fields in a content answer';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Validity oracle: the server's own Ajv (Fastify's), without coercion

const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('@fastify/ajv-compiler'));
interface AjvLike {
  compile(schema: JsonSchema): (data: unknown) => boolean;
}
const Ajv = requireFromFastify('ajv') as new (options: Record<string, unknown>) => AjvLike;
const addFormats = requireFromFastify('ajv-formats') as (ajv: AjvLike) => void;
// Defaults applied as the server applies them: a documented default makes a field optional in practice.
const ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: false, useDefaults: true });
addFormats(ajv);
const validators = new WeakMap<JsonSchema, (data: unknown) => boolean>();

export type Verdict = 'valid' | 'invalid' | 'unknown';

/** Whether a JSON body text is valid for the operation's schema, strictly (no coercion). */
export function bodyVerdict(op: Operation, contentType: string | undefined, text: string | undefined): Verdict {
  if (!op.jsonBody) return 'unknown';
  if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
    return op.contentTypes.some((t) => contentType?.toLowerCase().startsWith(t)) ? 'unknown' : 'invalid';
  }
  let data: unknown;
  try {
    data = JSON.parse(text ?? '');
  } catch {
    return 'invalid';
  }
  let validate = validators.get(op.jsonBody);
  if (!validate) {
    validate = ajv.compile(op.jsonBody);
    validators.set(op.jsonBody, validate);
  }
  try {
    return validate(data) ? 'valid' : 'invalid';
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Raw JSON: numbers and nesting that JSON.stringify cannot write

/** A piece of JSON text put into a body as it is (`1e999`, 10,000 nested arrays, `"\ud800"`). */
export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
}

export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------------------------
// Hostile values

const COMBINING = 'a' + '\u0301\u0308\u0327'.repeat(1000);
const ZWJ_FAMILY = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}';

/** Strings no schema should choke on. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Infinity',
    '-Infinity',
    '1e999',
    '-1e999',
    '-0',
    'NaN',
    '0x10',
    '1e3',
    '',
    ' ',
    'null',
    'true',
    '[]',
    '{}',
    '99999999999999999999',
    '9007199254740993',
    '-1',
    '0',
    '1.5',
    '2026-12-31T23:59:60Z',
    '0000-00-00T00:00:00Z',
    '\u0000',
    'a\u0000b',
    '\u202Eevil\u202C',
    '\uFEFF',
    ZWJ_FAMILY.repeat(50),
    COMBINING,
    '\u{10FFFF}',
    '../../etc/passwd',
    '%00',
    '%ff',
    '<script>alert(1)</script>',
    "'; DROP TABLE jobs; --",
    '*',
    'http://[::127.0.0.1]/',
    'x'.repeat(70_000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 200, maxLength: 3000 }),
);

/** JSON values of the wrong type or beyond range, raw where JSON.stringify would change them. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 53 + 2,
    -(2 ** 63),
    1e308,
    Number.MIN_VALUE,
    [],
    {},
    [null],
    { '': '' },
    { __proto__: null },
    new RawJson('1e999', 'number 1e999'),
    new RawJson('-1e999', 'number -1e999'),
    new RawJson('-0', 'number -0'),
    new RawJson('123456789012345678901234567890', 'huge integer'),
    new RawJson('1.0', 'number 1.0'),
    new RawJson('1e2', 'number 1e2'),
    new RawJson('"\\ud800"', 'lone high surrogate'),
    new RawJson('"\\udfff x"', 'lone low surrogate'),
    new RawJson('"\\u0000"', 'escaped NUL'),
    new RawJson(`${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'arrays nested 10,000 deep'),
    new RawJson(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`, 'objects nested 5,000 deep'),
    new RawJson(`${'['.repeat(100)}${']'.repeat(100)}`, 'arrays nested 100 deep'),
    new RawJson(`[${'1,'.repeat(20_000)}1]`, 'array of 20,001 numbers'),
    new RawJson(`{"__proto__":{"polluted":true}}`, '__proto__ key'),
    new RawJson(`{"constructor":{"prototype":{"polluted":true}}}`, 'constructor.prototype key'),
  ),
  fc.integer(),
  fc.double(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);

/** Numbers that are not: strings that look like numbers, and numbers JSON.parse makes odd. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  'Infinity',
  '-Infinity',
  '1e999',
  'NaN',
  '-0',
  '5',
  ' 5',
  '0x10',
  '',
  '99999999999999999999',
  1.5,
  -1,
  2 ** 53 + 2,
  new RawJson('1e999', 'number 1e999'),
  new RawJson('-1e999', 'number -1e999'),
  new RawJson('123456789012345678901234567890', 'huge integer'),
);

/** Query values as written on the URL (already encoded where they should be). */
export const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Infinity',
    '-Infinity',
    '1e999',
    '-1e999',
    '-0',
    'NaN',
    '0x10',
    '1e3',
    '',
    '%20',
    '99999999999999999999',
    '9007199254740993',
    '-1',
    '0',
    '1.5',
    '101',
    '31',
    '2026-12-31T23:59:60Z',
    '2026-02-30T00:00:00Z',
    '275760-09-13T00:00:01Z',
    '%ff',
    '%00',
    '%E2%80%AE',
    encodeURIComponent(COMBINING),
    'x'.repeat(3000),
    '%',
    'a%2Cb',
    '%5Bobject%20Object%5D',
    'true',
    'queued,running',
  ),
  hostileString.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\uFFFD')).slice(0, 4000)),
  fc.integer().map(String),
);

/** Path segments as written on the URL. */
export const hostilePathSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%ff',
    '%00',
    '%2e%2e',
    '..',
    '.',
    '%2F',
    '%2f..%2f',
    'a%20b',
    '%E2%80%AE',
    '%F0%9F%91%A9%E2%80%8D%F0%9F%91%A9',
    '%ED%A0%80',
    'x'.repeat(101),
    'x'.repeat(5000),
    'Infinity',
    '1e999',
    '-1',
    '0',
    'null',
    'undefined',
    '%',
    '%zz',
    '*',
    'job_',
    'job_00000000000000000000000000',
    'wh_ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
    'req_00000000-0000-7000-8000-000000000000',
    encodeURIComponent(COMBINING).slice(0, 1500),
  ),
  hostileString.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\uFFFD')).slice(0, 2000)),
);

// ---------------------------------------------------------------------------------------------
// Valid-ish values from a schema

/** IDs the seeds made, by kind; the sweep and the matrix give their own. */
export type IdPools = Partial<Record<ResourceKind, string[]>>;

/** A reference to a pooled ID, resolved once the request's other parts are known. */
export class PoolPick {
  constructor(
    readonly kind: ResourceKind,
    readonly index: number,
  ) {}
}

/** URLs that can never reach anything: `.invalid` never resolves (RFC 6761), port 9 refuses. */
const harmlessUrl = fc.oneof(
  fc.webPath().map((p) => `https://hooks.sweep.invalid${p.startsWith('/') ? p : `/${p}`}`),
  fc.constantFrom(
    'http://127.0.0.1:9/',
    'https://example.invalid/doc.md',
    'https://[::1]:9/',
    'ftp://files.invalid/x',
    'not a url',
    'https://user:pw@x.invalid/',
  ),
);

export function valueArbitrary(schema: JsonSchema, name?: string): fc.Arbitrary<unknown> {
  const ref = resourceKindOfField(name);
  if (ref && (schema.type === 'string' || schema.anyOf)) {
    return fc.oneof({ weight: 4, arbitrary: fc.nat().map((i) => new PoolPick(ref, i)) }, { weight: 1, arbitrary: hostileString });
  }
  if (schema.anyOf) return fc.oneof(...(schema.anyOf as JsonSchema[]).map((s) => valueArbitrary(s, name)));
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valueArbitrary(s, k)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? min + 3, min + 3);
      const items = valueArbitrary(schema.items ?? {}, name);
      return schema.uniqueItems
        ? fc.uniqueArray(items, { minLength: min, maxLength: max, selector: (v) => JSON.stringify(v) })
        : fc.array(items, { minLength: min, maxLength: max });
    }
    case 'string': {
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? Infinity));
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'date-time')
        return fc.oneof(
          {
            weight: 1,
            arbitrary: fc.constantFrom('2026-12-31T23:59:60Z', '2026-02-30T00:00:00Z', '+275760-09-13T00:00:00.001Z', '1969-12-31T23:59:59.999-00:00'),
          },
          { weight: 3, arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()) },
        );
      if (name && /url|uri/i.test(name)) return harmlessUrl;
      if (name === 'timezone') return fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Mars/Olympus');
      if (name === 'schedule') return fc.constantFrom('0 9 * * 1-5', '*/5 * * * *', 'not cron', '0 0 31 2 *');
      return fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) }) },
        // As long as the field allows, of units that are costly to measure or display.
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('\u0301', 'a\u0301', ZWJ_FAMILY, '\u202E', '\u0000', 'x')
            .map((unit) => unit.repeat(Math.floor((schema.maxLength ?? 200) / [...unit].length)) || unit),
        },
      );
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 100_000, 100_000) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * The smallest valid value of a schema, deterministic: required fields only (the first field when
 * none is required but one must be given), IDs from `idFor` by field name.
 */
export function minimalValue(schema: JsonSchema, idFor: (kind: ResourceKind) => string, name?: string, withIdFields = false): unknown {
  const ref = resourceKindOfField(name);
  if (ref && (schema.type === 'string' || schema.anyOf)) return idFor(ref);
  if (schema.anyOf) return minimalValue((schema.anyOf as JsonSchema[]).find((s) => s.type !== 'null') ?? schema.anyOf[0], idFor, name);
  if (schema.enum) return schema.enum[0];
  if ('const' in schema) return schema.const;
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const keys: string[] = schema.required ?? [];
      let chosen = keys.length === 0 && (schema.minProperties ?? 0) > 0 ? Object.keys(properties).slice(0, schema.minProperties) : keys;
      if (withIdFields) chosen = [...new Set([...chosen, ...Object.keys(properties).filter((k) => mentionsId(properties[k]!, k))])];
      return Object.fromEntries(chosen.map((k) => [k, minimalValue(properties[k] ?? {}, idFor, k, withIdFields)]));
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => minimalValue(schema.items ?? {}, idFor, name, withIdFields));
    case 'string':
      if (schema.format === 'email') return 'someone@example.com';
      if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z';
      if (name && /url|uri/i.test(name)) return 'https://hooks.sweep.invalid/x';
      if (schema.pattern) throw new Error(`openapiRequests: no minimal value for the pattern of ${name ?? 'a field'}: ${schema.pattern}`);
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 10, 10));
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** Whether a field, or a field inside it, holds an ID of a resource. */
export function mentionsId(schema: JsonSchema, name?: string): boolean {
  if (resourceKindOfField(name)) return true;
  if (schema.type === 'array') return mentionsId(schema.items ?? {}, name);
  if (schema.type === 'object') return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).some(([k, s]) => mentionsId(s, k));
  return false;
}

/** Every node of a JSON-ish value, parents before children, with a setter. */
interface Node {
  value: unknown;
  set: (v: unknown) => void;
}

function nodesOf(value: unknown): { nodes: Node[]; root: { v: unknown } } {
  const nodes: Node[] = [];
  const walk = (parent: Record<string | number, unknown>, key: string | number) => {
    nodes.push({ value: parent[key], set: (v) => (parent[key] = v) });
    const child = parent[key];
    if (child && typeof child === 'object' && !(child instanceof RawJson) && !(child instanceof PoolPick)) {
      for (const k of Object.keys(child)) walk(child as Record<string, unknown>, Array.isArray(child) ? Number(k) : k);
    }
  };
  const root = { v: structuredCloneish(value) };
  walk(root, 'v');
  return { nodes, root };
}

function structuredCloneish(value: unknown): unknown {
  if (value instanceof RawJson || value instanceof PoolPick) return value;
  if (Array.isArray(value)) return value.map(structuredCloneish);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneish(v)]));
  return value;
}

export interface Mutation {
  body: unknown;
  /** What was changed, for the failure report. */
  note: string;
}

/** Replaces one node that passes `which` (any node but the root when none does). */
function replaceOne(body: unknown, at: number, which: (value: unknown) => boolean, by: unknown, what: string): Mutation {
  const { nodes, root } = nodesOf(body);
  const candidates = nodes.slice(1).filter((n) => which(n.value));
  const pool = candidates.length > 0 ? candidates : nodes.length > 1 ? nodes.slice(1) : nodes;
  const node = pool[at % pool.length]!;
  const before = describeValue(node.value);
  node.set(by);
  return { body: root.v, note: `${what} ${before} replaced by ${describeValue(by)}` };
}

/**
 * A valid-ish body with one fault: one node replaced (a number by a number that is not one, a
 * string by an odd one, any node by any hostile value), a field added, or a field removed.
 */
export function mutatedBodyArbitrary(schema: JsonSchema): fc.Arbitrary<Mutation> {
  const valid = valueArbitrary(schema);
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((body) => ({ body, note: 'valid-ish body' })) },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, fc.nat(), hostileNumber).map(([body, at, by]) => replaceOne(body, at, (v) => typeof v === 'number', by, 'number')),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat(), hostileString).map(([body, at, by]) => replaceOne(body, at, (v) => typeof v === 'string', by, 'string')),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(valid, fc.nat(), hostileJson).map(([body, at, by]) => replaceOne(body, at, () => true, by, 'value')),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.string({ minLength: 1, maxLength: 10 }), hostileJson)
        .map(([body, key, hostile]) =>
          body && typeof body === 'object' && !Array.isArray(body)
            ? { body: { ...body, [key]: hostile }, note: `extra field ${JSON.stringify(key)} = ${describeValue(hostile)}` }
            : { body: [body, hostile], note: 'wrapped in an array' },
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat()).map(([body, at]) => {
        if (!body || typeof body !== 'object' || Array.isArray(body)) return { body, note: 'valid-ish body' };
        const keys = Object.keys(body);
        if (keys.length === 0) return { body, note: 'empty object' };
        const key = keys[at % keys.length]!;
        const rest = { ...(body as Record<string, unknown>) };
        delete rest[key];
        return { body: rest, note: `field ${key} removed` };
      }),
    },
    { weight: 1, arbitrary: hostileJson.map((body) => ({ body, note: `whole body ${describeValue(body)}` })) },
  );
}

export function describeValue(value: unknown): string {
  if (value instanceof RawJson) return value.label;
  const text = typeof value === 'string' ? JSON.stringify(value) : toJsonText(value);
  return text.length > 80 ? `${text.slice(0, 60)}… (${text.length} chars)` : text;
}

// ---------------------------------------------------------------------------------------------
// Requests

/** A generated request before its pooled IDs are chosen. */
export interface Draft {
  op: Operation;
  /** Path segments: a pooled ID or a raw segment. */
  pathValues: Record<string, PoolPick | { raw: string }>;
  /** The query string as written, without `?`. */
  query: string;
  headers: Record<string, string>;
  body?: { contentType?: string; data: unknown | Uint8Array; note: string };
}

const CONTENT_TYPES_WRONG = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/xml',
  'application/octet-stream',
  'application/problem+json',
  'text/csv',
  '',
  'application/json, text/plain',
];

function multipartBody(parts: { name: string; filename?: string; data: string }[], boundary = 'sweepboundary', truncate = false): string {
  let text = parts
    .map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n${p.data}\r\n`)
    .join('');
  text += `--${boundary}--\r\n`;
  return truncate ? text.slice(0, Math.floor(text.length / 2)) : text;
}

/** Bodies for routes whose body the document does not describe. */
function rawBodyArbitrary(op: Operation): fc.Arbitrary<NonNullable<Draft['body']>> {
  const json = (data: unknown, note: string) => ({ contentType: 'application/json', data, note });
  switch (op.id) {
    case 'POST /clips':
      return fc.oneof(
        fc.constant({
          contentType: 'multipart/form-data; boundary=sweepboundary',
          data: multipartBody([
            { name: 'name', data: 'x' },
            { name: 'file', filename: 'a.mp4', data: 'not a video' },
          ]),
          note: 'multipart with a junk file',
        }),
        fc.constant({
          contentType: 'multipart/form-data',
          data: multipartBody([{ name: 'file', filename: 'a.mp4', data: 'x' }]),
          note: 'multipart without boundary',
        }),
        fc.constant({
          contentType: 'multipart/form-data; boundary=sweepboundary',
          data: multipartBody([{ name: 'file', filename: 'a.mp4', data: 'x'.repeat(100) }], 'sweepboundary', true),
          note: 'truncated multipart',
        }),
        fc.constant({
          contentType: 'multipart/form-data; boundary=sweepboundary',
          data: multipartBody(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: 'v' }))),
          note: 'multipart with 11 fields',
        }),
        fc.constant({
          contentType: 'multipart/form-data; boundary=sweepboundary',
          data: multipartBody([{ name: 'name', data: 'only a name' }]),
          note: 'multipart without a file',
        }),
        fc.constant({
          contentType: 'multipart/form-data; boundary=sweepboundary',
          data: multipartBody([{ name: 'file', filename: `${'\u202E'}${'x'.repeat(300)}.mp4`, data: 'x' }]),
          note: 'multipart with an odd file name',
        }),
        fc.constant(json({ name: 'x' }, 'JSON to a multipart route')),
        fc.constant({ contentType: 'text/plain', data: 'hello', note: 'text to a multipart route' }),
        fc.constant({ contentType: undefined, data: 'hello', note: 'no content type' }),
      );
    case 'PUT /clips/uploads/{uploadId}/parts/{n}':
      return fc.oneof(
        fc.uint8Array({ maxLength: 2048 }).map((data) => ({ contentType: 'application/octet-stream', data, note: `${data.length} random bytes` })),
        fc.constant(json({ part: 1 }, 'JSON part')),
        fc.constant({ contentType: 'text/plain', data: 'x', note: 'text part' }),
        fc.constant({ contentType: undefined, data: 'x', note: 'no content type' }),
      );
    case 'POST /kbs/{kbId}/docs':
      return fc.oneof(
        fc
          .tuple(fc.constantFrom('text/plain', 'text/markdown', 'text/html', 'application/pdf'), hostileString)
          .map(([contentType, text]) => ({ contentType, data: text, note: `${contentType} ${describeValue(text)}` })),
        harmlessUrl.map((url) => json({ url }, `JSON {url: ${url}}`)),
        hostileJson.map((url) => json({ url }, `JSON {url: ${describeValue(url)}}`)),
        hostileJson.map((data) => json(data, `JSON ${describeValue(data)}`)),
        fc.constant({ contentType: '%PDF-junk', data: '%PDF-1.4 junk', note: 'odd content type' }),
        fc.constant({ contentType: 'application/pdf', data: '%PDF-1.4\n1 0 obj << /Length 99999999 >> stream\nendstream', note: 'broken PDF' }),
      );
    case 'POST /clips/{clipId}/captions':
      return fc.oneof(
        fc.constant({ contentType: 'text/vtt', data: 'WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n', note: 'valid VTT' }),
        hostileString.map((text) => ({
          contentType: 'text/vtt',
          data: `WEBVTT\n\n00:00.000 --> 99:99.999\n${text}\n`,
          note: `VTT with ${describeValue(text)}`,
        })),
        fc.constant({ contentType: 'application/x-subrip', data: `1\n00:00:00,000 --> 00:00:01,000\n${COMBINING}\n`, note: 'SRT of combining marks' }),
        fc.constant({ contentType: 'application/x-subrip', data: `${'1\n00:00:00,000 --> 00:00:01,000\nx\n\n'.repeat(5000)}`, note: '5,000 SRT cues' }),
        hostileJson.map((content) => json({ content, format: 'vtt' }, `JSON captions ${describeValue(content)}`)),
        hostileJson.map((format) => json({ content: 'WEBVTT\n', format }, `JSON format ${describeValue(format)}`)),
      );
    default:
      throw new Error(`openapiRequests: no raw body generator for ${op.id}`);
  }
}

function bodyArbitrary(op: Operation): fc.Arbitrary<Draft['body']> {
  if (!op.takesBody) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.constant({ contentType: 'application/json', data: new RawJson('{', 'broken JSON'), note: 'broken JSON to a bodiless route' }),
      },
      { weight: 1, arbitrary: hostileJson.map((data) => ({ contentType: 'application/json', data, note: `JSON ${describeValue(data)} to a bodiless route` })) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...CONTENT_TYPES_WRONG)
          .map((contentType) => ({ contentType, data: 'x', note: `${contentType || 'empty'} content type to a bodiless route` })),
      },
    );
  }
  const raw = !op.jsonBody || RAW_BODIES[op.id];
  const own = raw ? rawBodyArbitrary(op) : mutatedBodyArbitrary(op.jsonBody!).map((m) => ({ contentType: 'application/json', data: m.body, note: m.note }));
  const jsonish = op.jsonBody ? mutatedBodyArbitrary(op.jsonBody) : fc.constant({ body: { a: 1 }, note: '{a:1}' });
  return fc.oneof(
    { weight: 10, arbitrary: own },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES_WRONG), jsonish)
        .map(([contentType, m]) => ({ contentType, data: m.body, note: `${m.note} sent as ${contentType || 'empty content type'}` })),
    },
    { weight: 1, arbitrary: jsonish.map((m) => ({ contentType: undefined, data: m.body, note: `${m.note} with no content type` })) },
    { weight: 1, arbitrary: fc.constant({ contentType: 'application/json', data: new RawJson('', 'empty'), note: 'empty JSON body' }) },
    {
      weight: 1,
      arbitrary: fc.constant({
        contentType: 'application/json',
        data: new RawJson(`{"x":"${'a'.repeat(300_000)}"}`, 'oversize'),
        note: 'oversize JSON body (300 KB)',
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{', '{"a":', '[1,]', "{'a':1}", 'nul', '\u0000', '{"a":1}{"b":2}', '\uFEFF{}').map((t) => ({
        contentType: 'application/json',
        data: new RawJson(t, `malformed JSON ${JSON.stringify(t)}`),
        note: `malformed JSON ${JSON.stringify(t)}`,
      })),
    },
  );
}

function queryArbitrary(op: Operation): fc.Arbitrary<string> {
  const parts = op.queryParams.map((p) => {
    const valid = valueArbitrary(p.schema, p.name).map((v) => (v instanceof PoolPick ? v : encodeURIComponent(String(v))));
    // `wait` held open on a running job is legitimately slow: keep valid waits short.
    const validShort = p.name === 'wait' ? fc.constantFrom('0', '1') : valid;
    return fc
      .oneof(
        { weight: 2, arbitrary: fc.constant(null) },
        { weight: 2, arbitrary: validShort },
        { weight: 3, arbitrary: hostileQueryValue },
        { weight: 1, arbitrary: fc.tuple(hostileQueryValue, hostileQueryValue).map(([a, b]) => [a, b]) },
      )
      .map((v) => ({ name: p.name, v }));
  });
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('unknown=1', '%ff=1', 'a[b]=c', '__proto__[x]=1', '&&&', '=', 'limit', 'limit=1&limit=2') },
  );
  return fc.tuple(fc.tuple(...parts), extra).map(([values, more]) => {
    const written = values.flatMap(({ name, v }) => {
      if (v === null) return [];
      if (v instanceof PoolPick) return [`${name}=${POOL_MARK}${v.kind}:${v.index}`];
      return (Array.isArray(v) ? v : [v]).map((one) => `${name}=${one}`);
    });
    return [...written, ...(more ? [more] : [])].join('&');
  });
}

const POOL_MARK = '\u0001pool:';

function pathValueArbitrary(op: Operation, p: Parameter): fc.Arbitrary<PoolPick | { raw: string }> {
  const kind = resourceKindOfParam(op.path, p.name);
  if (kind === 'partNumber') {
    return fc.oneof(
      fc.integer({ min: 1, max: 3 }).map((n) => ({ raw: String(n) })),
      fc.constantFrom('0', '-1', 'Infinity', '1e999', '1e2', '99999999999999999999', '1.5', '0x1', '%ff', 'NaN').map((raw) => ({ raw })),
    );
  }
  return fc.oneof(
    { weight: 6, arbitrary: fc.nat().map((i) => new PoolPick(kind, i)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom<ResourceKind>('profile', 'job', 'clip', 'kb', 'agent', 'webhook', 'doc', 'agentRun'), fc.nat())
        .map(([k, i]) => new PoolPick(k, i)),
    },
    { weight: 3, arbitrary: hostilePathSegment.map((raw) => ({ raw })) },
  );
}

function headersArbitrary(op: Operation): fc.Arbitrary<Record<string, string>> {
  const parts = op.headerParams.map((p) =>
    fc
      .oneof(
        fc.constant(null),
        p.schema.pattern ? fc.stringMatching(new RegExp(p.schema.pattern)) : fc.constant('1'),
        fc.constantFrom('Infinity', '1e999', '-1', '99999999999999999999', 'x'.repeat(5000), ''),
      )
      .map((v) => [p.name, v] as const),
  );
  const idempotency = fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('sweep-key-1', 'x'.repeat(300), '') });
  return fc.tuple(fc.tuple(...parts), idempotency).map(([pairs, key]) => {
    const headers: Record<string, string> = {};
    for (const [name, v] of pairs) if (v !== null) headers[name] = v;
    if (key !== null && op.method !== 'GET') headers['idempotency-key'] = key;
    return headers;
  });
}

export function draftArbitrary(op: Operation): fc.Arbitrary<Draft> {
  const pathValues = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, pathValueArbitrary(op, p)])));
  return fc.record({ pathValues, query: queryArbitrary(op), headers: headersArbitrary(op), body: bodyArbitrary(op) }).map((d) => ({ op, ...d }));
}

/** A request ready to send. */
export interface GeneratedRequest {
  opId: string;
  method: string;
  /** Path and query as written on the request line. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  note: string;
  /** Strict validity of the JSON body; 'unknown' for other bodies and none. */
  verdict: Verdict;
  /** Whether a pooled ID of the `write` pool was used (a write allowed to change it). */
  touchesWritePool: boolean;
}

/**
 * Chooses the pooled IDs: reads and requests whose body is surely invalid get the `read` pool
 * (the resources whose stored state must not change); any request that may be a valid write gets
 * the `write` pool, so a valid PATCH or DELETE never changes what the sweep compares.
 */
export function materialise(draft: Draft, pools: { read: IdPools; write: IdPools }): GeneratedRequest {
  const { op } = draft;
  const resolveBodyPicks = (value: unknown): unknown => {
    // A webhook named in a body receives deliveries, a job named in one may be canceled or rerun
    // (bulk actions): only the writable ones may.
    if (value instanceof PoolPick) return pick(value.kind === 'webhook' || value.kind === 'job' ? pools.write : pools.read, value) ?? 'missing_id';
    if (value instanceof RawJson || value instanceof Uint8Array) return value;
    if (Array.isArray(value)) return value.map(resolveBodyPicks);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveBodyPicks(v)]));
    return value;
  };
  let body: string | Uint8Array | undefined;
  if (draft.body) {
    const data = resolveBodyPicks(draft.body.data);
    body = data instanceof Uint8Array ? data : typeof data === 'string' && draft.body.contentType !== 'application/json' ? data : toJsonText(data);
    if (op.id === 'PUT /clips/uploads/{uploadId}/parts/{n}' && body instanceof Uint8Array && !draft.headers['x-content-sha256']) {
      draft.headers['x-content-sha256'] = crypto.createHash('sha256').update(body).digest('hex');
    }
  }
  const verdict = op.takesBody ? bodyVerdict(op, draft.body?.contentType, typeof body === 'string' ? body : undefined) : 'unknown';
  const maybeWrite = op.method !== 'GET' && verdict !== 'invalid';
  const pool = maybeWrite ? pools.write : pools.read;
  let touchesWritePool = false;
  let path = op.path;
  for (const p of op.pathParams) {
    const v = draft.pathValues[p.name]!;
    let segment: string;
    if (v instanceof PoolPick) {
      const id = pick(pool, v);
      segment = id ?? `${v.kind}_missing`;
      if (id && maybeWrite) touchesWritePool = true;
    } else {
      segment = v.raw;
    }
    path = path.replace(`{${p.name}}`, segment);
  }
  const query = draft.query.replace(
    new RegExp(`${POOL_MARK}(\\w+):(\\d+)`, 'g'),
    (_m, kind: ResourceKind, i: string) => pick(pools.read, new PoolPick(kind, Number(i))) ?? 'missing',
  );
  const headers = { ...draft.headers };
  if (draft.body?.contentType !== undefined) headers['content-type'] = draft.body.contentType;
  return {
    opId: op.id,
    method: op.method,
    path: query ? `${path}?${query}` : path,
    headers,
    body,
    note: draft.body?.note ?? 'no body',
    verdict,
    touchesWritePool,
  };
}

function pick(pools: IdPools, p: PoolPick): string | undefined {
  const ids = pools[p.kind];
  return ids && ids.length > 0 ? ids[p.index % ids.length] : undefined;
}

export function describeRequest(r: GeneratedRequest): string {
  const path = r.path.length > 160 ? `${r.path.slice(0, 140)}… (${r.path.length} chars)` : r.path;
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : `<${r.body.length} bytes>`;
  const shown = body.length > 160 ? `${body.slice(0, 140)}… (${body.length} chars)` : body;
  const type = r.headers['content-type'] === undefined ? '' : ` [${r.headers['content-type'] || 'empty content-type'}]`;
  const others = Object.entries(r.headers)
    .filter(([k]) => k !== 'content-type')
    .map(([k, v]) => ` ${k}: ${v.length > 70 ? `${v.slice(0, 60)}… (${v.length} chars)` : v}`)
    .join(';');
  return `${r.method} ${path}${type}${others ? ` [${others.trim()}]` : ''} ${JSON.stringify(shown)} (${r.note}; body ${r.verdict})`;
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: unknown;
  ms: number;
}

/**
 * Sends a request exactly as written (node:http does not normalise the path) and reads the whole
 * answer within `timeoutMs`; an event stream counts as answered once its headers arrive.
 */
export function sendRaw(
  baseUrl: string,
  r: { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array },
  timeoutMs = 2000,
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const started = performance.now();
  // node:http frames a GET's body with neither Content-Length nor chunks unless told: say it.
  const headers = r.body === undefined ? r.headers : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
  return new Promise((resolve, reject) => {
    const request = http.request(
      // A connection per request: an answer that closes its connection cannot fail the next request.
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent: false, signal: AbortSignal.timeout(timeoutMs) },
      (response) => {
        if (String(response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          response.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: '', body: undefined, ms: performance.now() - started });
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body, ms: performance.now() - started });
        });
      },
    );
    request.on('error', (error) => reject(error.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms`) : error));
    if (r.body !== undefined) request.end(r.body);
    else request.end();
  });
}
