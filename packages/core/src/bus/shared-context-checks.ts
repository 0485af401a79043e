import type { JsonValue, SchemaCheck } from '../contract.js';
import type { ValidationIssue } from '../errors.js';
import { isPlainObject } from '../json/json-value.js';

/**
 * The checks of {@link sharedContextSchema} the bus runs on every publish (the envelope, and
 * each new stored event), written out. They are the schema's rules and nothing else —
 * `shared-context-checks.test.ts` holds them to ajv's verdict on the schema itself for generated
 * documents — but loading and compiling ajv was most of a process's first publish, paid again by
 * every process that takes over committing for others.
 */

type Rule = (value: JsonValue, at: string) => ValidationIssue[];

const required =
  (...names: string[]): Rule =>
  (value, at) =>
    names.filter((name) => !Object.hasOwn(value as object, name)).map((name) => ({ path: at, message: `must have required property '${name}'` }));

const string =
  (minLength = 0): Rule =>
  (value, at) => {
    if (typeof value !== 'string') return [{ path: at, message: 'must be string' }];
    // JSON Schema counts code points; a non-empty string has at least one.
    return minLength > 0 && value.length === 0 ? [{ path: at, message: `must NOT have fewer than ${minLength} characters` }] : [];
  };

const integer =
  (minimum: number): Rule =>
  (value, at) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return [{ path: at, message: 'must be integer' }];
    return value < minimum ? [{ path: at, message: `must be >= ${minimum}` }] : [];
  };

/** An object with `required` keys and rules for the properties present. */
function object(requiredKeys: string[], properties: Record<string, Rule>): Rule {
  const hasAll = required(...requiredKeys);
  return (value, at) => {
    if (!isPlainObject(value)) return [{ path: at, message: 'must be object' }];
    const issues = hasAll(value, at);
    for (const [key, rule] of Object.entries(properties)) {
      if (Object.hasOwn(value, key)) issues.push(...rule(value[key]!, `${at}/${key}`));
    }
    return issues;
  };
}

const anything: Rule = () => [];

const event = object(['id', 'seq', 'type', 'source', 'timestamp', 'payload'], {
  id: string(1),
  seq: integer(1),
  type: string(1),
  source: string(1),
  timestamp: string(1),
  payload: anything,
  correlationId: string(),
});
const legacyEvent = object(['event', 'timestamp'], { event: string(), timestamp: string() });
const legacyEventType = object(['event_type'], { event_type: string() });

/** `storedEvent`: any of the three shapes; when none fits, every shape's complaints. */
const storedEvent: Rule = (value, at) => {
  const complaints: ValidationIssue[] = [];
  for (const shape of [event, legacyEvent, legacyEventType]) {
    const issues = shape(value, at);
    if (issues.length === 0) return [];
    complaints.push(...issues);
  }
  return [...complaints, { path: at, message: 'must match a schema in anyOf' }];
};

const envelope = object(['events'], {
  version: integer(1),
  events: (value, at) => (Array.isArray(value) ? [] : [{ path: at, message: 'must be array' }]),
  last_updated: string(),
  total_events: integer(0),
});

/** The document's envelope: everything but the items of `events`. */
export const checkEnvelope: SchemaCheck = (document) => envelope(document, '');

/** One stored event, as it sits in the file (issues are located from the event itself). */
export const checkStoredEvent: SchemaCheck = (stored) => storedEvent(stored, '');
