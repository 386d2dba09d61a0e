/** Knowledge bases: create, list, get, delete; documents (uploaded raw or by URL, deleted once ingested); passage search. */
import { toBlob, type Bytes } from '../bytes.ts';
import { seg, type CallOptions, type Http, type SignalOption } from '../http.ts';
import type { Kb, KbCreateBody, KbDeleted, KbDoc, KbDocsPage, KbDocUploadQuery, KbSearchBody, KbSearchResults, KbsPage, PageQuery } from '../types.ts';

/** The types a document can be uploaded as. */
export type DocumentType = 'text/plain' | 'text/markdown' | 'text/html' | 'application/pdf';

export function kbMethods(http: Http) {
  const path = (kbId: string) => `/kbs/${seg(kbId)}`;
  return {
    create: (body: KbCreateBody, o: CallOptions = {}) => http.data<Kb>('POST', '/kbs', { ...o, json: body }),
    list: (query: PageQuery = {}, o: SignalOption = {}) => http.data<KbsPage>('GET', '/kbs', { ...o, query }),
    get: (kbId: string, o: SignalOption = {}) => http.data<Kb>('GET', path(kbId), o),
    delete: (kbId: string, o: SignalOption = {}) => http.data<KbDeleted>('DELETE', path(kbId), o),
    /** Uploads a document; it is `processing` until its ingestion job has indexed it. */
    upload: (kbId: string, content: string | Bytes, o: SignalOption & KbDocUploadQuery & { contentType: DocumentType }) =>
      http.data<KbDoc>('POST', `${path(kbId)}/docs`, {
        signal: o.signal,
        query: { title: o.title, uri: o.uri },
        body: typeof content === 'string' ? content : toBlob(content),
        contentType: o.contentType,
      }),
    /** Has the server fetch a document from a URL (under its SSRF guard). */
    addUrl: (kbId: string, body: { url: string; title?: string }, o: SignalOption = {}) => http.data<KbDoc>('POST', `${path(kbId)}/docs`, { ...o, json: body }),
    documents: (kbId: string, query: PageQuery = {}, o: SignalOption = {}) => http.data<KbDocsPage>('GET', `${path(kbId)}/docs`, { ...o, query }),
    document: (kbId: string, docId: string, o: SignalOption = {}) => http.data<KbDoc>('GET', `${path(kbId)}/docs/${seg(docId)}`, o),
    /** Deletes a document with its passages (409 `conflict` while it is still `processing`). */
    deleteDocument: (kbId: string, docId: string, o: SignalOption = {}) => http.data<KbDeleted>('DELETE', `${path(kbId)}/docs/${seg(docId)}`, o),
    search: (kbId: string, body: KbSearchBody, o: SignalOption = {}) => http.data<KbSearchResults>('POST', `${path(kbId)}/search`, { ...o, json: body }),
  };
}
