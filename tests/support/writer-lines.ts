import type { Worker } from './processes.js';

/** What a set of `torture-writer.mjs` processes reported on stdout. */
export interface WriterOutcome {
  /** Ids whose append resolved. */
  acknowledged: string[];
  /** For each writer, the highest n whose updater ran: no higher id can be in the file. */
  attempted: Map<string, number>;
  /** Appends that failed with a typed error, as `id CODE`. */
  refused: string[];
}

const ACK = /^[\w-]+:\d+$/;

/** Reads the lines of `torture-writer.mjs` processes (see the fixture for their format). */
export function writerOutcome(workers: Iterable<Worker>): WriterOutcome {
  const outcome: WriterOutcome = { acknowledged: [], attempted: new Map(), refused: [] };
  for (const worker of workers) {
    for (const line of worker.lines) {
      if (ACK.test(line)) outcome.acknowledged.push(line);
      else if (line.startsWith('refused ')) outcome.refused.push(line.slice('refused '.length));
      else if (line.startsWith('locked ')) {
        const [writer, n] = line.slice('locked '.length).split(':');
        outcome.attempted.set(writer!, Math.max(outcome.attempted.get(writer!) ?? 0, Number(n)));
      }
    }
  }
  return outcome;
}
