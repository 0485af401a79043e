import { readFileSync } from 'node:fs';

/**
 * Bytes this process has passed to write(2) so far (`wchar` in /proc/self/io), so "MB written
 * per append" counts everything a library writes: temp files, WAL pages, backups, journals.
 * Returns NaN where /proc is not available.
 */
export function bytesWritten() {
  try {
    const match = /^wchar:\s*(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}
