/**
 * The generic job routes over every kind: list, status (with `?wait=`), items, cancel. The
 * event stream and `waitFor` build on these (events.ts, waitFor.ts).
 */
import { seg, type Http, type SignalOption } from '../http.ts';
import type { ItemsPage, Job, JobItem, JobsPage, JobsQuery, JobStats, JobStatsQuery, PageQuery } from '../types.ts';

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
    /** Cancels a queued or running job (409 `conflict` once it has ended). */
    cancel: (id: string, o: SignalOption = {}) => http.data<Job>('POST', `/jobs/${seg(id)}/cancel`, o),
  };
}
