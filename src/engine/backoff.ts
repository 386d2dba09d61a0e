/**
 * Retry delays: exponential from `baseMs`, capped at `maxMs`, with jitter so that items that
 * failed together (a shared dependency down) do not all come back at the same moment.
 * The delay for attempt n (1-based) lies in [½·d, d] where d = min(maxMs, baseMs·2^(n-1)).
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
