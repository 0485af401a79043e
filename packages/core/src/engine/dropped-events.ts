import type { JsonValue } from '../contract.js';

/** How many ids {@link droppedEvents} lists at most. */
const LISTED = 20;

function eventsOf(document: JsonValue | undefined): JsonValue[] {
  const events = document !== null && typeof document === 'object' && !Array.isArray(document) ? document.events : undefined;
  return Array.isArray(events) ? events : [];
}

/** An event's identity: its id in any known shape, else its whole content. */
function identity(event: JsonValue): string {
  if (event !== null && typeof event === 'object' && !Array.isArray(event)) {
    const id = event.id ?? event.event_id;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return JSON.stringify(event);
}

/**
 * The events of `previous` (a committed version) that `next` no longer has, by id (`id` or the
 * older buses' `event_id`) or, for events without one, by content: what adopting `next` drops.
 */
export function droppedEvents(previous: JsonValue | undefined, next: JsonValue): { count: number; ids: string[] } {
  const kept = new Set(eventsOf(next).map(identity));
  const dropped = eventsOf(previous)
    .map(identity)
    .filter((id) => !kept.has(id));
  return { count: dropped.length, ids: dropped.slice(0, LISTED) };
}
