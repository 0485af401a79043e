import { isArchiveName } from '../bus/event-archive.js';
import { isAnyTempName } from '../commit/atomic-write.js';
import { isLockName } from '../lock/proper-file-locker.js';
import { STATE_DIR_NAME } from './paths.js';

/**
 * True when `name`, a directory entry beside data files, is one prevention makes for itself:
 * its state directory (journals, backups, quarantine), the temp file of an atomic write, a
 * lock, or a bus archive. Whoever lists or watches data files skips them: they are never
 * documents, so a broad glob must not have the monitor parse them as JSON.
 */
export function isInternalName(name: string): boolean {
  return name === STATE_DIR_NAME || isAnyTempName(name) || isLockName(name) || isArchiveName(name);
}
