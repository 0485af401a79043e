import type { JsonValue } from '../json/json-value.js';

/** An event as the bus returns it, whatever shape it is stored in. */
export interface BusEvent<P extends JsonValue = JsonValue> {
  /** Unique id (UUIDv7 for events published here; the stored id of older events). */
  id: string;
  /** Position in the file's history, strictly increasing across all processes. */
  seq: number;
  type: string;
  source: string;
  /** ISO 8601 (events written by older buses may carry local time without a zone). */
  timestamp: string;
  payload: P;
  correlationId?: string;
}

/** What `publish` takes. */
export interface PublishInput<P = unknown> {
  type: string;
  source: string;
  payload?: P;
  correlationId?: string;
}

/**
 * How new events are written. `prevention`: `{ id, seq, type, source, timestamp, payload }`.
 * `legacy-event`: `{ timestamp, event, data }` (local time, no zone) for agents that read the
 * first Python bus's shape. `legacy-event-type`: `{ event_type, data, source_agent, timestamp,
 * event_id, correlation_id }` with top-level `last_updated` and `total_events`. Legacy shapes
 * also carry `seq` (and `id`, `source` where the shape lacks them), which their readers ignore.
 * `auto` (the default) keeps the shape of the file's newest event, `prevention` for a new file.
 */
export type EventFormat = 'auto' | 'prevention' | 'legacy-event' | 'legacy-event-type';

/** Filters for `events()`. */
export interface EventQuery {
  /** Only events with a greater `seq`; default 0 (all, including the archive). */
  since?: number;
  type?: string | string[];
  source?: string | string[];
  /** At most this many (the oldest first). */
  limit?: number;
}
