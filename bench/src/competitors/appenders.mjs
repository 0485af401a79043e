import { toStored } from '../events.mjs';

/**
 * How a prevention competitor appends, on whatever store its engine has: `update` (an append in
 * `engine.update()`, the generic read-change-write path), `bus` (`bus.publish`, the append path),
 * or `mixed` (the two alternating, as agents that both edit shared state and publish events do).
 */
export function appender(engine, file, how) {
  const update = (input) =>
    engine.update(file, (doc) => {
      doc.events.push(toStored(input, (doc.events.at(-1)?.seq ?? 0) + 1));
    });
  if (how === 'update') return update;
  const bus = engine.bus(file);
  if (how === 'bus') return (input) => bus.publish(input);
  let turn = 0;
  return (input) => (turn++ % 2 === 0 ? update(input) : bus.publish(input));
}

/** What every prevention competitor is: safe across processes, appending to a JSON document. */
export function preventionEntry({ id, name, note }) {
  return { id, name, note, safeAcrossProcesses: true, extension: 'json' };
}
