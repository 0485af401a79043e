import { utimes } from 'node:fs/promises';

/** The lock directory prevention keeps beside `file` while a commit runs. */
export function lockPathOf(file: string): string {
  return `${file}.lock`;
}

/**
 * Moves the mtime of `file`'s lock (if one was left) `offsetMs` from now: an hour back makes a
 * dead holder's lock stale at once, without waiting out the threshold in every trial.
 */
export async function shiftLockTime(file: string, offsetMs: number): Promise<boolean> {
  const when = new Date(Date.now() + offsetMs);
  try {
    await utimes(lockPathOf(file), when, when);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export const HOUR_MS = 60 * 60 * 1000;
