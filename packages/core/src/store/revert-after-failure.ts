import type { DocumentStore, LockHandle, Logger, StoredCommit, StoredVersion } from '../contract.js';
import { ErrorCodes, isPreventionError } from '../errors.js';

/**
 * {@link DocumentStore.revert} for a commit that already failed (its switch could not be made
 * durable, or it did not read back as written): whether the previous version is back. A failure
 * to put it back is logged with both errors and reported as `false`, since the caller throws
 * the original error and must say which version the document now holds. A lost lock, or a
 * version someone else wrote since, is thrown (`PREVENTION_LOCK_COMPROMISED`): that writer's
 * version is kept, and the commit's outcome is that refusal.
 */
export async function revertAfterFailure(
  store: Pick<DocumentStore, 'revert'>,
  logger: Logger,
  name: string,
  failed: { written: StoredCommit; previous: StoredVersion | undefined; lock: LockHandle | undefined; reason: unknown },
): Promise<boolean> {
  try {
    await store.revert(name, failed.written, failed.previous, failed.lock);
    return true;
  } catch (err) {
    if (isPreventionError(err, ErrorCodes.LOCK_COMPROMISED)) throw err;
    logger.error({ file: name, err, reason: failed.reason }, 'could not put the previous version back after a failed commit');
    return false;
  }
}
