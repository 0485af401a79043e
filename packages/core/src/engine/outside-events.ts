import { isDeepStrictEqual } from 'node:util';
import type { JsonValue } from '../contract.js';

/**
 * What an outside version did to the events of the last commit prevention made: the events it
 * dropped, and whether it did nothing but append.
 */

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

/** Top-level keys an older bus rewrites on every append, besides its events. */
const BUS_BOOKKEEPING = new Set(['last_updated', 'total_events']);

const isObject = (value: JsonValue | undefined): value is { [key: string]: JsonValue } => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * True when `next` is `previous` with events appended and nothing else changed: every event of
 * `previous` unchanged and in its place, at least one more after them, and every other top-level
 * key the same (but an older bus's `last_updated` and `total_events`). What an agent on an older
 * bus does to a shared context.
 */
export function appendsOnly(previous: JsonValue | undefined, next: JsonValue): boolean {
  if (!isObject(previous) || !isObject(next) || !Array.isArray(previous.events) || !Array.isArray(next.events)) return false;
  const before = previous.events;
  const after = next.events;
  if (after.length <= before.length) return false;
  for (let i = 0; i < before.length; i++) if (!isDeepStrictEqual(before[i], after[i])) return false;
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)]);
  for (const key of keys) {
    if (key === 'events' || BUS_BOOKKEEPING.has(key)) continue;
    if (!isDeepStrictEqual(previous[key], next[key])) return false;
  }
  return true;
}
