/** How times, durations and sizes read on the page. */

/**
 * A time in the browser's locale and time zone; the exact instant (ISO 8601, UTC) is its
 * `datetime` for machines and its `title` for a pointer's hover.
 */
export function when(iso: string | null | undefined): HTMLTimeElement | string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const el = document.createElement('time');
  el.dateTime = date.toISOString();
  el.title = date.toISOString();
  el.textContent = date.toLocaleString();
  return el;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function between(start: string | null, end: string | null): string {
  if (!start || !end) return '—';
  return duration(new Date(end).getTime() - new Date(start).getTime());
}

/** 83_500 ms → "01:23" (clip positions). */
export function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function bytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
