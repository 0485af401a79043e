import type { DocumentStore, EngineEvents, Logger, LockHandle, LockOptions } from '../contract.js';
import type { KeyedMutex } from './keyed-mutex.js';

/** What holding a document's lock needs. */
export interface LockServices {
  mutex: KeyedMutex;
  store: Pick<DocumentStore, 'lock'>;
  events: EngineEvents;
  logger: Logger;
}

/**
 * Runs `body` holding both of a document's locks: the engine's in-process mutex, then the
 * store's cross-process lock. Everything that writes a document or its backups goes through
 * here, so they exclude each other. A dead holder's stale lock taken over is reported.
 * Releasing never fails `body`'s outcome: a lock that could not be removed goes stale and is
 * taken over.
 */
export async function holdFileLock<T>(
  services: LockServices,
  file: string,
  options: LockOptions,
  body: (lock: LockHandle) => Promise<T>,
): Promise<T> {
  const { mutex, store, events, logger } = services;
  const releaseMutex = await mutex.acquire(file);
  try {
    const lock = await store.lock(file, options);
    try {
      if (lock.staleRecovered) {
        logger.warn({ file, ageMs: lock.staleRecovered.ageMs }, 'took over a stale lock left by a dead or frozen process');
        events.emit('lock:stale-recovered', { file, lockPath: lock.lockPath, ageMs: lock.staleRecovered.ageMs });
      }
      return await body(lock);
    } finally {
      await lock.release().catch((err: unknown) => logger.warn({ file, err }, 'could not release the lock; it will be taken over once stale'));
    }
  } finally {
    releaseMutex();
  }
}
