import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A RAM-backed directory where fsync costs nothing, when the machine has one. */
export const MEMORY_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/**
 * A fresh temp directory, removed after the test. `parent` defaults to the OS temp dir; tests
 * that do not need a real disk's durability may pass {@link MEMORY_DIR} to skip slow fsyncs.
 */
export async function tempDir(prefix = 'prevention-test-', parent = tmpdir()): Promise<string> {
  const dir = await mkdtemp(path.join(parent, prefix));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
