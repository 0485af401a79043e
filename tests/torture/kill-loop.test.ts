import path from 'node:path';
import { createEngine } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { checkAppends, checkFailures, readEventIds } from '../support/append-checker.js';
import { leftoversUnder } from '../support/leftovers.js';
import { startWorker, type Worker } from '../support/processes.js';
import { sampleReads } from '../support/read-sampler.js';
import { tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';
import { refusalCodes, writerOutcome } from '../support/writer-lines.js';

/** The smallest stale threshold proper-lockfile accepts: a killed holder's lock costs at most this. */
const STALE_MS = 2000;
const KILLS = scaled(200, 5000);
/** Writers alive at once. Each kill is replaced at once, so the next victim is already starting. */
const POOL = 4;
/** Longest random pause between kills: victims die anywhere in a commit, or while waiting for the lock. */
const MAX_PAUSE_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kill loop: writers appending through the engine are SIGKILLed at random moments', () => {
  it(`${KILLS} kills: every acknowledged append present once and in order, no temp file left, the lock retaken within the stale threshold`, async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const workers: Worker[] = [];
    const ready = new Set<Worker>();
    /** When each writer last reported taking the lock, and whether it has let it go since. */
    const holding = new Map<Worker, boolean>();
    let lastLockedAt = Date.now();
    const retakeGapsMs: number[] = [];
    let pendingHolderKill: number | undefined;
    let next = 0;

    const spawnWriter = () => {
      const worker = startWorker('torture-writer.mjs', [file, `w${next++}`, String(STALE_MS)]);
      worker.onLine((line) => {
        if (line === 'ready') ready.add(worker);
        else if (line.startsWith('locked ')) {
          holding.set(worker, true);
          lastLockedAt = Date.now();
          if (pendingHolderKill !== undefined) {
            retakeGapsMs.push(lastLockedAt - pendingHolderKill);
            pendingHolderKill = undefined;
          }
        } else holding.set(worker, false);
      });
      void worker.exited.then(() => ready.delete(worker));
      workers.push(worker);
    };

    const reader = sampleReads(file);
    for (let i = 0; i < POOL; i++) spawnWriter();
    let kills = 0;
    let holderKills = 0;
    while (kills < KILLS) {
      await sleep(Math.random() * MAX_PAUSE_MS);
      const candidates = [...ready];
      if (candidates.length === 0) continue;
      const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
      ready.delete(victim);
      const wasHolding = holding.get(victim) === true;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills += 1;
      if (wasHolding) {
        holderKills += 1;
        pendingHolderKill ??= Date.now();
      }
      spawnWriter();
      // Nobody has taken the lock for far longer than a stale takeover needs: a deadlock.
      expect(Date.now() - lastLockedAt, 'time since anyone last took the lock').toBeLessThan(STALE_MS + 60_000);
    }
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));

    // The last kill is of a holder caught in its updater, and the next commit comes from a
    // fresh engine: it must take the dead holder's lock over once stale and sweep its temps.
    const holder = startWorker('torture-writer.mjs', [file, 'holder', String(STALE_MS), '1', '600000']);
    workers.push(holder);
    await holder.waitForLine((line) => line.startsWith('locked '), 60_000);
    holder.child.kill('SIGKILL');
    await holder.exited;
    kills += 1;
    holderKills += 1;
    const killedAt = Date.now();
    const samples = await reader.stop();
    const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: STALE_MS, timeoutMs: 30_000 }, logger: { level: 'silent' } });
    const recovered: number[] = [];
    engine.on('lock:stale-recovered', ({ ageMs }) => recovered.push(ageMs));
    await engine.update<{ events: Array<{ id: string }> }>(file, (draft) => void draft.events.push({ id: 'final:1' }));
    const finalRetakeMs = Date.now() - killedAt;
    await engine.close();
    const leftovers = await leftoversUnder(dir);

    const ids = await readEventIds(file);
    expect(ids.at(-1)).toBe('final:1');
    const outcome = writerOutcome(workers);
    const report = checkAppends(ids.slice(0, -1), outcome.acknowledged, outcome.attempted);
    const unexpectedStderr = workers.map((w) => w.stderr()).filter(Boolean);
    const maxGap = Math.max(0, ...retakeGapsMs);
    const takeoverAges = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('recovered ')).map((l) => Number(l.split(' ')[1])));
    printFigures('kill loop', {
      writers: workers.length,
      kills,
      lockHolderKills: holderKills,
      acknowledged: report.acknowledged,
      present: report.present,
      refused: outcome.refused.length,
      refusedCodes: refusalCodes(outcome.refused),
      lost: report.lost.length,
      duplicated: report.duplicated.length,
      neverAttempted: report.neverAttempted.length,
      outOfOrder: report.outOfOrder.length,
      reads: samples.reads,
      corruptReads: samples.corrupt,
      staleTakeovers: takeoverAges.length,
      maxLockAgeAtTakeoverMs: Math.max(0, ...takeoverAges),
      maxKillToNextLockMs: maxGap,
      finalKillToNextLockMs: finalRetakeMs,
    });
    expect(checkFailures(report)).toEqual([]);
    expect(unexpectedStderr).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(samples.corrupt, samples.firstCorrupt).toBe(0);
    expect(leftovers).toEqual([]);
    // The dead holder's lock, last refreshed before the kill, is stale STALE_MS later at most;
    // the margin absorbs a loaded machine, never a second threshold.
    expect(recovered).toHaveLength(1);
    expect(finalRetakeMs).toBeLessThan(STALE_MS + 5000);
    // The only refusal a writer may meet is a lock lost while held (taken over from a starved holder).
    expect(outcome.refused.filter((r) => r.code !== 'PREVENTION_LOCK_COMPROMISED')).toEqual([]);
  });
});
