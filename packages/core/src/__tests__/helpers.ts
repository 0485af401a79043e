import { readdir } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { TempDirs } from '../testing/temp-dirs.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

/** A fresh temp directory, removed after the test. */
export const tempDir = (prefix?: string): Promise<string> => dirs.make(prefix);

/** Entries of `dir` that are temp files or locks left behind. */
export async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'));
}
