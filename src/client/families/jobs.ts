/**
 * The generic job routes over every kind: list, status (with `?wait=`), items, cancel. The
 * event stream and `waitFor` build on these (events.ts, waitFor.ts).
 */
import { type CallOptions, seg, type Http, type SignalOption } from '../http.ts';
import type {
  BulkBody,
  BulkResults,
  RerunAccepted,
  RerunBody,
  Failures,
  FailuresQuery,
  ItemsPage,
  Job,
  JobItem,
  JobsPage,
  JobsQuery,
  JobStats,
  JobStatsQuery,
  PageQuery,
} from '../types.ts';

/** The server's largest page. */
const PAGE = 100;

export function jobMethods(http: Http) {
  const items = (id: string, query: PageQuery = {}, o: SignalOption = {}) => http.data<ItemsPage>('GET', `/jobs/${seg(id)}/items`, { ...o, query });
  return {
    /** The organisation's jobs, newest first; bookkeeping kinds (webhook, clip analysis, ingestion) only when asked for by `kind`. */
    list: (query: JobsQuery = {}, o: SignalOption = {}) => http.data<JobsPage>('GET', '/jobs', { ...o, query }),
    /** A job as it is now, or — with `wait` (≤ 30 s) — as soon as its status changes. */
    get: (id: string, o: SignalOption & { wait?: number } = {}) => http.data<Job>('GET', `/jobs/${seg(id)}`, { ...o, query: { wait: o.wait } }),
    items,
    /** Every item of a job, page by page. */
    async allItems(id: string, o: SignalOption = {}): Promise<JobItem[]> {
      const all: JobItem[] = [];
      for (;;) {
        const page = await items(id, { limit: PAGE, offset: all.length }, o);
        all.push(...page.items);
        if (page.items.length === 0 || all.length >= page.total) return all;
      }
    },
    /** `GET /stats/jobs`: queued and running now, and what ended in the last `hour` (default) or `day`, in buckets. */
    stats: (query: JobStatsQuery = {}, o: SignalOption = {}) => http.data<JobStats>('GET', '/stats/jobs', { ...o, query }),
    /** Failed items and jobs since an instant, counted per kind and error code. */
    failures: (query: FailuresQuery, o: SignalOption = {}) => http.data<Failures>('GET', '/jobs/failures', { ...o, query }),
    /** Cancels a queued or running job (409 `conflict` once it has ended). */
    cancel: (id: string, o: SignalOption = {}) => http.data<Job>('POST', `/jobs/${seg(id)}/cancel`, o),
    /**
     * Runs a finished job's failed and canceled items (or those of `keys`) again as a new job,
     * charging only for those: its ID is `jobId` (for an enrichment run, its results show every profile).
     */
    rerun: (id: string, body: RerunBody = {}, o: CallOptions = {}) => http.data<RerunAccepted>('POST', `/jobs/${seg(id)}/rerun`, { ...o, json: body }),
    /** Reruns jobs by `ids`, or the jobs of a `kind` with items that did not succeed and no rerun yet. */
    rerunMany: (body: BulkBody, o: CallOptions = {}) => http.data<BulkResults>('POST', '/jobs/rerun', { ...o, json: body }),
    /** Cancels jobs by `ids`, or the open jobs of a `kind`; `results` says per job what happened. */
    cancelMany: (body: BulkBody, o: SignalOption = {}) => http.data<BulkResults>('POST', '/jobs/cancel', { ...o, json: body }),
  };
}
