import type { Worker } from './processes.js';

/** An append that failed with a typed error. */
export interface Refusal {
  id: string;
  code: string;
  message: string;
}

/** Parses `refused writer:n CODE "message"`. */
export function parseRefusal(line: string): Refusal {
  const [, id, code, message] = /^refused (\S+) (\S+) (.*)$/.exec(line) ?? [];
  if (id === undefined || code === undefined || message === undefined) throw new Error(`not a refusal line: ${line}`);
  return { id, code, message: JSON.parse(message) as string };
}

/** How many refusals had each code, as `CODE:n,...` for a figures line. */
export function refusalCodes(refused: readonly Refusal[]): string {
  const counts = new Map<string, number>();
  for (const { code } of refused) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts].map(([code, n]) => `${code}:${n}`).join(',') || 'none';
}

/** What a set of `torture-writer.mjs` processes reported on stdout. */
export interface WriterOutcome {
  /** Ids whose append resolved. */
  acknowledged: string[];
  /** For each writer, the highest n whose updater ran: no higher id can be in the file. */
  attempted: Map<string, number>;
  /** Appends that failed with a typed error. */
  refused: Refusal[];
}

const ACK = /^[\w-]+:\d+$/;

/** Reads the lines of `torture-writer.mjs` processes (see the fixture for their format). */
export function writerOutcome(workers: Iterable<Worker>): WriterOutcome {
  const outcome: WriterOutcome = { acknowledged: [], attempted: new Map(), refused: [] };
  for (const worker of workers) {
    for (const line of worker.lines) {
      if (ACK.test(line)) outcome.acknowledged.push(line);
      else if (line.startsWith('refused ')) outcome.refused.push(parseRefusal(line));
      else if (line.startsWith('locked ')) {
        const [writer, n] = line.slice('locked '.length).split(':');
        outcome.attempted.set(writer!, Math.max(outcome.attempted.get(writer!) ?? 0, Number(n)));
      }
    }
  }
  return outcome;
}
