/**
 * Follows a run until it ends: the job's event stream calls `onChange` (debounced, as events
 * come in bursts) and `onEnd` once the terminal event arrives. For the sourcing and enrichment
 * run views, whose results route answers "processing" until then.
 */
import { followJobEvents, isTerminalEvent } from '../jobEvents.ts';

export function watchRun(id: string, signal: AbortSignal, handlers: { onChange?(): void; onEnd(): void }): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer));
  void followJobEvents(
    id,
    (event) => {
      clearTimeout(timer);
      if (isTerminalEvent(event.type)) handlers.onEnd();
      else if (handlers.onChange) timer = setTimeout(handlers.onChange, 150);
    },
    signal,
  ).catch(() => undefined);
}
