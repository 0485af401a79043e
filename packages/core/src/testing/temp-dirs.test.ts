import { mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from './temp-dirs.js';

// The directories the test itself makes to hold the ones under test.
const outer = new TempDirs();
afterEach(() => outer.removeAll());

describe('TempDirs', () => {
  it('makes fresh owner-only directories with the prefix, in the OS temp directory or the parent given', async () => {
    const dirs = new TempDirs();
    const parent = await outer.make();
    const [a, b, c] = [await dirs.make(), await dirs.make('prevention-x-'), await dirs.make('in-parent-', parent)];
    expect(new Set([a, b, c]).size).toBe(3);
    expect(path.dirname(a)).toBe(tmpdir());
    expect(path.basename(b)).toMatch(/^prevention-x-[0-9a-f]{12}$/);
    expect(path.dirname(c)).toBe(parent);
    for (const dir of [a, b, c]) {
      expect(await readdir(dir)).toEqual([]);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
    }
    await dirs.removeAll();
  });

  it('removes every directory it made with all it holds, but not what a symbolic link in it points at', async () => {
    const dirs = new TempDirs();
    const outside = await outer.make();
    await writeFile(path.join(outside, 'keep.json'), '{}');
    const made = [await dirs.make(), await dirs.make()];
    await mkdir(path.join(made[0]!, 'a/b/c'), { recursive: true });
    await writeFile(path.join(made[0]!, 'a/b/c/file.json'), '{}');
    await symlink(outside, path.join(made[0]!, 'a/link'), 'dir');
    await symlink(path.join(outside, 'keep.json'), path.join(made[1]!, 'file-link'));

    await dirs.removeAll();
    for (const dir of made) await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(outside)).toEqual(['keep.json']);
  });

  it('takes a directory the test removed itself as removed', async () => {
    const dirs = new TempDirs();
    await rm(await dirs.make(), { recursive: true });
    await expect(dirs.removeAll()).resolves.toBeUndefined();
  });
});
