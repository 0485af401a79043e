import path from 'node:path';

/** The name of the directory where prevention keeps its state, beside the data files. */
export const STATE_DIR_NAME = '.prevention';

/** The directory beside a data file where prevention keeps its state (backups, quarantine). */
export function stateDirFor(file: string): string {
  return path.join(path.dirname(file), STATE_DIR_NAME);
}

/** Where bad copies of `file` are kept aside, never deleted. */
export function quarantineDirFor(file: string): string {
  return path.join(stateDirFor(file), 'quarantine');
}

/** A filesystem-safe timestamp, sortable as text: 2026-11-26T19-30-00-123Z. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
