/**
 * Clips: upload (multipart from a Buffer or Blob, or resumable in parts), import from a URL,
 * candidates, captions, renders. Rendered files are fetched from a render's `outputUrl`, which
 * is signed and needs no key.
 */
import { sha256Hex, toBlob, toUint8Array, type Bytes } from '../bytes.ts';
import { seg, type CallOptions, type Http, type SignalOption } from '../http.ts';
import type {
  CaptionsResult,
  Clip,
  ClipCandidate,
  ClipCandidateBody,
  ClipDeleted,
  ClipImportBody,
  ClipSourceUrl,
  ClipsPage,
  PageQuery,
  RenderAccepted,
  RenderJob,
  RenderRequest,
  Upload,
  UploadStartBody,
} from '../types.ts';

export function clipMethods(http: Http) {
  const path = (clipId: string) => `/clips/${seg(clipId)}`;
  return {
    /** Uploads a whole file in one multipart request; the clip is then `processing`, later `ready` with candidates. */
    upload(file: Bytes, o: SignalOption & { fileName?: string; name?: string } = {}): Promise<Clip> {
      const form = new FormData();
      if (o.name) form.append('name', o.name); // before the file: the server reads fields that precede it
      form.append('file', toBlob(file), o.fileName ?? 'upload.mp4');
      return http.data<Clip>('POST', '/clips', { signal: o.signal, body: form });
    },
    /** Has the server fetch a video from a URL (under its SSRF guard). */
    import: (body: ClipImportBody, o: CallOptions = {}) => http.data<Clip>('POST', '/clips/import', { ...o, json: body }),
    list: (query: PageQuery = {}, o: SignalOption = {}) => http.data<ClipsPage>('GET', '/clips', { ...o, query }),
    get: (clipId: string, o: SignalOption = {}) => http.data<Clip>('GET', path(clipId), o),
    delete: (clipId: string, o: SignalOption = {}) => http.data<ClipDeleted>('DELETE', path(clipId), o),
    addCandidate: (clipId: string, body: ClipCandidateBody, o: SignalOption = {}) =>
      http.data<ClipCandidate>('POST', `${path(clipId)}/candidates`, { ...o, json: body }),
    /** SRT or WebVTT text; the format is detected when left out. Replaces earlier captions. */
    captions: (clipId: string, content: string, o: SignalOption & { format?: 'srt' | 'vtt' } = {}) =>
      http.data<CaptionsResult>('POST', `${path(clipId)}/captions`, { signal: o.signal, json: { content, ...(o.format ? { format: o.format } : {}) } }),
    /** Renders a candidate; the answer's `jobId` works with `waitFor` and `streamEvents`. */
    render: (clipId: string, body: RenderRequest, o: CallOptions = {}) => http.data<RenderAccepted>('POST', `${path(clipId)}/render`, { ...o, json: body }),
    /** A signed, expiring URL of the clip's source file, for a player (no key needed to open it). */
    sourceUrl: (clipId: string, o: SignalOption = {}) => http.data<ClipSourceUrl>('GET', `${path(clipId)}/source-url`, o),
    /** A clip's render jobs, newest first, with a signed `outputUrl` once completed. */
    renders: (clipId: string, o: SignalOption = {}) => http.data<RenderJob[]>('GET', `${path(clipId)}/jobs`, o),

    /** Resumable upload: start → putPart for each part (any order, again if it failed) → complete. */
    uploads: {
      start: (body: UploadStartBody, o: SignalOption = {}) => http.data<Upload>('POST', '/clips/uploads', { ...o, json: body }),
      /** Which parts have arrived. */
      status: (uploadId: string, o: SignalOption = {}) => http.data<Upload>('GET', `/clips/uploads/${seg(uploadId)}`, o),
      /** Sends part `n` (from 1) with its SHA-256, which the server checks before keeping it. */
      async putPart(uploadId: string, n: number, part: Bytes, o: SignalOption = {}): Promise<Upload> {
        const bytes = await toUint8Array(part);
        const sha256 = await sha256Hex(bytes);
        return http.data<Upload>('PUT', `/clips/uploads/${seg(uploadId)}/parts/${n}`, {
          signal: o.signal,
          body: toBlob(bytes),
          contentType: 'application/octet-stream',
          headers: { 'x-content-sha256': sha256 },
        });
      },
      complete: (uploadId: string, o: SignalOption = {}) => http.data<Clip>('POST', `/clips/uploads/${seg(uploadId)}/complete`, o),
      /** Abandons an upload: its parts are deleted now rather than when it expires. */
      abort: (uploadId: string, o: SignalOption = {}) => http.data<ClipDeleted>('DELETE', `/clips/uploads/${seg(uploadId)}`, o),
    },
  };
}
