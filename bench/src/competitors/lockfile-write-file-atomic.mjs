import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { jsonFileCompetitor } from './json-store.mjs';

/** Waits as long as a busy writer could need: contention is the point of the workload. */
const LOCK_OPTIONS = { stale: 10_000, retries: { retries: 100_000, minTimeout: 1, maxTimeout: 25, factor: 1.3 } };

export default jsonFileCompetitor({
  id: 'lockfile-write-file-atomic',
  name: 'proper-lockfile + write-file-atomic',
  note: 'the usual "safe" combination: lock directory, read, write-file-atomic, unlock',
  safeAcrossProcesses: true,
  lock: (file) => lockfile.lock(file, LOCK_OPTIONS),
  write: (file, text) => writeFileAtomic(file, text),
});
