import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CLONE_MIN_PREFIX, NodeFileSystem } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { canMountImage, mountImage } from '../support/cloning-fs.js';
import { commitOver, eventsDocument, fileStoreOn, withEvent } from '../fixtures/tail-commits.mjs';
import { leftoversUnder } from '../support/leftovers.js';
import { HOUR_MS, shiftLockTime } from '../support/locks.js';
import { mapLimit } from '../support/pool.js';
import { startWorker } from '../support/processes.js';
import { crashPoints, printFigures } from '../support/torture.js';

/** A directory on the mount whose file holds version 1, big enough for the clone path. */
async function prepared(mount: string): Promise<{ dir: string; file: string; v1: Buffer }> {
  const dir = await mkdtemp(path.join(mount, 'trial-'));
  const file = path.join(dir, 'data.json');
  const v1 = eventsDocument(CLONE_MIN_PREFIX + 4096);
  await commitOver(fileStoreOn(new NodeFileSystem()), file, v1, 0);
  return { dir, file, v1 };
}

describe.skipIf(!canMountImage('xfs'))('crash-point sweep of a tail-only commit on XFS with reflink (loop-mounts an image: needs root)', () => {
  it('the file is always the old or the new version, whole, and the next commit succeeds and leaves no temp or lock', async () => {
    const mount = await mountImage('xfs');
    const traced = await prepared(mount);
    const tracer = startWorker('clone-crash-point-worker.mjs', [traced.file, 'trace']);
    expect(await tracer.exited, tracer.stderr()).toBe(0);
    const calls = Number(tracer.lines[0]);
    const ops = tracer.lines.slice(1, calls + 1);
    const v2 = withEvent(traced.v1, 'crash:2').next;
    expect((await readFile(traced.file)).equals(v2)).toBe(true);
    // The sweep is of the clone path: the traced commit cloned, cut nothing and wrote its tail.
    expect(ops.filter((line) => line.includes(' cloneFile '))).toHaveLength(1);

    const points = crashPoints(calls);
    const failures: string[] = [];
    let sawOld = 0;
    let sawNew = 0;
    await mapLimit(points, 2, async ({ index, when }) => {
      const { dir, file, v1 } = await prepared(mount);
      const label = `crash ${when} #${ops[index] ?? index}`;
      const worker = startWorker('clone-crash-point-worker.mjs', [file, when, String(index)]);
      const exit = await worker.exited;
      if (exit !== 'SIGKILL') failures.push(`${label}: the worker did not crash (exit ${exit}) ${worker.stderr()}`);
      const after = await readFile(file);
      if (after.equals(v1)) sawOld += 1;
      else if (after.equals(v2)) sawNew += 1;
      else failures.push(`${label}: the file is neither version (${after.length} bytes)`);
      // The dead process's lock goes stale after the threshold; age it instead of waiting.
      await shiftLockTime(file, -HOUR_MS);
      const { next, prefix } = withEvent(after, 'crash:3');
      try {
        await commitOver(fileStoreOn(new NodeFileSystem()), file, next, prefix);
        if (!(await readFile(file)).equals(next)) failures.push(`${label}: the next commit did not leave exactly its bytes`);
      } catch (err) {
        failures.push(`${label}: the next commit failed: ${(err as Error).message}`);
      }
      const left = await leftoversUnder(dir);
      if (left.length > 0) failures.push(`${label}: left after the next commit: ${left.join(', ')}`);
    });
    printFigures('clone crash-point sweep', { portCalls: calls, crashes: points.length, oldVersion: sawOld, newVersion: sawNew, failures: failures.length });
    expect(failures).toEqual([]);
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
  });
});
