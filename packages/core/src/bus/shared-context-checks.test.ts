import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../contract.js';
import { SchemaValidator } from '../json/schema-validator.js';
import { checkEnvelope, checkStoredEvent } from './shared-context-checks.js';
import { sharedContextSchema } from './shared-context-schema.js';

// ajv's verdict on the shipped schema is the reference the written-out checks must agree with.
const { $id: _id, properties, ...schema } = sharedContextSchema;
const validator = new SchemaValidator();
const ajvEnvelope = validator.compile({ ...schema, properties: { ...properties, events: { type: 'array' } } });
const ajvEvent = validator.compile({ definitions: schema.definitions, ...schema.definitions.storedEvent });

/** Values that sit near the schema's edges: the right type or not, empty or not, in range or not. */
const edgy = fc.oneof(
  fc.constantFrom<JsonValue>('', 'x', 0, 1, -1, 1.5, 2 ** 53, true, false, null, [], {}, '2026-12-01T00:00:00.000Z'),
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const maybe = <T,>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

function withKeys(keys: Record<string, JsonValue | undefined>): JsonValue {
  return Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) as JsonValue;
}

const storedEvent = fc.oneof(
  fc.record({ id: maybe(edgy), seq: maybe(edgy), type: maybe(edgy), source: maybe(edgy), timestamp: maybe(edgy), payload: maybe(edgy), correlationId: maybe(edgy) }).map(withKeys),
  fc.record({ event: maybe(edgy), timestamp: maybe(edgy), data: maybe(edgy) }).map(withKeys),
  fc.record({ event_type: maybe(edgy), data: maybe(edgy), source_agent: maybe(edgy) }).map(withKeys),
  edgy,
);
const envelope = fc.oneof(
  fc.record({ events: maybe(fc.oneof(fc.constant<JsonValue>([]), edgy)), version: maybe(edgy), last_updated: maybe(edgy), total_events: maybe(edgy), other: maybe(edgy) }).map(withKeys),
  edgy,
);

describe('the shared context checks, written out', () => {
  it('judge every generated stored event as ajv judges it against the shipped schema', () => {
    fc.assert(
      fc.property(storedEvent, (value) => {
        expect(checkStoredEvent(value).length === 0).toBe(ajvEvent(value).length === 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('judge every generated envelope as ajv judges it against the shipped schema', () => {
    fc.assert(
      fc.property(envelope, (value) => {
        expect(checkEnvelope(value).length === 0).toBe(ajvEnvelope(value).length === 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('locate and word their complaints as ajv does', () => {
    expect(checkStoredEvent({ note: 'from an old script' })).toContainEqual({ path: '', message: "must have required property 'id'" });
    expect(checkStoredEvent({ id: 'a', seq: 0, type: 't', source: 's', timestamp: 'now', payload: null })).toContainEqual({ path: '/seq', message: 'must be >= 1' });
    expect(checkEnvelope({ version: 1.5, events: [] })).toEqual([{ path: '/version', message: 'must be integer' }]);
    expect(checkEnvelope([])).toEqual([{ path: '', message: 'must be object' }]);
  });
});
