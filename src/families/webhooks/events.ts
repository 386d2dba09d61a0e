/**
 * The webhook event types and who subscribes to one. A leaf module with no imports, so the
 * dashboard bundles the same list the server validates against.
 */

/** The webhook event types of `../shared/CONTRACTS.md`; `*` subscribes to all of them. */
export const EVENT_TYPES = [
  'SOURCING_COMPLETED',
  'SOURCING_FAILED',
  'ENRICH_COMPLETED',
  'ENRICH_FAILED',
  'idea.enrich.completed',
  'idea.enrich.failed',
  'clip.render.completed',
  'clip.render.failed',
  'agent.run.completed',
  'agent.run.failed',
] as const;

export const ALL_EVENTS = '*';

/** Whether an endpoint's `events` take an event type: `*` takes all of them. */
export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes(ALL_EVENTS) || events.includes(type);
}
