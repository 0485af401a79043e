import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, isPreventionError, isTempNameFor } from '@prevention/core';
import { InstrumentedFileSystem, type FsCall } from '@prevention/core/testing';
import backup from '@prevention/plugin-backup';
import { describe, expect, it } from 'vitest';
import { leftoversUnder } from '../support/leftovers.js';
import { HOUR_MS, lockPathOf, shiftLockTime } from '../support/locks.js';
import { MEMORY_DIR, tempDir } from '../support/temp-dir.js';
import { printFigures } from '../support/torture.js';

const CODES = ['EIO', 'ENOSPC', 'EACCES', 'EMFILE', 'EROFS'] as const;
const MODES = ['once', 'persistent'] as const;
/** Temp files failed backup saves left in the backup directory, still there after the next commit. */
const backupTempsLeft = new Set<string>();

const BACKUPS = `${path.sep}backups${path.sep}`;

/**
 * Calls a commit may lose without failing: they keep no data. Releasing or refreshing the lock
 * (a lock left behind goes stale and is taken over), sweeping orphans, listing, renumbering and
 * pruning older backups (the new copy is already durable; done again next time), the commit
 * journal (a witness for monitors), closing the re-read, the directory check's quick look, and
 * keeping the replaced version linked past the rename (only to free its blocks later).
 */
function isDispensable(call: FsCall, file: string, run: readonly FsCall[]): boolean {
  const p = call.path ?? '';
  if (p === lockPathOf(file) && call.op !== 'mkdir') return true;
  if (call.op === 'link' || isKeptVersionUnlink(call, file)) return true;
  if (p.includes('.commits.jsonl')) return true;
  // A commit opens the file itself only to read it back (verify): its bytes are compared by the
  // time it is closed, and a failed close of a read-only descriptor loses nothing.
  if (call.op === 'close' && p === file) return true;
  if (call.op === 'readdir') return true;
  // The directory check's quick look (same directory as before?): when it fails, the check looks
  // closer (realpath), and a failure there refuses the operation checked, vital or not.
  if (call.op === 'stat' || call.op === 'realpath') return true;
  if (!p.includes(BACKUPS) || p.endsWith('.tmp')) return false;
  if (call.op === 'unlink' || call.op === 'rename') return true;
  // The second fsync of the backup directory in a commit is the renumbering's, after the new copy's own.
  return call.op === 'syncDirectory' && run.some((c) => c.index < call.index && c.op === 'syncDirectory' && c.path === p);
}

/** The unlink of a temp name beside the file in a commit that succeeded: the version it replaced, kept linked through the rename. */
function isKeptVersionUnlink(call: FsCall, file: string): boolean {
  return call.op === 'unlink' && call.path !== undefined && isTempNameFor(file, path.basename(call.path));
}

describe('I/O errors injected at every FileSystem-port call of a commit, once and persistently', () => {
  it(`${CODES.join(', ')}: a typed error, no acknowledgement, the file byte-identical, no temp or lock left, and writes succeed once the fault clears`, async () => {
    const dir = await tempDir('prevention-io-', MEMORY_DIR);
    const file = path.join(dir, 'data.json');
    const instrumented = new InstrumentedFileSystem();
    const engine = await createEngine({
      cwd: dir,
      config: false,
      fileSystem: instrumented.fs,
      lock: { staleMs: 2000, timeoutMs: 5000 },
      logger: { level: 'silent' },
      plugins: [backup({ strategies: [{ type: 'rotating', keep: 3 }] })],
    });
    let version = 0;
    await engine.write(file, { version });
    // Learn the calls one commit makes (backups already rotating), then fail each in turn.
    await engine.write(file, { version: ++version });
    instrumented.reset();
    await engine.write(file, { version: ++version });
    const trace = instrumented.summary();
    const failures: string[] = [];
    const figures = { trials: 0, faultsInjected: 0, refused: 0, committedPastDispensableFault: 0, locksLeftStale: 0, newVersionLeftByDeadDisk: 0 };

    for (const code of CODES) {
      for (const mode of MODES) {
        for (let index = 0; index < trace.length; index++) {
          const before = await readFile(file);
          const backupsBefore = (await engine.backups(file)).map((b) => b.id);
          instrumented.reset();
          const hits: FsCall[] = [];
          instrumented.inject({
            when: (call) => (mode === 'once' ? call.index === index : call.index >= index),
            before: (call) => void hits.push(call),
            error: code,
            times: mode === 'once' ? 1 : Infinity,
          });
          figures.trials += 1;
          let error: unknown;
          try {
            await engine.write(file, { version: version + 1 });
            version += 1;
          } catch (err) {
            error = err;
          }
          const run = [...instrumented.calls];
          instrumented.reset();
          figures.faultsInjected += hits.length;
          const label = `${code} ${mode} from #${index} (${hits.map((c) => `${c.op} ${c.path ?? ''}`).join(', ') || 'never reached'})`;
          // The version a failed write left in place (when its put-back failed too) is the current one from now on.
          const leftNewVersion = error !== undefined && JSON.parse(await readFile(file, 'utf8')).version === version + 1;
          if (error === undefined) {
            figures.committedPastDispensableFault += 1;
            const vital = hits.filter((call) => !isDispensable(call, file, run));
            if (vital.length > 0) failures.push(`${label}: the write succeeded although ${vital.map((c) => `${c.op} ${c.path}`).join(', ')} failed`);
            if (JSON.parse(await readFile(file, 'utf8')).version !== version) failures.push(`${label}: acknowledged but not on disk`);
          } else {
            figures.refused += 1;
            if (!isPreventionError(error)) failures.push(`${label}: untyped ${String(error)}`);
            const after = await readFile(file);
            if (!after.equals(before)) {
              // Only a disk that fails for good right after the rename can leave the new
              // version: the put-back fails too. It must be whole and the error must say so.
              const putBackFailed = isPreventionError(error) && error.details.previousVersionRestored === false;
              if (putBackFailed && leftNewVersion) figures.newVersionLeftByDeadDisk += 1;
              else failures.push(`${label}: the file changed: ${after.toString('utf8')}`);
            }
            // Retention runs only after a commit succeeded: a failed write deletes no backup.
            const backupsAfter = (await engine.backups(file)).map((b) => b.id);
            const deleted = backupsBefore.filter((id) => !backupsAfter.includes(id));
            if (deleted.length > 0) failures.push(`${label}: the failed write deleted the backups ${deleted.join(', ')}`);
          }
          if (leftNewVersion) version += 1;
          // A fault that persists can keep the commit from removing its temp or its lock; once
          // it clears, the lock goes stale (aged here rather than waited for) and the next
          // commit must sweep the rest.
          const lockLeft = (await leftoversUnder(dir)).includes(path.basename(lockPathOf(file)));
          // Releasing checks the lock is still this writer's (lstat) before removing it (rmdir):
          // a lock it can not prove its own is left to go stale, never removed blindly.
          const removalFailed = hits.some((call) => call.path === lockPathOf(file) && (call.op === 'lstat' || call.op === 'rmdir' || call.op === 'rmdirSync'));
          if (lockLeft && !removalFailed) failures.push(`${label}: the lock was left although its removal did not fail`);
          // A replaced version whose unlink failed stays beside the file until the next commit's sweep.
          const keptLeft = error === undefined && hits.some((call) => isKeptVersionUnlink(call, file));
          if (mode === 'once' && !keptLeft) {
            const left = (await leftoversUnder(dir)).filter((p) => !p.endsWith('.lock') && !p.includes(BACKUPS.slice(1)));
            if (left.length > 0) failures.push(`${label}: left ${left.join(', ')}`);
          }
          if (lockLeft && (await shiftLockTime(file, -HOUR_MS))) figures.locksLeftStale += 1;
          try {
            await engine.write(file, { version: version + 1 });
            version += 1;
            if (JSON.parse(await readFile(file, 'utf8')).version !== version) failures.push(`${label}: the next write is not on disk`);
          } catch (err) {
            failures.push(`${label}: the next write failed: ${(err as Error).message}`);
          }
          const left = await leftoversUnder(dir);
          const besideFile = left.filter((p) => !p.includes(BACKUPS.slice(1)));
          if (besideFile.length > 0) failures.push(`${label}: left after the fault cleared and the next write: ${besideFile.join(', ')}`);
          for (const temp of left.filter((p) => p.includes(BACKUPS.slice(1)))) backupTempsLeft.add(temp);
        }
      }
    }
    await engine.close();
    printFigures('I/O errors', { portCalls: trace.length, ...figures, backupTempsLeft: backupTempsLeft.size, failures: failures.length });
    expect(failures).toEqual([]);
  });

  // A backup save that could not remove its temp leaves it behind; the next save sweeps it.
  it('no temp file is left in the backup directory once the fault cleared', () => {
    expect([...backupTempsLeft]).toEqual([]);
  });
});
