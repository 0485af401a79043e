import { createLogger, FileStore, ProperFileLocker, systemClock, type FileSystem, type StoredCommit, type StoredVersion } from '@prevention/core';
import type { FsCall } from '@prevention/core/testing';

/**
 * A FileStore on `fs`, as the engine builds one but without path anchoring (not what these
 * tests check): the engine does not yet say how much of a version an update left unchanged, so
 * tail-only commits are driven through the store itself.
 */
export function fileStoreOn(fs: FileSystem): FileStore {
  const anchors = { anchor: async () => undefined, check: async () => undefined };
  return new FileStore({ fs, anchors, locker: new ProperFileLocker(fs, systemClock), clock: systemClock, logger: createLogger({ level: 'silent' }) });
}

/** A `{"events": [...]}` document of about `size` bytes. */
export function eventsDocument(size: number): Buffer {
  return Buffer.from(`{"events":[{"id":"first","pad":"${'x'.repeat(Math.max(0, size - 40))}"}]}\n`);
}

/** `bytes` with one more event, and how many of its leading bytes are those of `bytes`. */
export function withEvent(bytes: Buffer, id: string): { next: Buffer; prefix: number } {
  const prefix = bytes.length - 3; // before `]}\n`
  return { next: Buffer.concat([bytes.subarray(0, prefix), Buffer.from(`,{"id":"${id}"}]}\n`)]), prefix };
}

/** Loads the current version of `file` and commits `next` over it under the lock, saying that `prefix` bytes are unchanged. */
export async function commitOver(store: FileStore, file: string, next: Uint8Array, prefix: number): Promise<StoredCommit> {
  const lock = await store.lock(file, { timeoutMs: 10_000, staleMs: 2_000 });
  try {
    const previous = (await store.load(file)) as StoredVersion | undefined;
    return await store.commit(file, next, { expected: previous?.token ?? null, previous, lock, unchangedPrefix: previous ? prefix : 0 });
  } finally {
    await lock.release();
  }
}

/** Bytes handed to `write` in `calls`. */
export const bytesWritten = (calls: readonly FsCall[]): number => calls.filter((c) => c.op === 'write').reduce((sum, c) => sum + (c.args[3] as number), 0);
