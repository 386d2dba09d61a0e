/**
 * `longrun/client`: a typed client for a longrun server. Every route's body, query and answer
 * is typed from the TypeBox schemas the server validates with (see types.ts: types only, from
 * the schema modules, so nothing of the server is loaded or type-checked). Failed calls throw
 * `LongrunError` with the status, code and message of either family's envelope. It needs only
 * `fetch`, so it runs in Node 20 and in browsers; checking webhook signatures needs Node, and
 * lives in longrun/client/webhooks (webhooks.ts).
 *
 *   const client = createClient({ url: 'http://127.0.0.1:8080', apiKey: process.env.LONGRUN_API_KEY });
 *   const { requestId } = await client.sourcing.start({ title, jobDescription, location, limit: 10 });
 *   for await (const event of client.streamEvents(requestId)) console.log(event.seq, event.type);
 *   const job = await client.waitFor(requestId);
 */
import { streamEvents, type StreamEventsOptions } from './events.ts';
import { accountMethods } from './families/account.ts';
import { agentMethods } from './families/agents.ts';
import { clipMethods } from './families/clips.ts';
import { demoMethods } from './families/demo.ts';
import { ideaMethods } from './families/ideas.ts';
import { jobMethods } from './families/jobs.ts';
import { kbMethods } from './families/kbs.ts';
import { keyMethods } from './families/keys.ts';
import { profileMethods, sourcingMethods } from './families/sourcing.ts';
import { webhookMethods } from './families/webhooks.ts';
import { workerMethods } from './families/workers.ts';
import { Http, type Answer, type ClientOptions, type RequestOptions } from './http.ts';
import type { Job, JobEvent } from './types.ts';
import { waitFor, type WaitForOptions } from './waitFor.ts';

export class LongrunClient {
  private readonly http: Http;
  /** `/me`, `/credits`, `/credits/ledger`. */
  readonly account;
  /** `/jobs`: every kind's jobs. */
  readonly jobs;
  /** `/profiles`: the talent pool. */
  readonly profiles;
  /** `/sourcing` and `/sourcing/enrich`: runs and their results. */
  readonly sourcing;
  readonly clips;
  readonly kbs;
  readonly ideas;
  readonly agents;
  /** Webhook endpoints and their deliveries (to check a delivery you received: `verifyWebhook` of longrun/client/webhooks). */
  readonly webhooks;
  /** The demonstration kind, on servers started with LONGRUN_DEMO_KINDS=1. */
  readonly demo;
  /** `/workers`: the server's processes alive (an operator's `workers:read` key). */
  readonly workers;
  /** `/keys`: the organisation's API keys (a `keys:write` key). */
  readonly keys;

  constructor(options: ClientOptions) {
    this.http = new Http(options);
    this.account = accountMethods(this.http);
    this.jobs = jobMethods(this.http);
    this.profiles = profileMethods(this.http);
    this.sourcing = sourcingMethods(this.http);
    this.clips = clipMethods(this.http);
    this.kbs = kbMethods(this.http);
    this.ideas = ideaMethods(this.http);
    this.agents = agentMethods(this.http);
    this.webhooks = webhookMethods(this.http);
    this.demo = demoMethods(this.http);
    this.workers = workerMethods(this.http);
    this.keys = keyMethods(this.http);
  }

  /** The server's base URL, without a trailing slash. */
  get url(): string {
    return this.http.baseUrl;
  }

  /** Any route, for what the named methods do not cover: the answer of a 2xx, or a LongrunError. */
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<Answer<T>> {
    return this.http.request<T>(method, path, opts);
  }

  /** The job once it has finished, by long-polling `GET /jobs/{id}?wait=`. */
  waitFor(jobId: string, opts?: WaitForOptions): Promise<Job> {
    return waitFor(this.jobs.get, jobId, opts);
  }

  /** The job's events as they happen (Server-Sent Events), ending after its terminal event. */
  streamEvents(jobId: string, opts?: StreamEventsOptions): AsyncGenerator<JobEvent, void, undefined> {
    return streamEvents(this.http, jobId, opts);
  }
}

export function createClient(options: ClientOptions): LongrunClient {
  return new LongrunClient(options);
}

export { LongrunError, type ApiErrorCode, type ClientErrorCode } from './errors.ts';
export { isFinished, type WaitForOptions } from './waitFor.ts';
export type { StreamEventsOptions } from './events.ts';
export type { Answer, CallOptions, ClientOptions, RequestOptions, SignalOption } from './http.ts';
export type { Bytes } from './bytes.ts';
export type { DocumentType } from './families/kbs.ts';
export type * from './types.ts';
