/** Whether an endpoint's `events` take an event type: `*` takes all of them (EVENT_TYPES in schemas.ts). */
import { ALL_EVENTS } from './schemas.ts';

export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes(ALL_EVENTS) || events.includes(type);
}
