/**
 * A view's reads can be answered out of order: a refresh sent while a job ran may land after the
 * one sent when it ended, and drawing it would bring back a finished job's Cancel button for good.
 * `newestOnly()` numbers a view's reads of one thing; only the newest one sent may draw.
 *
 *   const turn = newestOnly();
 *   const current = turn();            // when sending
 *   if (!current()) return;            // after each await, before drawing
 */
export function newestOnly(): () => () => boolean {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}
