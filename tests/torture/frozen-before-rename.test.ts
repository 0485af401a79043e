import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAppends, checkFailures, readEventIds } from '../support/append-checker.js';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';
import { writerOutcome } from '../support/writer-lines.js';

const STALE_MS = 2000;
const ROUNDS = scaled(3, 30);
const APPENDS = 5;

describe('a holder frozen between its last lock check and its rename', () => {
  it(`is fenced: the writer that takes its lock over moves its temp file aside, so its late rename fails and nothing acknowledged is lost (${ROUNDS} rounds)`, async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const workers = [];
    const refusals: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const frozen = startWorker('frozen-before-rename.mjs', [file, `frozen:${round}`, String(STALE_MS)]);
      await frozen.waitForLine((l) => l === 'stopping', 30_000);
      // The frozen holder's lock goes stale; this writer takes it over and commits on top.
      const writer = startWorker('torture-writer.mjs', [file, `w${round}`, String(STALE_MS), String(APPENDS)]);
      expect(await writer.exited).toBe(0);
      frozen.child.kill('SIGCONT');
      const outcome = await frozen.waitForLine((l) => l.startsWith('ack ') || l.startsWith('refused '), 30_000);
      expect(await frozen.exited).toBe(0);
      refusals.push(outcome);
      workers.push(writer);
    }
    const outcome = writerOutcome(workers);
    const report = checkAppends(await readEventIds(file), outcome.acknowledged, outcome.attempted);
    printFigures('frozen before rename', { rounds: ROUNDS, acknowledged: report.acknowledged, lost: report.lost.length, frozenRefused: refusals.filter((r) => r.startsWith('refused ')).length });
    expect(checkFailures(report)).toEqual([]);
    expect(report.acknowledged).toBe(ROUNDS * APPENDS);
    // Every frozen commit was refused, typed, never acknowledged over the newer ones.
    expect(refusals).toEqual(Array.from({ length: ROUNDS }, (_, i) => `refused frozen:${i + 1} PREVENTION_LOCK_COMPROMISED`));
  });
});
