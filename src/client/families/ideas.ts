/** Idea drafts: `POST /ideas/enrich`, its status (the drafts as one text) and its structured drafts. */
import { seg, type CallOptions, type Http, type SignalOption } from '../http.ts';
import type { IdeaDrafts, IdeaEnrichAccepted, IdeaEnrichInput, IdeaEnrichJob } from '../types.ts';

type WaitOptions = SignalOption & { wait?: number };

export function ideaMethods(http: Http) {
  return {
    /** Writes drafts of an idea for 1–5 platforms; the `jobId` works with `waitFor` and `streamEvents`. */
    enrich: (input: IdeaEnrichInput, o: CallOptions = {}) => http.data<IdeaEnrichAccepted>('POST', '/ideas/enrich', { ...o, json: input }),
    get: (jobId: string, o: WaitOptions = {}) => http.data<IdeaEnrichJob>('GET', `/ideas/enrich/${seg(jobId)}`, { ...o, query: { wait: o.wait } }),
    drafts: (jobId: string, o: WaitOptions = {}) => http.data<IdeaDrafts>('GET', `/ideas/enrich/${seg(jobId)}/drafts`, { ...o, query: { wait: o.wait } }),
  };
}
