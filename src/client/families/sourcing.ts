/**
 * The sourcing family: the talent pool (`/profiles`), sourcing runs (`/sourcing`) and enrichment
 * runs (`/sourcing/enrich`). Its answers are flat (`{success: true, …}`), returned as they are.
 */
import { seg, type CallOptions, type Http, type SignalOption } from '../http.ts';
import type {
  EnrichmentAccepted,
  EnrichmentInput,
  EnrichmentResults,
  ImportResult,
  PageQuery,
  ProfileAnswer,
  ProfileDeleted,
  ProfilesPage,
  Resume,
  SourcingAccepted,
  SourcingInput,
  SourcingResults,
} from '../types.ts';

type WaitOptions = SignalOption & { wait?: number };

/** The family's answers are the whole body. */
const body = async <T>(answer: Promise<{ body: T }>): Promise<T> => (await answer).body;

export function profileMethods(http: Http) {
  return {
    /** Imports one JSON Resume document or up to 1,000; the same person is updated, never duplicated. */
    import: (resumes: Resume | Resume[], o: CallOptions = {}) => body(http.request<ImportResult>('POST', '/profiles', { ...o, json: resumes })),
    /** Imports CSV, one row per position (see the README for the columns). */
    importCsv: (csv: string, o: CallOptions = {}) => body(http.request<ImportResult>('POST', '/profiles', { ...o, body: csv, contentType: 'text/csv' })),
    list: (query: PageQuery = {}, o: SignalOption = {}) => body(http.request<ProfilesPage>('GET', '/profiles', { ...o, query })),
    get: (id: string, o: SignalOption = {}) => body(http.request<ProfileAnswer>('GET', `/profiles/${seg(id)}`, o)),
    delete: (id: string, o: SignalOption = {}) => body(http.request<ProfileDeleted>('DELETE', `/profiles/${seg(id)}`, o)),
  };
}

export function sourcingMethods(http: Http) {
  return {
    /** Starts a sourcing run; its `requestId` is also a job ID (`/jobs`, `waitFor`, `streamEvents`). */
    start: (input: SourcingInput, o: CallOptions = {}) => body(http.request<SourcingAccepted>('POST', '/sourcing', { ...o, json: input })),
    /** `processing` while it runs (held up to `wait` seconds for a change), then `completed` or `failed`. */
    results: (requestId: string, o: WaitOptions = {}) =>
      body(http.request<SourcingResults>('GET', `/sourcing/${seg(requestId)}/results`, { ...o, query: { wait: o.wait } })),
    /** Starts an enrichment run over 1–10 profiles returned by sourcing runs. */
    enrich: (input: EnrichmentInput, o: CallOptions = {}) => body(http.request<EnrichmentAccepted>('POST', '/sourcing/enrich', { ...o, json: input })),
    enrichResults: (requestId: string, o: WaitOptions = {}) =>
      body(http.request<EnrichmentResults>('GET', `/sourcing/enrich/${seg(requestId)}/results`, { ...o, query: { wait: o.wait } })),
  };
}
