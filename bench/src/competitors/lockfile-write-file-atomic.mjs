import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { jsonFileCompetitor } from './json-store.mjs';

/** Waits as long as a busy writer could need: contention is the point of the workload. */
const LOCK_OPTIONS = { stale: 10_000, retries: { retries: 100_000, minTimeout: 1, maxTimeout: 25, factor: 1.3 } };

/**
 * Locks `file`; the release it resolves to fails the append if the lock was compromised while
 * held (proper-lockfile's default is to throw from a timer, which would kill the process).
 */
async function lock(file) {
  let compromised;
  const release = await lockfile.lock(file, { ...LOCK_OPTIONS, onCompromised: (err) => (compromised = err) });
  return async () => {
    if (compromised) throw compromised;
    await release();
  };
}

export default jsonFileCompetitor({
  id: 'lockfile-write-file-atomic',
  name: 'proper-lockfile + write-file-atomic',
  note: 'the usual "safe" combination: lock directory, read, write-file-atomic, unlock',
  safeAcrossProcesses: true,
  lock,
  write: (file, text) => writeFileAtomic(file, text),
});
