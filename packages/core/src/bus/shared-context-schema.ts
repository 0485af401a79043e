/**
 * The JSON Schema of a shared context file: `{ "version": 1, "events": [...], ... }`. Events
 * published here are strict; events written by earlier buses (`event`/`data` or
 * `event_type`/`data`/`source_agent`) are accepted as they are. Other top-level keys are shared
 * state and allowed.
 */
export const sharedContextSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://prevention.dev/schemas/shared-context.json',
  title: 'prevention shared context',
  type: 'object',
  required: ['events'],
  properties: {
    version: { type: 'integer', minimum: 1 },
    events: { type: 'array', items: { $ref: '#/definitions/storedEvent' } },
    last_updated: { type: 'string' },
    total_events: { type: 'integer', minimum: 0 },
  },
  definitions: {
    event: {
      type: 'object',
      required: ['id', 'seq', 'type', 'source', 'timestamp', 'payload'],
      properties: {
        id: { type: 'string', minLength: 1 },
        seq: { type: 'integer', minimum: 1 },
        type: { type: 'string', minLength: 1 },
        source: { type: 'string', minLength: 1 },
        timestamp: { type: 'string', minLength: 1 },
        payload: {},
        correlationId: { type: 'string' },
      },
    },
    legacyEvent: { type: 'object', required: ['event', 'timestamp'], properties: { event: { type: 'string' }, timestamp: { type: 'string' } } },
    legacyEventType: { type: 'object', required: ['event_type'], properties: { event_type: { type: 'string' } } },
    storedEvent: {
      anyOf: [{ $ref: '#/definitions/event' }, { $ref: '#/definitions/legacyEvent' }, { $ref: '#/definitions/legacyEventType' }],
    },
  },
} as const;
