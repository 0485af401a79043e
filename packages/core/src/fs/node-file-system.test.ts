import { createHook } from 'node:async_hooks';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../__tests__/helpers.js';
import { NodeFileSystem } from './node-file-system.js';

/** Whether a call made by `start` sent any system call to libuv's thread pool, by the end. */
async function usesThreadPool<T>(start: () => Promise<T>): Promise<boolean> {
  let pooled = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'FSREQCALLBACK') pooled++;
    },
  }).enable();
  try {
    await start();
  } finally {
    hook.disable();
  }
  return pooled > 0;
}

describe('NodeFileSystem: which calls leave the event loop', () => {
  const fs = new NodeFileSystem();

  it('metadata calls and small reads and writes run inline, without a thread-pool round trip', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'doc.json');
    const moved = path.join(dir, 'moved.json');
    const sub = path.join(dir, 'sub');
    const inline: Record<string, boolean> = {};
    let fd = -1;
    inline.open = await usesThreadPool(async () => (fd = await fs.open(file, fs.flags.createExclusive, 0o644)));
    inline.write = await usesThreadPool(() => fs.write(fd, Buffer.from('{"a":1}'), 0, 7, 0));
    inline.fstat = await usesThreadPool(() => fs.fstat(fd));
    inline.fchmod = await usesThreadPool(() => fs.fchmod(fd, 0o600));
    inline.close = await usesThreadPool(() => fs.close(fd));
    inline.stat = await usesThreadPool(() => fs.stat(file));
    inline.lstat = await usesThreadPool(() => fs.lstat(file));
    inline.readFile = await usesThreadPool(() => fs.readFile(file));
    inline.rename = await usesThreadPool(() => fs.rename(file, moved));
    inline.link = await usesThreadPool(() => fs.link(moved, file));
    inline.mkdir = await usesThreadPool(() => fs.mkdir(sub));
    inline.rmdir = await usesThreadPool(() => fs.rmdir(sub));
    expect(Object.entries(inline).filter(([, pooled]) => pooled)).toEqual([]);
  });

  it('calls that wait on the device, and large reads and writes, stay off the event loop', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'doc.json');
    const large = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const fd = await fs.open(file, fs.flags.createExclusive, 0o644);
    const pooled: Record<string, boolean> = {};
    pooled.largeWrite = await usesThreadPool(() => fs.write(fd, large, 0, large.length, 0));
    pooled.fsync = await usesThreadPool(() => fs.fsync(fd));
    await fs.close(fd);
    pooled.largeRead = await usesThreadPool(() => fs.readFile(file));
    pooled.syncDirectory = await usesThreadPool(() => fs.syncDirectory(dir));
    pooled.readdir = await usesThreadPool(() => fs.readdir(dir));
    expect((await readFile(file)).equals(large)).toBe(true);
    // Removing a file's last name frees its blocks: work that grows with the file.
    pooled.unlink = await usesThreadPool(() => fs.unlink(file));
    expect(Object.entries(pooled).filter(([, wasPooled]) => !wasPooled)).toEqual([]);
  });

  it('an inline call that fails rejects its promise, with the system call error, and never throws', async () => {
    const dir = await tempDir();
    const missing = path.join(dir, 'missing.json');
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = fs.stat(missing);
    }).not.toThrow();
    await expect(result).rejects.toMatchObject({ code: 'ENOENT', syscall: 'stat', path: missing });
    await writeFile(path.join(dir, 'taken'), '');
    await expect(fs.mkdir(path.join(dir, 'taken'))).rejects.toMatchObject({ code: 'EEXIST', syscall: 'mkdir' });
    await expect(fs.open(path.join(dir, 'taken'), fs.flags.createExclusive)).rejects.toMatchObject({ code: 'EEXIST', syscall: 'open' });
  });

  it('a loop of inline calls still lets timers and I/O callbacks run', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'doc.json');
    await writeFile(file, '{}');
    let timerFired = false;
    setTimeout(() => (timerFired = true), 1);
    let ioDone = false;
    void readFile(file).then(() => (ioDone = true));
    // Without a yield to the event loop between them, neither would ever run.
    for (let i = 0; i < 20_000 && !(timerFired && ioDone); i++) await fs.stat(file);
    expect({ timerFired, ioDone }).toEqual({ timerFired: true, ioDone: true });
  });
});
