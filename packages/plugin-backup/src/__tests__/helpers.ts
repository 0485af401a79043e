import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '@prevention/core';
import { TempDirs } from '@prevention/core/testing';
import { afterEach } from 'vitest';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

/** A fresh temp directory, removed after the test. */
export const tempDir = (): Promise<string> => dirs.make('prevention-backup-');

/**
 * The system clock with `now()` set by the test (backup timestamps); sleeps and timers stay real
 * so lock retries still work. `ManualClock` of `@prevention/core/testing` would hold them forever.
 */
export class SettableClock implements Clock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  readonly sleep = systemClock.sleep.bind(systemClock);
  readonly setTimeout = systemClock.setTimeout.bind(systemClock);
}

/** Every file below `dir` (relative paths), recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** Entries under `dir` that are temp files of an atomic write. */
export async function tempFilesUnder(dir: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((name) => name.endsWith('.tmp'));
}
