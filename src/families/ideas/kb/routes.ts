/**
 * Knowledge bases: `POST/GET /kbs`, `GET/DELETE /kbs/{kbId}`, documents (`POST /kbs/{kbId}/docs`
 * as a raw upload of text, Markdown, HTML or PDF, or JSON `{url}`; `GET` one or all; `DELETE`
 * one once its ingestion has ended), and
 * `POST /kbs/{kbId}/search`. Content-family envelope. An uploaded document's bytes go to the
 * storage (`kb/<org>/<kb>/<doc>`) until its ingestion has read them; deleting a knowledge base
 * deletes what is left of its objects.
 */
import { Type, type Static, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import type { Engine, JobKind, JobRow } from '../../../engine/index.ts';
import { AppError } from '../../../errors.ts';
import { newId, nowIso } from '../../../ids.ts';
import { acceptContentTypes } from '../../../http/contentTypeGate.ts';
import { orgOf } from '../../../http/plugins/auth.ts';
import { ContentOk, PageQuery } from '../../../http/schemas.ts';
import { acceptedHeaders, answerSubmission, PREFER_WAIT_DOC } from '../../../http/submissionAnswer.ts';
import type { Storage } from '../../../storage/storage.ts';
import type { Db } from '../../../store/database.ts';
import type { KbDocsTable } from '../../../store/schema.ts';
import { searchTerms } from '../../../searchTerms.ts';
import { BlockedUrlError, checkPublicUrl, type GuardOptions } from '../../../net/addressGuard.ts';
import { DOC_MIME, docTypeOf } from './extract.ts';
import { kbDocKey, kbPrefix, type IngestInput } from './ingestKind.ts';
import { chunksIndexDeleteForKb, passagesSearch } from './sql/chunks.ts';
import { CreateKbBody, DocsPage, DocUploadQuery, DocView, KbDeleted, KbsPage, KbView, SearchAnswer, SearchBody } from './schemas.ts';
import { docDeleteIfSettled } from './sql/docs.ts';
import { kbFindForOrg, type KbRow } from './sql/kbs.ts';

type DocRow = Selectable<KbDocsTable>;

const UPLOAD_TYPES = ['text/plain', 'text/markdown', 'text/x-markdown', 'text/html', 'application/pdf'];

function kbView(row: KbRow, documents: number): Static<typeof KbView> {
  return { id: row.id, name: row.name, description: row.description, documents, createdAt: row.created_at, updatedAt: row.updated_at };
}

function docView(row: DocRow): Static<typeof DocView> {
  return {
    id: row.id,
    kbId: row.kb_id,
    uri: row.uri,
    title: row.title,
    contentType: row.content_type,
    status: row.status,
    passages: row.chunks,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The answer to deleting a document while its ingestion runs. */
function documentBusy(docId: string): AppError {
  return new AppError('conflict', `Document ${docId} is still being ingested: delete it once it is indexed or failed.`);
}

/** The query words found in a passage: why it matched. */
function matchReason(query: string, content: string): string {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((w) => w.length >= 2);
  const text = content.toLowerCase();
  const found = words.filter((w) => new RegExp(`(^|[^\\p{L}\\p{N}])${w}`, 'u').test(text));
  return found.length > 0 ? `matched: ${found.join(', ')}` : 'matched related forms of the query';
}

export interface KbRouteOptions {
  db: Db;
  engine: Engine;
  ingest: JobKind<IngestInput>;
  guard: GuardOptions;
  maxDocBytes: number;
  storage: Storage;
}

export async function kbRoutes(instance: FastifyInstance, opts: KbRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine } = opts;
  app.addContentTypeParser(
    UPLOAD_TYPES.filter((t) => t !== 'text/plain'),
    { parseAs: 'buffer', bodyLimit: opts.maxDocBytes },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser('text/plain', { parseAs: 'buffer', bodyLimit: opts.maxDocBytes }, (_req, body, done) => done(null, body));

  async function kbOf(orgId: string, kbId: string): Promise<KbRow> {
    const row = await kbFindForOrg(db, orgId, kbId);
    if (!row) throw new AppError('not_found', `No knowledge base ${kbId}.`);
    return row;
  }
  const documentCount = async (kbId: string) =>
    Number(
      (
        await db
          .selectFrom('kb_docs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('kb_id', '=', kbId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  const Params = Type.Object({ kbId: Type.String({ maxLength: 100 }) });
  const DocParams = Type.Object({ kbId: Type.String({ maxLength: 100 }), docId: Type.String({ maxLength: 100 }) });

  app.post(
    '/kbs',
    {
      config: { scope: 'kb:write', idempotent: true },
      schema: {
        tags: ['knowledge'],
        summary: 'Create a knowledge base',
        body: CreateKbBody,
        response: { 201: ContentOk(KbView) },
      },
    },
    async (request, reply) => {
      const now = nowIso();
      const row: KbRow = {
        id: newId('kb'),
        org_id: orgOf(request),
        name: request.body.name,
        description: request.body.description ?? null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('kbs').values(row).execute();
      return reply.code(201).send({ success: true as const, data: kbView(row, 0) });
    },
  );

  app.get(
    '/kbs',
    {
      config: { scope: 'kb:read' },
      schema: {
        tags: ['knowledge'],
        summary: "The organisation's knowledge bases, newest first",
        querystring: PageQuery,
        response: { 200: ContentOk(KbsPage) },
      },
    },
    async (request) => {
      const orgId = orgOf(request);
      const rows = await db
        .selectFrom('kbs')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('id', 'desc')
        .limit(request.query.limit)
        .offset(request.query.offset)
        .execute();
      const total = Number(
        (
          await db
            .selectFrom('kbs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('org_id', '=', orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );
      const kbs = await Promise.all(rows.map(async (r) => kbView(r, await documentCount(r.id))));
      return { success: true as const, data: { kbs, total } };
    },
  );

  app.get(
    '/kbs/:kbId',
    { config: { scope: 'kb:read' }, schema: { tags: ['knowledge'], summary: 'One knowledge base', params: Params, response: { 200: ContentOk(KbView) } } },
    async (request) => {
      const kb = await kbOf(orgOf(request), request.params.kbId);
      return { success: true as const, data: kbView(kb, await documentCount(kb.id)) };
    },
  );

  app.delete(
    '/kbs/:kbId',
    {
      config: { scope: 'kb:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Delete a knowledge base with its documents and passages',
        params: Params,
        response: { 200: ContentOk(KbDeleted) },
      },
    },
    async (request) => {
      const kb = await kbOf(orgOf(request), request.params.kbId);
      // Objects first: if the storage fails, the knowledge base stays and the DELETE can be sent again.
      await opts.storage.deletePrefix(kbPrefix(kb.org_id, kb.id));
      await db.transaction().execute(async (trx) => {
        await chunksIndexDeleteForKb(trx, kb.id);
        await trx.deleteFrom('kbs').where('id', '=', kb.id).execute(); // documents and passages cascade
      });
      return { success: true as const, data: { id: kb.id, deleted: true as const } };
    },
  );

  app.post(
    '/kbs/:kbId/docs',
    {
      config: { scope: 'kb:write', idempotent: true },
      onRequest: acceptContentTypes([...UPLOAD_TYPES, 'application/json']),
      bodyLimit: opts.maxDocBytes,
      schema: {
        tags: ['knowledge'],
        summary: 'Add a document: upload it (text/plain, text/markdown, text/html, application/pdf) or give {url}',
        description:
          'Ingested by a job: text extracted (HTML without scripts and styles; PDF by a pure-JS parser), cut into passages on headings and paragraphs with overlap, indexed. Status `processing` → `indexed` or `failed` with the reason. A URL is fetched by the server under the SSRF guard. `?title=` and `?uri=` name an upload. ' +
          `Its status route is \`GET /kbs/{kbId}/docs/{docId}\`. ${PREFER_WAIT_DOC}`,
        params: Params,
        querystring: DocUploadQuery,
        response: { 200: ContentOk(DocView), 202: ContentOk(DocView) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const kb = await kbOf(orgId, request.params.kbId);
      const body = request.body as unknown;
      const now = nowIso();
      const id = newId('doc');
      let doc: DocRow;
      let stored: string | undefined;
      if (Buffer.isBuffer(body)) {
        const contentType = (request.headers['content-type'] ?? 'text/plain').split(';')[0]!.trim();
        if (body.length === 0) throw new AppError('validation_error', 'The document is empty.');
        const uri = request.query.uri ?? `upload://${id}`;
        stored = kbDocKey(orgId, kb.id, id);
        await opts.storage.put(stored, body, { contentType });
        doc = {
          id,
          kb_id: kb.id,
          org_id: orgId,
          uri,
          title: request.query.title ?? null,
          content_type: DOC_MIME[docTypeOf(contentType, uri) ?? 'text'],
          status: 'processing',
          error: null,
          source: null,
          chunks: 0,
          created_at: now,
          updated_at: now,
        };
      } else if (body && typeof body === 'object' && typeof (body as { url?: unknown }).url === 'string') {
        const raw = (body as { url: string; title?: unknown }).url;
        let url: URL;
        try {
          url = await checkPublicUrl(raw, opts.guard);
        } catch (error) {
          if (error instanceof BlockedUrlError) throw new AppError('validation_error', `body.url is refused: ${error.message}`);
          throw error;
        }
        const title = typeof (body as { title?: unknown }).title === 'string' ? ((body as { title: string }).title as string).slice(0, 300) : null;
        const known = docTypeOf('', url.pathname);
        doc = {
          id,
          kb_id: kb.id,
          org_id: orgId,
          uri: url.toString(),
          title,
          content_type: known ? DOC_MIME[known] : 'unknown',
          status: 'processing',
          error: null,
          source: null,
          chunks: 0,
          created_at: now,
          updated_at: now,
        };
      } else {
        throw new AppError('validation_error', `Send the document as ${UPLOAD_TYPES.join(', ')}, or JSON {url, title?}.`);
      }
      const accepted = { success: true as const, data: docView(doc) };
      const statusPath = `/kbs/${kb.id}/docs/${id}`;
      const claim = request.idempotency;
      let job: JobRow;
      try {
        job = await db.transaction().execute(async (trx) => {
          await trx.insertInto('kb_docs').values(doc).execute();
          return engine.submitIn(trx, {
            orgId,
            kind: opts.ingest,
            input: stored ? { docId: id, stored } : { docId: id },
            idempotency: claim ? { key: claim.key, respond: () => ({ status: 202, body: accepted, headers: acceptedHeaders(request, statusPath) }) } : null,
          });
        });
      } catch (error) {
        if (stored) await opts.storage.delete(stored).catch(() => {});
        throw error;
      }
      const finished = async () => {
        const row = await db.selectFrom('kb_docs').selectAll().where('id', '=', id).where('kb_id', '=', kb.id).executeTakeFirst();
        if (!row) throw new AppError('not_found', `No document ${id} in ${kb.id}.`);
        return { success: true as const, data: docView(row) };
      };
      return answerSubmission({ db, engine }, request, reply, { job, statusPath, accepted, finished });
    },
  );

  app.get(
    '/kbs/:kbId/docs',
    {
      config: { scope: 'kb:read' },
      schema: {
        tags: ['knowledge'],
        summary: "A knowledge base's documents, newest first",
        params: Params,
        querystring: PageQuery,
        response: { 200: ContentOk(DocsPage) },
      },
    },
    async (request) => {
      const kb = await kbOf(orgOf(request), request.params.kbId);
      const rows = await db
        .selectFrom('kb_docs')
        .selectAll()
        .where('kb_id', '=', kb.id)
        .orderBy('id', 'desc')
        .limit(request.query.limit)
        .offset(request.query.offset)
        .execute();
      return { success: true as const, data: { docs: rows.map(docView), total: await documentCount(kb.id) } };
    },
  );

  app.get(
    '/kbs/:kbId/docs/:docId',
    {
      config: { scope: 'kb:read' },
      schema: {
        tags: ['knowledge'],
        summary: 'One document and its status',
        params: DocParams,
        response: { 200: ContentOk(DocView) },
      },
    },
    async (request) => {
      const kb = await kbOf(orgOf(request), request.params.kbId);
      const row = await db.selectFrom('kb_docs').selectAll().where('id', '=', request.params.docId).where('kb_id', '=', kb.id).executeTakeFirst();
      if (!row) throw new AppError('not_found', `No document ${request.params.docId} in ${kb.id}.`);
      return { success: true as const, data: docView(row) };
    },
  );

  app.delete(
    '/kbs/:kbId/docs/:docId',
    {
      config: { scope: 'kb:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Delete a document with its passages',
        description: '409 while the document is `processing`: delete it once its ingestion has ended (`indexed` or `failed`).',
        params: DocParams,
        response: { 200: ContentOk(KbDeleted) },
      },
    },
    async (request) => {
      const kb = await kbOf(orgOf(request), request.params.kbId);
      const { docId } = request.params;
      const doc = await db.selectFrom('kb_docs').select('status').where('id', '=', docId).where('kb_id', '=', kb.id).executeTakeFirst();
      if (doc?.status === 'processing') throw documentBusy(docId);
      // Ingestion deletes an upload's bytes when it ends; this catches any it left behind, before
      // the row goes, so a storage that fails leaves the document to be deleted again.
      if (doc) await opts.storage.delete(kbDocKey(kb.org_id, kb.id, docId));
      const outcome = await docDeleteIfSettled(db, kb.id, docId);
      if (outcome === 'not_found') throw new AppError('not_found', `No document ${docId} in ${kb.id}.`);
      if (outcome === 'processing') throw documentBusy(docId);
      return { success: true as const, data: { id: docId, deleted: true as const } };
    },
  );

  app.post(
    '/kbs/:kbId/search',
    {
      config: { scope: 'kb:read' },
      schema: {
        tags: ['knowledge'],
        summary: 'Search the passages of a knowledge base',
        description: 'Full text, any of the words, best first. `score` is relative to the best match (1); `matchReason` names the query words found.',
        params: Params,
        body: SearchBody,
        response: { 200: ContentOk(SearchAnswer) },
      },
    },
    async (request) => {
      const kb = await kbOf(orgOf(request), request.params.kbId);
      const limit = request.body.limit ?? 5;
      const { hits, total } = await passagesSearch(db, kb.id, searchTerms(request.body.query.split(/[^\p{L}\p{N}]+/u)), limit);
      return {
        success: true as const,
        data: {
          query: request.body.query,
          limit,
          total,
          results: hits.map((h) => ({ uri: h.uri, score: h.score, content: h.content, matchReason: matchReason(request.body.query, h.content) })),
        },
      };
    },
  );
}
