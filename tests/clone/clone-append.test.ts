import { execFileSync } from 'node:child_process';
import { link, readFile, readdir, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, isPreventionError, NodeFileSystem } from '@prevention/core';
import { InstrumentedFileSystem } from '@prevention/core/testing';
import { describe, expect, it } from 'vitest';
// First, so that its clean-up runs after the unmounts (vitest runs after-hooks in reverse).
import { tempDir } from '../support/temp-dir.js';
import { canMountImage, mountImage } from '../support/cloning-fs.js';
import { leftoversUnder } from '../support/leftovers.js';
import { bytesWritten, commitOver, eventsDocument, fileStoreOn, withEvent } from '../fixtures/tail-commits.mjs';
import { canMount, mountTmpfs } from '../support/tmpfs.js';

const MB = 1024 * 1024;

/** A store on a traced port in `dir`, with a ~2 MB document committed in `data.json`. */
async function twoMegabytesIn(dir: string) {
  const instrumented = new InstrumentedFileSystem();
  const store = fileStoreOn(instrumented.fs);
  const file = path.join(dir, 'data.json');
  const first = eventsDocument(2 * MB);
  await commitOver(store, file, first, 0);
  instrumented.reset();
  return { instrumented, store, file, first };
}

/** Whether the file system reports blocks of `file` as shared with another file (filefrag, FIEMAP). */
const sharesBlocks = (file: string): boolean => /\bshared\b/.test(execFileSync('filefrag', ['-v', file], { encoding: 'utf8' }));

const cloneCalls = (instrumented: InstrumentedFileSystem) => instrumented.summary((c) => c.op === 'cloneFile').length;

describe.skipIf(!canMountImage('xfs'))('tail-only commits on XFS with reflink (loop-mounts an image: needs root)', () => {
  it('never clones through a symbolic link planted at the file\'s name: no byte of what it points to is copied', async () => {
    const dir = await mountImage('xfs');
    const secret = path.join(dir, 'secret');
    await writeFile(secret, 'not for this directory\n', { mode: 0o600 });
    const planted = path.join(dir, 'data.json');
    await symlink(secret, planted);
    const temp = path.join(dir, '.data.json.clone');
    await expect(new NodeFileSystem().cloneFile(planted, temp)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readdir(dir)).not.toContain('.data.json.clone');
  });

  it('clones the 2 MB file, writes only the appended bytes, and commits exactly the bytes given, shorter ones too', async () => {
    const dir = await mountImage('xfs');
    const { instrumented, store, file, first } = await twoMegabytesIn(dir);
    const { next, prefix } = withEvent(first, 'second');
    // A second name keeps the replaced version's blocks, so the new one can be seen sharing them.
    const kept = path.join(dir, 'replaced-version');
    await link(file, kept);
    await commitOver(store, file, next, prefix);
    expect(cloneCalls(instrumented)).toBe(1);
    expect(bytesWritten(instrumented.calls)).toBeLessThan(64 * 1024);
    expect((await readFile(file)).equals(next)).toBe(true);
    expect(sharesBlocks(file)).toBe(true);
    await unlink(kept);

    // Shorter than the clone: the event removed again, the clone cut to length.
    instrumented.reset();
    await commitOver(store, file, first, prefix);
    expect(cloneCalls(instrumented)).toBe(1);
    expect(instrumented.summary((c) => c.op === 'ftruncate')).toHaveLength(1);
    expect(bytesWritten(instrumented.calls)).toBeLessThan(64 * 1024);
    expect((await readFile(file)).equals(first)).toBe(true);
    expect(await leftoversUnder(dir)).toEqual([]);
  });

  it('fails a commit whose clone or tail write fails with EIO, file untouched and no temp; the next commit succeeds', async () => {
    const dir = await mountImage('xfs');
    const { instrumented, store, file, first } = await twoMegabytesIn(dir);
    const { next, prefix } = withEvent(first, 'second');
    for (const fault of [{ op: 'cloneFile', step: 'cloning the file' }, { op: 'write', step: 'writing the temp file' }] as const) {
      instrumented.inject({ when: (c) => c.op === fault.op, error: 'EIO' });
      const error = await commitOver(store, file, next, prefix).catch((err: unknown) => err);
      expect(isPreventionError(error) && error.code).toBe(ErrorCodes.IO_FAILED);
      expect(isPreventionError(error) && String(error.details.step)).toContain(fault.step);
      expect((await readFile(file)).equals(first)).toBe(true);
      expect(await leftoversUnder(dir)).toEqual([]);
    }
    instrumented.reset();
    await commitOver(store, file, next, prefix);
    expect(cloneCalls(instrumented)).toBe(1);
    expect(bytesWritten(instrumented.calls)).toBeLessThan(64 * 1024);
    expect((await readFile(file)).equals(next)).toBe(true);
  });
});

const withoutReflink = [
  { name: 'ext4 (loop-mounted image)', can: canMountImage('ext4'), mount: () => mountImage('ext4') },
  { name: 'tmpfs', can: canMount, mount: async () => mountTmpfs(await tempDir(), 'size=64m') },
];

describe.each(withoutReflink)('the same commits on $name, which cannot clone', ({ can, mount }) => {
  it.skipIf(!can)('write every byte, give the same result, try the clone once for the directory, and leave no temp', async () => {
    const dir = await mount();
    const { instrumented, store, file, first } = await twoMegabytesIn(dir);
    let current = first;
    let written = 0;
    for (let n = 1; n <= 3; n++) {
      const { next, prefix } = withEvent(current, `e${n}`);
      await commitOver(store, file, next, prefix);
      written += next.length;
      expect((await readFile(file)).equals(next)).toBe(true);
      current = next;
    }
    expect(cloneCalls(instrumented)).toBe(1);
    expect(bytesWritten(instrumented.calls)).toBe(written);
    expect(await leftoversUnder(dir)).toEqual([]);
  });
});
