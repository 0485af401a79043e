import type { EngineEvents, FileSystem, Logger, FileLocker, LockHandle, LockOptions } from '../contract.js';
import { sweepTempFiles } from '../commit/atomic-write.js';
import type { KeyedMutex } from './keyed-mutex.js';

/** What holding a file's lock needs. */
export interface LockServices {
  mutex: KeyedMutex;
  locker: FileLocker;
  events: EngineEvents;
  fs: FileSystem;
  logger: Logger;
  /** Files whose orphaned temp files were already swept by this engine. */
  swept: Set<string>;
}

/**
 * Runs `body` holding both of a file's locks: the engine's in-process mutex, then the
 * cross-process lock. Everything that writes a file or its backups goes through here, so they
 * exclude each other. A dead holder's stale lock taken over is reported, and temp files it left
 * are swept (as on the first lock of each file by this engine). Releasing never fails `body`'s
 * outcome: a lock that could not be removed goes stale and is taken over.
 */
export async function holdFileLock<T>(
  services: LockServices,
  file: string,
  options: LockOptions,
  body: (lock: LockHandle) => Promise<T>,
): Promise<T> {
  const { mutex, locker, events, fs, logger, swept } = services;
  const releaseMutex = await mutex.acquire(file);
  try {
    const lock = await locker.acquire(file, options);
    try {
      if (lock.staleRecovered) {
        logger.warn({ file, ageMs: lock.staleRecovered.ageMs }, 'took over a stale lock left by a dead or frozen process');
        events.emit('lock:stale-recovered', { file, lockPath: lock.lockPath, ageMs: lock.staleRecovered.ageMs });
      }
      if (lock.staleRecovered || !swept.has(file)) {
        const removed = await sweepTempFiles(fs, file);
        if (removed.length > 0) logger.info({ file, removed }, 'removed temp files left by a dead writer');
        swept.add(file);
      }
      return await body(lock);
    } finally {
      await lock.release().catch((err: unknown) => logger.warn({ file, err }, 'could not release the lock; it will be taken over once stale'));
    }
  } finally {
    releaseMutex();
  }
}
