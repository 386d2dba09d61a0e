/**
 * A read shared by everyone who asks within `ttlMs`: many scrapers (and several gauges of one
 * scrape) cost one query. A read under way is shared too; a failed one is not kept.
 */
export function cachedRead<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = Date.now();
    if (last && now - last.at < ttlMs) return last.value;
    const value = read();
    const entry = { at: now, value };
    last = entry;
    // A failure is told to the scrapers waiting on it, then forgotten: the next scrape reads again.
    value.catch(() => {
      if (last === entry) last = null;
    });
    return value;
  };
}
