import { mkdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { tempDir } from '../__tests__/helpers.js';

describe('a lock lost while held', () => {
  it('aborts the commit before its rename with a typed error, leaving the file as it was', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
    await engine.write(file, { v: 1 });
    const before = await readFile(file);
    const slow = engine.update<{ v: number }>(file, async (draft) => {
      // While this holder is busy, another process decides its lock is stale and takes it over.
      await rm(`${file}.lock`, { recursive: true });
      await mkdir(`${file}.lock`);
      const later = new Date(Date.now() + 5000);
      await utimes(`${file}.lock`, later, later);
      draft.v = 2;
    });
    await expect(slow).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED, file });
    expect(await readFile(file)).toEqual(before);
    await rm(`${file}.lock`, { recursive: true });
    await engine.write(file, { v: 3 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 3 });
    await engine.close();
  });

  it('is detected when the lock that replaced it carries the same mtime', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
    await engine.write(file, { v: 1 });
    const before = await readFile(file);
    const slow = engine.update<{ v: number }>(file, async (draft) => {
      // A takeover comes at least the stale threshold after the lock was made, never in the same instant.
      await sleep(20);
      const { mtime } = await stat(`${file}.lock`);
      await rm(`${file}.lock`, { recursive: true });
      await mkdir(`${file}.lock`);
      await utimes(`${file}.lock`, mtime, mtime);
      draft.v = 2;
    });
    await expect(slow).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED, file });
    expect(await readFile(file)).toEqual(before);
    await engine.close();
  });

  it('is never refreshed once replaced: the new holder\'s lock keeps its own mtime', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    // Refreshed every second while held.
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, lock: { staleMs: 4000 } });
    await engine.write(file, { v: 1 });
    let theirs: number | undefined;
    const slow = engine.update<{ v: number }>(file, async (draft) => {
      // Taken over with this holder's own mtime, so only its identity tells the two locks apart.
      // A takeover comes at least the stale threshold after the lock was made, never in the same instant.
      await sleep(20);
      const { mtime } = await stat(`${file}.lock`);
      await rm(`${file}.lock`, { recursive: true });
      await mkdir(`${file}.lock`);
      await utimes(`${file}.lock`, mtime, mtime);
      theirs = (await stat(`${file}.lock`)).mtimeMs;
      await sleep(1300);
      draft.v = 2;
    });
    await expect(slow).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED, file });
    expect((await stat(`${file}.lock`)).mtimeMs).toBe(theirs);
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
