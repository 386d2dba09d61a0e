/**
 * Reads a `multipart/form-data` request that carries one file: its fields into memory, the file
 * streamed to disk as it arrives (hashed on the way), never held whole in memory.
 *
 * Guarantees: every way a form can be wrong ends in an `AppError` with its status, raised as
 * soon as the problem is seen — no boundary, a malformed or truncated body (no closing
 * delimiter): 400; more fields or files than allowed, a field or the file over its size: 413.
 * What is left of the body after an error is read into nothing, so a client still sending gets
 * to read the answer.
 * Not guaranteed: the caller removes what was written when this throws (it knows the folder).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { HashingTap } from './hashingTap.ts';

export interface FormLimits {
  /** Non-file fields. */
  fields: number;
  /** Bytes in one field's value. */
  fieldSize: number;
  /** Bytes in the file. */
  fileSize: number;
}

export interface ReceivedForm {
  /** The fields, in the order sent. */
  fields: [name: string, value: string][];
  /** The file part's own name for the file (`filename=`), or '' if it gave none. */
  filename: string;
  /** Where the file was written. */
  path: string;
  bytes: number;
  /**
   * SHA-256 over the fields, the file's name and type and its bytes: the same for the same form
   * whatever boundary the client chose, so a retry can be recognised (`Idempotency-Key`).
   */
  fingerprint: string;
}

/**
 * Reads the form; the file goes to `pathFor(filename)`. A form without a file part is 422.
 */
export async function receiveFormWithFile(request: FastifyRequest, limits: FormLimits, pathFor: (filename: string) => string): Promise<ReceivedForm> {
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data.');
  const boundary = boundaryOf(request.headers['content-type'] ?? '');
  if (!boundary) throw new AppError('bad_request', 'The multipart/form-data Content-Type has no boundary parameter.');
  const closing = closingDelimiterWatch(request.raw, boundary);

  const fingerprint = crypto.createHash('sha256');
  const fields: ReceivedForm['fields'] = [];
  let file: Omit<ReceivedForm, 'fields' | 'fingerprint'> | null = null;
  try {
    // The limits on counts are ours, not the parser's: the parser reports a count exceeded only
    // after handing out the next part, and may have stopped reading the body by then, so a file
    // part handed out after it never ends (a form of 11 fields once got no answer at all).
    for await (const part of request.parts({
      limits: { fields: Infinity, files: Infinity, parts: Infinity, fieldSize: limits.fieldSize, fileSize: limits.fileSize },
    })) {
      if (part.type === 'field') {
        if (fields.length === limits.fields) throw new AppError('payload_too_large', `The form has more than ${limits.fields} fields.`);
        if (part.valueTruncated) throw new AppError('payload_too_large', `Form field ${part.fieldname} is longer than ${limits.fieldSize} bytes.`);
        // A part typed application/json arrives parsed; its text is what was sent.
        const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
        fields.push([part.fieldname, value]);
        fingerprint.update(JSON.stringify(['field', part.fieldname, value]));
        continue;
      }
      if (file) throw new AppError('payload_too_large', 'The form has more than one file part.');
      // Destroyed before we read it: the body broke off, and the next step says how.
      if (part.file.destroyed) continue;
      const path = pathFor(part.filename);
      const written = await streamToFile(part.file, path, limits.fileSize);
      fingerprint.update(JSON.stringify(['file', part.fieldname, part.filename, part.mimetype, written.sha256]));
      file = { filename: part.filename, path, bytes: written.bytes };
    }
  } catch (error) {
    discardRest(request);
    throw formError(error, limits);
  }
  if (!closing.seen()) throw new AppError('bad_request', 'The multipart body ends before its closing boundary: it is truncated.');
  if (!file) throw new AppError('validation_error', 'The form has no file part.');
  return { fields, ...file, fingerprint: fingerprint.digest('hex') };
}

/**
 * Reads what is left of a body we stopped reading, into nothing. Left unread, it fills the
 * socket's window: a client still sending never gets to read the error (fetch waits forever).
 */
function discardRest(request: FastifyRequest): void {
  request.raw.unpipe();
  request.raw.resume();
}

/** The `boundary` parameter of a multipart Content-Type, or null. */
function boundaryOf(contentType: string): string | null {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

/**
 * Watches the body go by for the closing delimiter (`--boundary--`). The multipart parser ends a
 * body without one quietly, as if the form were complete; a truncated upload must not be taken.
 */
export function closingDelimiterWatch(body: NodeJS.EventEmitter, boundary: string): { seen(): boolean } {
  const delimiter = Buffer.from(`--${boundary}--`);
  let tail = Buffer.alloc(0);
  let seen = false;
  const onData = (chunk: Buffer) => {
    // The chunk itself, and the seam with the previous one (a delimiter may straddle two).
    const seam = Buffer.concat([tail, chunk.subarray(0, delimiter.length - 1)]);
    if (chunk.includes(delimiter) || seam.includes(delimiter)) {
      seen = true;
      body.off('data', onData);
      return;
    }
    const last = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - (delimiter.length - 1)))]);
    tail = last.subarray(Math.max(0, last.length - (delimiter.length - 1)));
  };
  // Listening to 'data' beside the parser's pipe: both see every chunk, and the pipe still
  // applies back-pressure (pausing the request stops both).
  body.on('data', onData);
  return { seen: () => seen };
}

/** Streams the file to `path`, hashing it; rejects with 413 the moment it passes `maxBytes`. */
async function streamToFile(file: MultipartFile['file'], path: string, maxBytes: number) {
  const tap = new HashingTap();
  // Past the limit the parser reads on to the end of the part, into nothing: answer now. The
  // limit may already have been hit, in the chunk that brought the part.
  if (file.truncated) throw fileTooLarge(maxBytes);
  const tooLarge = new AbortController();
  file.once('limit', () => tooLarge.abort());
  try {
    await pipeline(file, tap, fs.createWriteStream(path), { signal: tooLarge.signal });
  } catch (error) {
    if (tooLarge.signal.aborted) throw fileTooLarge(maxBytes);
    throw error;
  }
  if (file.truncated) throw fileTooLarge(maxBytes);
  return { bytes: tap.bytes, sha256: tap.sha256() };
}

function fileTooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `The file is larger than the limit of ${maxBytes} bytes; nothing was kept.`);
}

/** What went wrong reading the form, as the caller should hear it. */
function formError(error: unknown, limits: FormLimits): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return fileTooLarge(limits.fileSize);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('unsupported_media_type', 'Send the file as multipart/form-data.');
    case 'FST_PROTO_VIOLATION':
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new AppError('bad_request', `The form is malformed: ${(error as Error).message}.`);
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new AppError('bad_request', 'The upload was cut off before the file part ended.');
  }
  // The parser's own errors carry no code ("Unexpected end of form", "Part terminated early",
  // "Malformed part header"); errors of the disk do (ENOSPC, EACCES) and stay server errors.
  if (error instanceof Error && code === undefined) return new AppError('bad_request', `The multipart body is malformed: ${error.message}.`);
  return error;
}
