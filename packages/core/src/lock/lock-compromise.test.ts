import { mkdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { tempDir } from '../__tests__/helpers.js';

describe('a lock lost while held', () => {
  /** An engine that committed `{ v: 1 }` to a file; `staleMs` sets how often its lock is refreshed. */
  async function committedOnce(lock?: { staleMs: number }) {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, ...(lock ? { lock } : {}) });
    await engine.write(file, { v: 1 });
    return { file, lockPath: `${file}.lock`, engine, before: await readFile(file) };
  }

  /** Another process takes the lock over; its lock gets `mtime` (default: this holder's own). */
  async function takeOver(lockPath: string, mtime?: Date): Promise<void> {
    // A takeover comes at least the stale threshold after the lock was made, never in the same instant.
    await sleep(20);
    const own = (await stat(lockPath)).mtime;
    await rm(lockPath, { recursive: true });
    await mkdir(lockPath);
    await utimes(lockPath, mtime ?? own, mtime ?? own);
  }

  it.each([
    ['a later mtime', () => new Date(Date.now() + 5000)],
    ['the same mtime', () => undefined],
  ])('aborts the commit before its rename when the lock that replaced it carries %s, leaving the file as it was', async (_, mtime) => {
    const { file, lockPath, engine, before } = await committedOnce();
    const slow = engine.update<{ v: number }>(file, async (draft) => {
      await takeOver(lockPath, mtime());
      draft.v = 2;
    });
    await expect(slow).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED, file });
    expect(await readFile(file)).toEqual(before);
    await rm(lockPath, { recursive: true });
    await engine.write(file, { v: 3 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 3 });
    await engine.close();
  });

  it("is never refreshed once replaced: the new holder's lock keeps its own mtime", async () => {
    // Refreshed every second while held.
    const { file, lockPath, engine } = await committedOnce({ staleMs: 4000 });
    let theirs: number | undefined;
    const slow = engine.update<{ v: number }>(file, async (draft) => {
      // Taken over with this holder's own mtime, so only its identity tells the two locks apart.
      await takeOver(lockPath);
      theirs = (await stat(lockPath)).mtimeMs;
      await sleep(1300);
      draft.v = 2;
    });
    await expect(slow).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED, file });
    expect((await stat(lockPath)).mtimeMs).toBe(theirs);
    await engine.close();
  });

  it('is not confused with the holder refreshing it: a commit outlasting refreshes still lands', async () => {
    // utimes() takes float seconds, so the kernel often stores a refresh to T ms as T ms less a
    // few nanoseconds. Store it that way every time, so the check cannot pass by luck.
    class FloatTimesFileSystem extends NodeFileSystem {
      override utimes(target: string, atime: Date, mtime: Date): Promise<void> {
        return utimes(target, atime, mtime.getTime() / 1000 - 0.000001);
      }
    }
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, fileSystem: new FloatTimesFileSystem(), lock: { staleMs: 4000 } });
    await engine.write(file, { v: 1 });
    // Refreshed every second while held: this commit spans one refresh.
    await engine.update<{ v: number }>(file, async (draft) => {
      await sleep(1300);
      draft.v = 2;
    });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 2 });
    await engine.close();
  });
});
