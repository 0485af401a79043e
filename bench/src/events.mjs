import { randomUUID } from 'node:crypto';

/**
 * The events every competitor appends: the same shape and size the message bus stores
 * (`id`, `seq`, `type`, `source`, `timestamp`, `payload`), about 300 bytes indented.
 */

const TYPES = ['component_build_requested', 'review_completed', 'task_assigned', 'test_run_finished'];

/** What a caller publishes: the bus adds id, seq and timestamp itself. */
export function publishInput(n, source = 'bench') {
  return {
    type: TYPES[n % TYPES.length],
    source,
    payload: { task: `task-${n}`, files: ['src/index.ts', 'src/engine.ts'], attempt: n % 3, note: 'rebuild after the schema change in the shared context' },
  };
}

/** A shared context document with `count` events, serialized as every JSON competitor writes it. */
export function seedBytes(count) {
  const events = new Array(count);
  for (let i = 0; i < count; i++) events[i] = toStored(publishInput(i + 1, 'seed'), i + 1);
  return Buffer.from(`${JSON.stringify({ version: 1, events }, null, 2)}\n`);
}

/** The stored form of a published input, as the JSON-file competitors append it after `seq`. */
export function toStored(input, seq) {
  return { id: randomUUID(), seq, ...input, timestamp: new Date().toISOString() };
}
