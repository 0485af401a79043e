import type { JsonObject, JsonValue, BusEvent, EventFormat } from '../contract.js';

type Stored = JsonObject;

const str = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** The shape an existing stored event is in. */
export function formatOf(event: Stored): Exclude<EventFormat, 'auto'> {
  if (typeof event.event_type === 'string') return 'legacy-event-type';
  if (typeof event.event === 'string' && event.type === undefined) return 'legacy-event';
  return 'prevention';
}

/** The format new events get: the configured one, or for `auto` the shape of the newest event. */
export function resolveFormat(format: EventFormat, events: readonly JsonValue[]): Exclude<EventFormat, 'auto'> {
  if (format !== 'auto') return format;
  const last = events[events.length - 1];
  return last && typeof last === 'object' && !Array.isArray(last) ? formatOf(last) : 'prevention';
}

/**
 * The `seq` of each stored event. Events written here carry theirs; older events without one
 * get their position after the previous event (so a file from an earlier bus reads as 1..n).
 */
export function sequenceOf(events: readonly JsonValue[], start = 0): number[] {
  const seqs: number[] = [];
  let previous = start;
  for (const event of events) {
    const stored = event && typeof event === 'object' && !Array.isArray(event) ? event.seq : undefined;
    previous = typeof stored === 'number' && Number.isInteger(stored) && stored > previous ? stored : previous + 1;
    seqs.push(previous);
  }
  return seqs;
}

/** Reads any stored shape through one API: `event`/`event_type` → type, `data` → payload, ... */
export function toBusEvent(raw: JsonValue, seq: number): BusEvent {
  const event: Stored = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : { payload: raw };
  const correlationId = str(event.correlationId) ?? str(event.correlation_id);
  return {
    id: str(event.id) ?? str(event.event_id) ?? `seq-${seq}`,
    seq,
    type: str(event.type) ?? str(event.event_type) ?? str(event.event) ?? 'unknown',
    source: str(event.source) ?? str(event.source_agent) ?? 'unknown',
    timestamp: str(event.timestamp) ?? '',
    payload: event.payload !== undefined ? event.payload : (event.data ?? null),
    ...(correlationId !== undefined ? { correlationId } : {}),
  };
}

/** Local time without a zone, microsecond precision, as Python's `datetime.now().isoformat()` writes it. */
export function pythonLocalTimestamp(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}000`
  );
}

/** The stored form of a new event in `format`. */
export function toStored(event: BusEvent, format: Exclude<EventFormat, 'auto'>, now: Date): Stored {
  switch (format) {
    case 'legacy-event':
      return { timestamp: pythonLocalTimestamp(now), event: event.type, data: event.payload, id: event.id, seq: event.seq, source: event.source };
    case 'legacy-event-type':
      return {
        event_type: event.type,
        data: event.payload,
        source_agent: event.source,
        timestamp: pythonLocalTimestamp(now),
        event_id: event.id,
        correlation_id: event.correlationId ?? null,
        seq: event.seq,
      };
    default:
      return { ...event } as unknown as Stored;
  }
}
