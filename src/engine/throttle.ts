/**
 * Throttles: at most `items` starts of a kind's items per `intervalMs`, per organisation, across
 * every process on one database. A kind declares a default (`JobKind.throttle`, or the
 * operator's `LONGRUN_THROTTLES`); an organisation's row in `throttle_limits` (`longrun throttle
 * set`) wins over it.
 *
 * The rule is GCRA without a burst: starts are spaced at least `intervalMs / items` apart, by
 * the database's clock, so any window of `intervalMs` holds at most `items` starts, whatever
 * its boundaries (a provider that counts per minute, per second or with a token bucket sees no
 * more). One number per organisation and kind (`throttle_slots.next_slot_ms`, the time the next
 * start may happen) says it all. Not guaranteed: `items` starts in every window. A start that
 * comes late (a claimer's wake-up, a busy worker) does not make up for it later, and a start
 * counts whether its item then succeeds, fails or is retried.
 *
 * Limits are read from the database at most once a second per process (`REFRESH_MS`): a change
 * made with the CLI applies everywhere within a second or so.
 */
import type { Db } from '../store/database.ts';
import { throttleLimitsList } from '../store/throttleLimits.ts';

export interface ThrottleLimit {
  /** Items started at most… */
  items: number;
  /** …per this many milliseconds. */
  intervalMs: number;
}

const REFRESH_MS = 1000;

/** Fails loudly with `name` for a limit that is not two positive whole numbers. */
export function throttleLimitCheck(name: string, limit: ThrottleLimit): ThrottleLimit {
  if (!Number.isInteger(limit.items) || limit.items < 1 || !Number.isInteger(limit.intervalMs) || limit.intervalMs < 1) {
    throw new Error(`${name} must be a positive whole number of items per a positive whole number of milliseconds, got ${JSON.stringify(limit)}`);
  }
  return limit;
}

/** The least time between two starts under `limit`. */
export function throttleSpacingMs(limit: ThrottleLimit): number {
  return limit.intervalMs / limit.items;
}

/** Whether a start may happen at `nowMs` when the next slot is `nextSlotMs`. */
export function throttleOpen(nextSlotMs: number, nowMs: number): boolean {
  return nextSlotMs <= nowMs;
}

/** The next slot after `starts` starts at `nowMs` (at most one at a time: there is no burst). */
export function throttleAdvance(limit: ThrottleLimit, nextSlotMs: number, nowMs: number, starts: number): number {
  return Math.max(nextSlotMs, nowMs) + starts * throttleSpacingMs(limit);
}

/** `orgId` and `kind` as one map key. */
export const throttleKey = (orgId: string, kind: string): string => `${orgId}\n${kind}`;

/**
 * The limits in force in this process: the kinds' defaults, and the organisations' own rows,
 * read again when more than `REFRESH_MS` old.
 */
export class ThrottleLimits {
  private readonly defaults = new Map<string, ThrottleLimit>();
  private byOrg = new Map<string, Map<string, ThrottleLimit>>();
  private readAt = -Infinity;

  /** A kind's default (a later call for the same kind wins: the operator's setting over the kind's own). */
  setDefault(kind: string, limit: ThrottleLimit): void {
    this.defaults.set(kind, throttleLimitCheck(`the throttle of kind ${kind}`, limit));
  }

  /** Reads the organisations' rows again if they are more than a second old (`db`: the caller's transaction, if any). */
  async refresh(db: Db): Promise<void> {
    if (performance.now() - this.readAt < REFRESH_MS) return;
    const rows = await throttleLimitsList(db);
    const byOrg = new Map<string, Map<string, ThrottleLimit>>();
    for (const row of rows) {
      const kinds = byOrg.get(row.org_id) ?? new Map<string, ThrottleLimit>();
      kinds.set(row.kind, { items: row.items, intervalMs: row.interval_ms });
      byOrg.set(row.org_id, kinds);
    }
    this.byOrg = byOrg;
    this.readAt = performance.now();
  }

  /**
   * Whether any limit applies at all, the organisations' rows read again first if stale
   * (`refresh`): without one, claims and starts touch no throttle row.
   */
  async any(db: Db): Promise<boolean> {
    await this.refresh(db);
    return this.defaults.size > 0 || this.byOrg.size > 0;
  }

  limitFor(orgId: string, kind: string): ThrottleLimit | undefined {
    return this.byOrg.get(orgId)?.get(kind) ?? this.defaults.get(kind);
  }

  /** The kinds limited for `orgId`, with their limits. */
  limitedFor(orgId: string): Map<string, ThrottleLimit> {
    const own = this.byOrg.get(orgId);
    if (!own) return this.defaults;
    return new Map([...this.defaults, ...own]);
  }
}
