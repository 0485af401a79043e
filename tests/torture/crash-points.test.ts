import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { describe, expect, it } from 'vitest';
import { readEventIds } from '../support/append-checker.js';
import { leftoversUnder } from '../support/leftovers.js';
import { HOUR_MS, shiftLockTime } from '../support/locks.js';
import { mapLimit } from '../support/pool.js';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { crashPoints, printFigures } from '../support/torture.js';

type Doc = { events: Array<{ id: string }> };

const BACKUP_DIR = '.prevention/backups/';
/** Temp files a crashed backup save left in the backup directory, still there after the next commit. */
const backupTempsLeft: string[] = [];

/** The engine the worker uses (rotating backups), for preparing a file and for recovering after a crash. */
function engineFor(dir: string) {
  return createEngine({
    cwd: dir,
    config: false,
    lock: { staleMs: 2000, timeoutMs: 10_000 },
    logger: { level: 'silent' },
    plugins: [backup({ strategies: [{ type: 'rotating', keep: 3 }] })],
  });
}

/** A directory whose file holds the committed version 1 (and its backup). */
async function prepared(): Promise<{ dir: string; file: string; v1: Buffer }> {
  const dir = await tempDir('prevention-crash-');
  const file = path.join(dir, 'data.json');
  const engine = await engineFor(dir);
  await engine.write(file, { events: [{ id: 'crash:1' }] });
  await engine.close();
  return { dir, file, v1: await readFile(file) };
}

describe('crash-point sweep: a process exits before and after every FileSystem-port call of a commit', () => {
  it('the file is always the old or the new version, whole, and the next commit succeeds and leaves no temp or lock', async () => {
    const traced = await prepared();
    const tracer = startWorker('crash-point-worker.mjs', [traced.file, 'trace']);
    expect(await tracer.exited, tracer.stderr()).toBe(0);
    const calls = Number(tracer.lines[0]);
    const describeCall = (index: number) => tracer.lines[index + 1] ?? `${index} ?`;
    const v2 = await readFile(traced.file);
    expect(calls).toBeGreaterThan(10);

    const points = crashPoints(calls);
    const failures: string[] = [];
    let sawOld = 0;
    let sawNew = 0;
    let staleLocks = 0;
    // Two crashes at a time: each is a fresh process that spends most of its life starting.
    await mapLimit(points, 2, async ({ index, when }) => {
      const { dir, file, v1 } = await prepared();
      const label = `crash ${when} #${describeCall(index)}`;
      const worker = startWorker('crash-point-worker.mjs', [file, when, String(index)]);
      const exit = await worker.exited;
      if (exit !== 'SIGKILL') failures.push(`${label}: the worker did not crash (exit ${exit}) ${worker.stderr()}`);
      const after = await readFile(file);
      if (after.equals(v1)) sawOld += 1;
      else if (after.equals(v2)) sawNew += 1;
      else failures.push(`${label}: the file is neither version: ${JSON.stringify(after.toString())}`);
      // The dead process's lock goes stale after the threshold; age it instead of waiting.
      if (await shiftLockTime(file, -HOUR_MS)) staleLocks += 1;
      const engine = await engineFor(dir);
      try {
        await engine.update<Doc>(file, (draft) => void draft.events.push({ id: 'crash:3' }));
        const ids = await readEventIds(file);
        if (ids[0] !== 'crash:1' || ids.at(-1) !== 'crash:3') failures.push(`${label}: after recovery the file holds ${ids.join(',')}`);
      } catch (err) {
        failures.push(`${label}: the next commit failed: ${(err as Error).message}`);
      } finally {
        await engine.close();
      }
      const left = await leftoversUnder(dir);
      const besideFile = left.filter((p) => !p.startsWith(BACKUP_DIR));
      if (besideFile.length > 0) failures.push(`${label}: left after the next commit: ${besideFile.join(', ')}`);
      backupTempsLeft.push(...left.filter((p) => p.startsWith(BACKUP_DIR)));
    });
    printFigures('crash-point sweep', {
      portCalls: calls,
      crashes: points.length,
      oldVersion: sawOld,
      newVersion: sawNew,
      staleLocksLeft: staleLocks,
      backupTempsLeft: backupTempsLeft.length,
      failures: failures.length,
    });
    expect(failures).toEqual([]);
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
  });

  // A backup save killed mid-write leaves its temp in the backup directory; the next save
  // sweeps it there, under the file's lock.
  it('the next commit also removes temp files a crashed backup save left', () => {
    expect(backupTempsLeft).toEqual([]);
  });
});
