import { appendFile, copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import type { StoredVersion } from '../contract.js';
import { ErrorCodes, isPreventionError } from '../errors.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { ProperFileLocker } from '../lock/proper-file-locker.js';
import { createLogger } from '../logging/logger.js';
import { InstrumentedFileSystem, type FsCall } from '../testing/instrumented-file-system.js';
import { leftovers, tempDir } from '../__tests__/helpers.js';
import { CLONE_MIN_PREFIX, FileStore } from './file-store.js';

/**
 * A port whose cloneFile copies the bytes: the same content a clone holds, on any file system,
 * so the tail-only write is checked here without a reflink mount (tests/clone has the real one).
 */
class CopyingCloneFileSystem extends NodeFileSystem {
  override cloneFile(from: string, to: string): Promise<void> {
    return copyFile(from, to, 1 /* COPYFILE_EXCL */);
  }
}

const anchors = { anchor: async () => undefined, check: async () => undefined };

function storeOn(instrumented: InstrumentedFileSystem): FileStore {
  const { fs } = instrumented;
  return new FileStore({ fs, anchors, locker: new ProperFileLocker(fs, systemClock), clock: systemClock, logger: createLogger({ level: 'silent' }) });
}

const bytesWritten = (calls: readonly FsCall[]) => calls.filter((c) => c.op === 'write').reduce((sum, c) => sum + (c.args[3] as number), 0);

/** A document of about `size` bytes, and the same with `extra` appended inside its array. */
function documents(size: number, extra: string): { first: Buffer; next: Buffer; prefix: number } {
  const first = Buffer.from(`{"events":["${'x'.repeat(size)}"]}\n`);
  const prefix = first.length - 3;
  return { first, next: Buffer.concat([first.subarray(0, prefix), Buffer.from(`,"${extra}"]}\n`)]), prefix };
}

async function setup(inner = new NodeFileSystem()) {
  const dir = await tempDir();
  const file = path.join(dir, 'data.json');
  const instrumented = new InstrumentedFileSystem(inner);
  const store = storeOn(instrumented);
  return { dir, file, instrumented, store };
}

async function commitFirst(store: FileStore, file: string, bytes: Uint8Array): Promise<StoredVersion> {
  await store.commit(file, bytes, { expected: null, previous: undefined, lock: undefined });
  return (await store.load(file)) as StoredVersion;
}

describe('FileStore commits that keep the start of the replaced version', () => {
  it('clone the file and write only the tail, cutting a shorter version to length', async () => {
    const { dir, file, instrumented, store } = await setup(new CopyingCloneFileSystem());
    const { first, next, prefix } = documents(CLONE_MIN_PREFIX + 1000, 'tail');
    let previous = await commitFirst(store, file, first);
    instrumented.reset();
    await store.commit(file, next, { expected: previous.token, previous, lock: undefined, unchangedPrefix: prefix });
    expect(instrumented.summary((c) => c.op === 'cloneFile')).toHaveLength(1);
    expect(bytesWritten(instrumented.calls)).toBe(next.length - prefix);
    expect((await readFile(file)).equals(next)).toBe(true);

    previous = (await store.load(file)) as StoredVersion;
    const shorter = Buffer.concat([next.subarray(0, prefix), Buffer.from(']}\n')]);
    instrumented.reset();
    await store.commit(file, shorter, { expected: previous.token, previous, lock: undefined, unchangedPrefix: prefix });
    expect(instrumented.summary((c) => c.op === 'ftruncate')).toHaveLength(1);
    expect((await readFile(file)).equals(shorter)).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('write in full a prefix below the threshold, or one longer than the new version', async () => {
    const { file, instrumented, store } = await setup(new CopyingCloneFileSystem());
    const small = documents(CLONE_MIN_PREFIX / 2, 'a');
    let previous = await commitFirst(store, file, small.first);
    instrumented.reset();
    await store.commit(file, small.next, { expected: previous.token, previous, lock: undefined, unchangedPrefix: small.prefix });
    expect(instrumented.summary((c) => c.op === 'cloneFile')).toEqual([]);

    const big = documents(CLONE_MIN_PREFIX * 2, 'b');
    previous = await commitFirst(store, `${file}.2`, big.first);
    const cut = big.next.subarray(0, big.prefix - 1);
    instrumented.reset();
    const commit = await store.commit(`${file}.2`, cut, { expected: previous.token, previous, lock: undefined, unchangedPrefix: big.prefix });
    expect(instrumented.summary((c) => c.op === 'cloneFile')).toEqual([]);
    expect(commit.writtenFrom).toBeUndefined();
    expect((await readFile(`${file}.2`)).equals(cut)).toBe(true);
  });

  it.each(['ENOTSUP', 'EINVAL', 'EXDEV', 'ENOSYS'])('try the clone once per directory where it fails with %s, then write whole versions', async (code) => {
    const { dir, file, instrumented, store } = await setup();
    const { first, next: second, prefix: firstPrefix } = documents(CLONE_MIN_PREFIX + 10, 'n0');
    let previous = await commitFirst(store, file, first);
    instrumented.reset();
    instrumented.inject({ when: (c) => c.op === 'cloneFile', error: code, times: Infinity });
    let next = second;
    let prefix = firstPrefix;
    let written = 0;
    for (let n = 1; n <= 3; n++) {
      await store.commit(file, next, { expected: previous.token, previous, lock: undefined, unchangedPrefix: prefix });
      written += next.length;
      expect((await readFile(file)).equals(next)).toBe(true);
      previous = (await store.load(file)) as StoredVersion;
      prefix = next.length - 3;
      next = Buffer.concat([next.subarray(0, prefix), Buffer.from(`,"n${n}"]}\n`)]);
    }
    expect(instrumented.summary((c) => c.op === 'cloneFile')).toHaveLength(1);
    expect(bytesWritten(instrumented.calls)).toBe(written);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('fail a commit whose clone fails otherwise (EIO, ENOSPC, EACCES, EPERM, ETXTBSY) or whose tail write fails, with the file untouched and no temp; the next commit succeeds', async () => {
    const { dir, file, instrumented, store } = await setup(new CopyingCloneFileSystem());
    const { first, next, prefix } = documents(CLONE_MIN_PREFIX + 10, 'eio');
    const previous = await commitFirst(store, file, first);
    const faults = [
      ...['EIO', 'ENOSPC', 'EACCES', 'EPERM', 'ETXTBSY'].map((error) => ({ op: 'cloneFile', error, step: 'cloning the file' })),
      { op: 'write', error: 'EIO', step: 'writing the temp file' },
    ] as const;
    for (const fault of faults) {
      instrumented.inject({ when: (c) => c.op === fault.op, error: fault.error });
      const error = await store.commit(file, next, { expected: previous.token, previous, lock: undefined, unchangedPrefix: prefix }).catch((err: unknown) => err);
      expect(isPreventionError(error) && error.code).toBe(ErrorCodes.IO_FAILED);
      expect(isPreventionError(error) && error.details.step).toContain(fault.step);
      expect((await readFile(file)).equals(first)).toBe(true);
      expect(await leftovers(dir)).toEqual([]);
    }
    instrumented.reset();
    await store.commit(file, next, { expected: previous.token, previous, lock: undefined, unchangedPrefix: prefix });
    expect(instrumented.summary((c) => c.op === 'cloneFile')).toHaveLength(1);
    expect((await readFile(file)).equals(next)).toBe(true);
  });

  // The clone is of the file as it is now; the token check before the rename is what keeps a
  // clone of a file changed in place since the load from being committed.
  it('refuse to rename a clone of a file changed in place since the load', async () => {
    const { dir, file, instrumented, store } = await setup(new CopyingCloneFileSystem());
    const { first, next, prefix } = documents(CLONE_MIN_PREFIX + 10, 'mine');
    const previous = await commitFirst(store, file, first);
    await appendFile(file, ' ');
    instrumented.reset();
    const error = await store.commit(file, next, { expected: previous.token, previous, lock: undefined, unchangedPrefix: prefix }).catch((err: unknown) => err);
    expect(instrumented.summary((c) => c.op === 'cloneFile')).toHaveLength(1);
    expect(isPreventionError(error) && error.code).toBe(ErrorCodes.LOCK_COMPROMISED);
    expect((await readFile(file)).equals(Buffer.concat([first, Buffer.from(' ')]))).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
  });
});
