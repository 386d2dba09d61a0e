/**
 * The queue gauges' cache (src/app/metrics/cachedRead.ts): many scrapers at once cost one read,
 * a read is reused for its time to live and made again after it, and a failed read is not kept.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedRead } from '../../src/app/metrics/cachedRead.ts';

afterEach(() => vi.useRealTimers());

/** A read that resolves when told, counting how often it was made. */
function gatedRead() {
  const calls: { resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  const read = () => new Promise<number>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, read };
}

describe('cachedRead', () => {
  it('makes one read for ten callers at once, and reuses it until its time to live runs out', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { calls, read } = gatedRead();
    const cached = cachedRead(3_000, read);
    const waiting = Array.from({ length: 10 }, () => cached());
    expect(calls).toHaveLength(1);
    calls[0]!.resolve(7);
    expect(await Promise.all(waiting)).toEqual(Array(10).fill(7));

    vi.advanceTimersByTime(2_999);
    expect(await cached()).toBe(7);
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const fresh = cached();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(8);
    expect(await fresh).toBe(8);
  });

  it('tells a failure to those waiting on it, then reads again', async () => {
    const { calls, read } = gatedRead();
    const cached = cachedRead(60_000, read);
    const waiting = [cached(), cached()];
    calls[0]!.reject(new Error('database away'));
    for (const answer of waiting) await expect(answer).rejects.toThrow('database away');
    const again = cached();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(1);
    expect(await again).toBe(1);
  });
});
