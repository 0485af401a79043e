import type { Engine, FileLocker, Logger } from '@prevention/core';

/** The engine's in-process mutex per file (`TOKENS.Mutex`). */
export interface FileMutex {
  acquire(key: string): Promise<() => void>;
}

/**
 * Runs work on a file's backups under the same two locks a commit holds (the engine's
 * in-process mutex, then the cross-process lock), so pruning never races a save: a
 * content-addressed index rewritten by both at once would lose the newer snapshot.
 */
export class FileLockRunner {
  constructor(
    private readonly engine: Engine,
    private readonly mutex: FileMutex,
    private readonly locker: FileLocker,
    private readonly logger: Logger,
  ) {}

  async run<T>(file: string, work: () => Promise<T>): Promise<T> {
    const releaseMutex = await this.mutex.acquire(file);
    try {
      const { lock } = await this.engine.settings(file);
      const handle = await this.locker.acquire(file, lock);
      try {
        return await work();
      } finally {
        // The work is done either way; a lock left behind goes stale and is taken over.
        await handle.release().catch((err: unknown) => this.logger.warn({ err, file }, 'could not release the lock after pruning backups'));
      }
    } finally {
      releaseMutex();
    }
  }
}
