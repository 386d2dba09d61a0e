/**
 * `kb.ingest`: reads one document (uploaded bytes, or fetched from its URL under the SSRF guard),
 * extracts its text, cuts it into passages and indexes them; the document goes `processing` →
 * `indexed` (with its passage count), or `failed` with the reason. The passages and the status
 * commit together. Internal: the document's status is what users watch.
 *
 * An upload's bytes are read from the storage (`input.stored`, put there by the route; rows from
 * before kept them in `kb_docs.source`) and the object is deleted once ingestion ends, indexed or
 * failed, as the bytes were never kept after ingestion.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fetchToFile, ImportError } from '../../../net/fetchToFile.ts';
import { defineKind, type JobKind, PermanentError, RetryableError } from '../../../engine/index.ts';
import { nowIso } from '../../../ids.ts';
import type { Storage } from '../../../storage/storage.ts';
import type { Db } from '../../../store/database.ts';
import type { GuardOptions } from '../../../net/addressGuard.ts';
import { chunkText } from './chunk.ts';
import { DOC_MIME, docTypeOf, ExtractError, extractText, sniffDocType } from './extract.ts';
import { chunksReplaceForDoc } from './sql/chunks.ts';

export interface IngestInput {
  docId: string;
  /** The storage key of the uploaded bytes. */
  stored?: string;
}

export function kbPrefix(orgId: string, kbId: string): string {
  return `kb/${orgId}/${kbId}/`;
}

export function kbDocKey(orgId: string, kbId: string, docId: string): string {
  return `${kbPrefix(orgId, kbId)}${docId}`;
}

async function storedBytes(storage: Storage, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await storage.get(key)).body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function fetchBytes(url: string, guard: GuardOptions & { maxBytes: number }, signal: AbortSignal): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-kb-'));
  try {
    const file = path.join(dir, 'doc');
    await fetchToFile(url, file, { ...guard, timeoutMs: 60_000, signal });
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const INGEST_ATTEMPTS = 2;

export function ingestKind(db: Db, guard: GuardOptions & { maxBytes: number }, storage: Storage): JobKind<IngestInput> {
  return defineKind<IngestInput>({
    name: 'kb.ingest',
    scope: 'kb',
    internal: true,
    maxAttempts: INGEST_ATTEMPTS,
    itemTimeoutMs: 5 * 60_000,
    async process({ item, input, signal }) {
      const doc = await db.selectFrom('kb_docs').selectAll().where('id', '=', input.docId).executeTakeFirst();
      if (!doc) throw new PermanentError('DOC_NOT_FOUND', 'The document no longer exists.');
      let passages: number;
      try {
        const bytes = input.stored
          ? await storedBytes(storage, input.stored)
          : doc.source !== null
            ? Buffer.from(doc.source, 'base64')
            : await fetchBytes(doc.uri, guard, signal);
        const type = docTypeOf(doc.content_type, doc.uri) ?? sniffDocType(bytes);
        const { text, title } = await extractText(type, bytes);
        const chunks = chunkText(text);
        if (chunks.length === 0) throw new ExtractError('The document has no text.');
        await db.transaction().execute(async (trx) => {
          await chunksReplaceForDoc(trx, doc, chunks);
          await trx
            .updateTable('kb_docs')
            .set({
              status: 'indexed',
              error: null,
              source: null,
              chunks: chunks.length,
              title: doc.title ?? title,
              content_type: DOC_MIME[type],
              updated_at: nowIso(),
            })
            .where('id', '=', doc.id)
            .execute();
        });
        passages = chunks.length;
      } catch (error) {
        if (signal.aborted) throw error;
        // The storage down for a while: tried again with its upload kept, unless this was the last try.
        if (error instanceof RetryableError && item.attempt < INGEST_ATTEMPTS) throw error;
        if (input.stored) await storage.delete(input.stored).catch(() => {});
        const reason = error instanceof ExtractError || error instanceof ImportError ? error.message : `Ingestion failed: ${(error as Error).message}`;
        await db.updateTable('kb_docs').set({ status: 'failed', error: reason, source: null, updated_at: nowIso() }).where('id', '=', doc.id).execute();
        throw new PermanentError('INGESTION_FAILED', reason);
      }
      // After the commit, and outside the try: a storage that fails here must not turn an indexed
      // document into a failed one. What stays is deleted with the document or its knowledge base.
      if (input.stored) await storage.delete(input.stored).catch(() => {});
      return { chunks: passages };
    },
  });
}
