/**
 * A job kind: what a product family plugs into the engine. It declares its items, how to
 * process one, what one costs, and how a finished job's outcome is summed up. Everything else —
 * storage, claiming, leases, retries, cancellation, credits, events — is the engine's.
 */
import type { TSchema } from '@sinclair/typebox';
import type { PRODUCT_SCOPES, Scope } from '../scopes.ts';
import { newId } from '../ids.ts';
import type { Db } from '../store/database.ts';
import type { ThrottleLimit } from './throttle.ts';

export interface ItemSpec {
  /** Unique within the job, e.g. a profile ID. */
  key: string;
  input?: unknown;
}

export interface ProcessContext<Input> {
  jobId: string;
  orgId: string;
  /** When the job was submitted: a fixed "now" for work that must give the same answer on a retry. */
  createdAt: string;
  input: Input;
  item: { key: string; input: unknown; attempt: number };
  /** Aborted on cancellation, lease loss, shutdown, or when the time budget runs out. */
  signal: AbortSignal;
  /** How far this item has come, 0…1; cheap to call often (the engine throttles the writes). */
  reportProgress(fraction: number): void;
}

export interface FinishedItem {
  key: string;
  status: 'succeeded' | 'failed';
  result: unknown;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface JobOutcome {
  status: 'completed' | 'failed';
  output?: unknown;
  errorCode?: string;
  errorMessage?: string;
}

/** What one item costs when its price depends on the input and the result (e.g. per candidate found). */
export interface ItemPricing<Input> {
  /** The most one item can cost; reserved for every item at submission. */
  maxPerItem(input: Input): number;
  /** What a succeeded item actually costs; capped at `maxPerItem`. */
  forResult(result: unknown, input: Input): number;
}

/** Context for `commitResult`: the job and the item that just succeeded. */
export interface CommitContext<Input> {
  jobId: string;
  orgId: string;
  input: Input;
  key: string;
  result: unknown;
  /** When the job was submitted. */
  createdAt: string;
}

/** A product family, the part of its scopes before `:read`/`:write` (`enrich`, `clips`, …). */
export type ScopeFamily = (typeof PRODUCT_SCOPES)[number] extends `${infer Family}:${string}` ? Family : never;

/**
 * Whose scopes open a kind's jobs on the generic job routes: a family (`<family>:read` to see a
 * job, its items and events, `<family>:write` to cancel it), or any product scope for the
 * demonstration kind, which belongs to no family.
 */
export type KindScope = ScopeFamily | 'any-product-scope';

export interface JobKind<Input = unknown> {
  name: string;
  /**
   * The scopes its jobs need on `/jobs/*` and in `GET /jobs`. Declared here, with the kind, so
   * no table elsewhere can drift from the kinds; a kind without one is shown to no key, and the
   * job routes refuse to start beside it (routes/jobs.ts).
   */
  scope?: KindScope;
  /** Schema of the submitted input, also used for the routes that submit it. */
  inputSchema?: TSchema;
  /** A new job ID in this kind's shape (e.g. `enr_<uuid>`). */
  newJobId(): string;
  /** The items of a job; a kind without items is one unit of work (one item, key `job`). */
  items?(input: Input): ItemSpec[];
  process(ctx: ProcessContext<Input>): Promise<unknown>;
  /** Credits charged for one succeeded item (reserved for every item at submission). */
  creditsPerItem: number;
  /** Overrides `creditsPerItem` for kinds whose price depends on the work done. */
  pricing?: ItemPricing<Input>;
  /**
   * Writes the kind's own rows for a succeeded item, inside the transaction that records the
   * item's result: they commit together or not at all. A throw here is a fault of the kind.
   */
  commitResult?(trx: Db, ctx: CommitContext<Input>): Promise<void>;
  /** The message a job of this kind fails with when the kind itself faults (code INTERNAL_ERROR). */
  faultMessage?: string;
  maxAttempts: number;
  /** Per-item time budget; an overrun is a retryable TIMEOUT. */
  itemTimeoutMs: number;
  /** First retry delay; later ones double. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Overrides the doubling backoff: the delay before attempt `attempt + 1`, jitter included. */
  retryDelayMs?(attempt: number): number;
  /**
   * The webhook event types a finished job of this kind is announced as (e.g. ENRICH_COMPLETED
   * and ENRICH_FAILED; a canceled job counts as failed), and where its results are read.
   */
  webhooks?: {
    completed: string;
    failed: string;
    resultsPath?(jobId: string, input: Input): string;
    /** Fields added to the event's `data` (e.g. the agent a run belongs to). */
    describe?(input: Input): Record<string, unknown>;
  };
  /**
   * Its failed and canceled items may run again as a new job (`POST /jobs/{id}/rerun`). Only
   * for kinds whose items need nothing but the job's input and their own: a kind that keeps rows
   * of its own per job (a render, an agent's run) would find none for the new job.
   */
  rerunnable?: boolean;
  /**
   * At most `items` of its items started per `intervalMs`, per organisation, across every process
   * (throttle.ts): to stay under a provider's rate limit. The operator's `LONGRUN_THROTTLES` and an
   * organisation's own limit (`longrun throttle set`) win over it.
   */
  throttle?: ThrottleLimit;
  /** Bookkeeping work of the server itself (webhook deliveries): left out of `GET /jobs`. */
  internal?: boolean;
  /** Sums up a job whose items are all finished; by default it completes with no output. */
  finish?(input: Input, items: FinishedItem[]): JobOutcome;
}

type KindOptions<Input> = Pick<JobKind<Input>, 'name' | 'process'> & Partial<Omit<JobKind<Input>, 'name' | 'process'>>;

export function defineKind<Input>(options: KindOptions<Input>): JobKind<Input> {
  return {
    newJobId: () => newId('job'),
    creditsPerItem: 0,
    maxAttempts: 3,
    itemTimeoutMs: 30_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 5 * 60_000,
    ...options,
  };
}

/** The scope a key needs to `read` (status, items, events, lists) or `write` (cancel) a job of `kind`; null: none opens it. */
export function kindScopeFor(kind: Pick<JobKind, 'scope'> | undefined, access: 'read' | 'write'): Scope | 'any-product-scope' | null {
  if (!kind?.scope) return null;
  return kind.scope === 'any-product-scope' ? kind.scope : `${kind.scope}:${access}`;
}

/** The single item of a kind that declares none. */
export const WHOLE_JOB_ITEM: ItemSpec = { key: 'job' };
