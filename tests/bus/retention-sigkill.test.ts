import path from 'node:path';
import { createEngine } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const MAX_EVENTS = 3;
const BATCH = 5;

interface Outcome {
  acked: Map<string, number>;
  tries: string[][];
}

async function run(file: string, tag: string, crashAt: string): Promise<Outcome & { lines: string[]; exit: number | string }> {
  const worker = startWorker('retention-publish-worker.mjs', [file, tag, String(MAX_EVENTS), String(BATCH), crashAt]);
  const exit = await worker.exited;
  const acked = new Map<string, number>();
  for (const line of worker.lines.filter((l) => l.startsWith('ack '))) {
    for (const pair of line.slice(4).split(',')) {
      const [seq, name] = pair.split(':');
      acked.set(name!, Number(seq));
    }
  }
  const tries = worker.lines.filter((l) => l.startsWith('try ')).map((l) => l.slice(4).split(','));
  if (exit !== 0 && exit !== 'SIGKILL') throw new Error(`worker failed (${exit}): ${worker.stderr()}`);
  return { acked, tries, lines: worker.lines, exit };
}

describe('bus retention under SIGKILL', () => {
  it('a publisher killed at every file operation of a batch larger than maxEvents: every acknowledged event reads back once, seqs gapless, nothing unacknowledged but a killed batch whole', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'ctx.json');
    const trace = await run(file, 'trace', 'trace');
    const calls = Number(trace.lines.find((l) => l.startsWith('calls '))!.slice(6));
    expect(calls).toBeGreaterThan(10);
    const acked = new Map(trace.acked);
    const inFlight: string[][] = [];
    let killed = 0;
    for (let index = 0; index < calls; index++) {
      const outcome = await run(file, `k${index}`, String(index));
      for (const [name, seq] of outcome.acked) acked.set(name, seq);
      if (outcome.exit === 'SIGKILL') killed += 1;
      const last = outcome.tries.at(-1)!;
      if (!outcome.acked.has(last[0]!)) inFlight.push(last);
    }
    expect(killed).toBeGreaterThan(calls / 2);
    const final = await run(file, 'final', 'trace');
    for (const [name, seq] of final.acked) acked.set(name, seq);

    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
    const bus = engine.bus(file, { maxEvents: MAX_EVENTS });
    const events = await bus.events({ since: 0 });
    expect(await bus.inspectArchive()).toMatchObject({ state: 'intact' });
    await engine.close();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    const read = new Map(events.map((e) => [e.payload as string, e.seq]));
    expect(read.size).toBe(events.length);
    for (const [name, seq] of acked) expect(read.get(name), name).toBe(seq);
    // What reads back unacknowledged is a whole batch whose publisher was killed after its
    // commit and before it heard so; nothing else, and never part of a batch.
    const unacked = events.map((e) => e.payload as string).filter((name) => !acked.has(name));
    const whole = inFlight.filter((batch) => batch.every((name) => read.has(name)));
    expect(unacked.sort()).toEqual(whole.flat().sort());
    for (const batch of inFlight) expect([0, BATCH]).toContain(batch.filter((name) => read.has(name)).length);
  });
});
