/**
 * Date arithmetic over work histories, in whole months.
 *
 * Rules: JSON Resume dates are `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. A start given as a year alone
 * counts from January, an end given as a year alone up to December. A position with no end date
 * is ongoing up to `asOf` (the sourcing run's creation time, so the same run always gives the
 * same figures). A start after `asOf` or after the end counts as nothing; a missing or unreadable
 * start makes the position's length unknown (it counts as nothing, never as a guess).
 * Overlapping positions are counted once.
 */

/** Months since year 0: 2024-03 → 2024 * 12 + 2. */
export type Month = number;

export function monthOf(date: Date): Month {
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/** The month a JSON Resume date names, or null; `end` reads a bare year as its December. */
export function parseResumeDate(value: string | undefined | null, end = false): Month | null {
  if (!value) return null;
  const match = /^(\d{4})(?:-(\d{2}))?(?:-\d{2})?/.exec(value.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const month = match[2] ? Number(match[2]) - 1 : end ? 11 : 0;
  if (month < 0 || month > 11) return null;
  return year * 12 + month;
}

export interface Span {
  /** First month, inclusive. */
  start: Month;
  /** Last month, inclusive. */
  end: Month;
  ongoing: boolean;
}

export function spanOf(startDate: string | undefined, endDate: string | undefined, asOf: Month): Span | null {
  const start = parseResumeDate(startDate);
  if (start === null || start > asOf) return null;
  const ended = parseResumeDate(endDate, true);
  const end = Math.min(ended ?? asOf, asOf);
  if (end < start) return null;
  return { start, end, ongoing: ended === null || ended >= asOf };
}

export function monthsIn(span: Span): number {
  return span.end - span.start + 1;
}

/** Total months covered by the spans, overlaps counted once. */
export function monthsCovered(spans: readonly Span[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let total = 0;
  let reach = -Infinity;
  for (const span of sorted) {
    const from = Math.max(span.start, reach + 1);
    if (span.end >= from) total += span.end - from + 1;
    reach = Math.max(reach, span.end);
  }
  return total;
}

/** Gaps between spans (and from the last one to `asOf`) longer than `minMonths`. */
export function gapsBetween(spans: readonly Span[], asOf: Month, minMonths: number): { from: Month; to: Month; months: number }[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const gaps: { from: Month; to: Month; months: number }[] = [];
  let reach: number | null = null;
  for (const span of sorted) {
    if (reach !== null && span.start - reach - 1 > minMonths) gaps.push({ from: reach + 1, to: span.start - 1, months: span.start - reach - 1 });
    reach = reach === null ? span.end : Math.max(reach, span.end);
  }
  if (reach !== null && asOf - reach > minMonths) gaps.push({ from: reach + 1, to: asOf, months: asOf - reach });
  return gaps;
}

/** "2 years", "1 year 3 months", "8 months", "1 month". */
export function describeMonths(months: number): string {
  const years = Math.floor(months / 12);
  const rest = months % 12;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (years === 0) return part(Math.max(rest, 1), 'month');
  return rest === 0 ? part(years, 'year') : `${part(years, 'year')} ${part(rest, 'month')}`;
}

/** "2023 - Present", "2019 - 2021", "2021" (as the seed's detailedExperience shows it). */
export function describeYears(startDate: string | undefined, endDate: string | undefined): string {
  const from = startDate?.slice(0, 4);
  const to = endDate ? endDate.slice(0, 4) : 'Present';
  if (!from) return endDate ? `Until ${to}` : 'Present';
  return from === to ? from : `${from} - ${to}`;
}

/** "2022-03" for a month number. */
export function formatMonth(month: Month): string {
  return `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
}
