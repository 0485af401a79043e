import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { checkAppends, checkFailures, readEventIds } from '../support/append-checker.js';
import { HOUR_MS, lockPathOf, shiftLockTime } from '../support/locks.js';
import { startWorker, type Worker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';
import { parseRefusal, writerOutcome } from '../support/writer-lines.js';

const STALE_MS = 2000;
const WRITERS = 3;
const APPENDS = scaled(30, 300);

function startWriters(file: string, prefix: string, count = APPENDS, holdMs = 0): Worker[] {
  return Array.from({ length: WRITERS }, (_, i) => startWorker('torture-writer.mjs', [file, `${prefix}${i}`, String(STALE_MS), String(count), String(holdMs)]));
}

/** Runs the checker over the file and every writer's output; returns the figures. */
async function check(file: string, workers: Worker[]) {
  const outcome = writerOutcome(workers);
  const report = checkAppends(await readEventIds(file), outcome.acknowledged, outcome.attempted);
  expect(checkFailures(report)).toEqual([]);
  return { outcome, report };
}

/**
 * The only refusal a writer may meet here besides the one provoked: its own lock taken over while
 * it was starved past the stale threshold (a loaded machine), which refuses its commit typed.
 */
function expectOnlyStarvationRefusals(refused: ReadonlyArray<{ code: string }>): void {
  expect(refused.filter((r) => r.code !== 'PREVENTION_LOCK_COMPROMISED')).toEqual([]);
}

describe('locks under attack', () => {
  it('a holder killed with SIGKILL: the writers waiting take its lock over once stale and lose nothing', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const holder = startWorker('torture-writer.mjs', [file, 'holder', String(STALE_MS), '1', '600000']);
    await holder.waitForLine((l) => l.startsWith('locked '));
    const writers = startWriters(file, 'w');
    await Promise.all(writers.map((w) => w.waitForLine((l) => l === 'ready')));
    holder.child.kill('SIGKILL');
    const codes = await Promise.all(writers.map((w) => w.exited));
    const { outcome, report } = await check(file, [holder, ...writers]);
    const takeovers = writers.flatMap((w) => w.lines.filter((l) => l.startsWith('recovered ')));
    printFigures('locks: dead holder', { kills: 1, acknowledged: report.acknowledged, present: report.present, lost: report.lost.length, duplicated: report.duplicated.length, refused: outcome.refused.length, staleTakeovers: takeovers.length });
    expect(codes).toEqual(Array(WRITERS).fill(0));
    // The dead holder's lock is taken over once. On a loaded machine a live writer starved past
    // the stale threshold loses its lock too: that commit is refused typed, never lost, and its
    // lock's takeover is one more.
    expectOnlyStarvationRefusals(outcome.refused);
    expect(report.acknowledged + outcome.refused.length).toBe(WRITERS * APPENDS);
    if (outcome.refused.length === 0) expect(takeovers).toHaveLength(1);
    else expect(takeovers.length).toBeGreaterThanOrEqual(1);
  });

  it('a lock left with its mtime an hour in the future by a dead holder is taken over, not waited on for an hour', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    await mkdir(lockPathOf(file));
    await shiftLockTime(file, HOUR_MS);
    const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: STALE_MS, timeoutMs: 10_000 }, logger: { level: 'silent' } });
    const started = Date.now();
    await engine.write(file, { ok: true });
    await engine.close();
    printFigures('locks: future mtime, dead holder', { waitedMs: Date.now() - started });
  });

  it('the lock mtime moved an hour back and forward while writers run: never two commits at once, no deadlock', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    // Each holder keeps the lock 50 ms inside its updater, so while the writers run there is
    // nearly always a lock to move: the shifts do not depend on how fast commits are.
    const writers = startWriters(file, 'm', APPENDS, 50);
    let running = true;
    const exited = Promise.all(writers.map((w) => w.exited)).finally(() => (running = false));
    let shifts = 0;
    while (running) {
      // A clock jump, or a tool touching the lock: alternately an hour back and forward.
      const shifted = await shiftLockTime(file, shifts % 2 === 0 ? -HOUR_MS : HOUR_MS).catch(() => false);
      if (shifted) shifts += 1;
      await new Promise((resolve) => setTimeout(resolve, shifted ? 100 + Math.random() * 400 : 5));
    }
    const codes = await exited;
    const { outcome, report } = await check(file, writers);
    printFigures('locks: mtime moved', { shifts, acknowledged: report.acknowledged, present: report.present, lost: report.lost.length, duplicated: report.duplicated.length, refused: outcome.refused.length });
    expect(codes, writers.map((w) => w.stderr()).join('')).toEqual(Array(WRITERS).fill(0));
    expect(shifts).toBeGreaterThan(0);
    expect(outcome.refused.filter((r) => r.code !== 'PREVENTION_LOCK_COMPROMISED')).toEqual([]);
    expect(report.acknowledged + outcome.refused.length).toBe(WRITERS * APPENDS);
  });

  it('a holder frozen with SIGSTOP past the stale threshold, then resumed: its late commit is refused with a typed error', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const frozen = startWorker('torture-writer.mjs', [file, 'frozen', String(STALE_MS), '1', '1000']);
    await frozen.waitForLine((l) => l.startsWith('locked '));
    frozen.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const writers = startWriters(file, 's');
    const codes = await Promise.all(writers.map((w) => w.exited));
    const frozenMs = Date.now() - stoppedAt;
    frozen.child.kill('SIGCONT');
    const refusal = await frozen.waitForLine((l) => l.startsWith('refused '));
    expect(await frozen.exited).toBe(0);
    const { outcome, report } = await check(file, [frozen, ...writers]);
    printFigures('locks: frozen holder', { frozenMs, acknowledged: report.acknowledged, present: report.present, lost: report.lost.length, duplicated: report.duplicated.length, refused: outcome.refused.length });
    expect(codes).toEqual(Array(WRITERS).fill(0));
    expect(frozenMs).toBeGreaterThan(STALE_MS);
    expect(parseRefusal(refusal)).toMatchObject({ id: 'frozen:1', code: 'PREVENTION_LOCK_COMPROMISED' });
    const others = outcome.refused.filter((r) => r.id !== 'frozen:1');
    expectOnlyStarvationRefusals(others);
    expect(report.acknowledged + others.length).toBe(WRITERS * APPENDS);
  });
});
