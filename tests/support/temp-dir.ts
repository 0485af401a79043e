import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { TempDirs } from '@prevention/core/testing';
import { afterEach } from 'vitest';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

/** A RAM-backed directory where fsync costs nothing, when the machine has one. */
export const MEMORY_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/**
 * A fresh temp directory, removed after the test. `parent` defaults to the OS temp dir; tests
 * that do not need a real disk's durability may pass {@link MEMORY_DIR} to skip slow fsyncs.
 */
export const tempDir = (prefix = 'prevention-test-', parent?: string): Promise<string> => dirs.make(prefix, parent);
