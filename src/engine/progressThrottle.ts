/**
 * Throttles a processor's progress reports before they reach the database.
 *
 * Guarantees: a report is written at most every half second, except that each new 10 % step
 * is written at once and marked as a step (it becomes a `job.progress` event); fractions are
 * clamped to 0…1 and rounded to 0.001. The caller's `write` must not block the processor.
 * Not guaranteed: the last report is written (one within half a second of the previous one,
 * in the same step, is dropped; the item's checkpoint comes soon after anyway).
 */
export type ProgressWrite = (fraction: number, stepEvent: boolean, at: string) => void;

/** A `reportProgress` for one job's processor, writing through `write`. */
export function progressThrottle(write: ProgressWrite): (fraction: number) => void {
  let lastAt = 0;
  let lastStep = -1;
  return (raw) => {
    const fraction = Math.min(1, Math.max(0, raw));
    const step = Math.floor(fraction * 10);
    const now = Date.now();
    if (step === lastStep && now - lastAt < 500) return;
    const stepEvent = step > lastStep;
    lastAt = now;
    lastStep = Math.max(lastStep, step);
    write(Math.round(fraction * 1000) / 1000, stepEvent, new Date(now).toISOString());
  };
}
