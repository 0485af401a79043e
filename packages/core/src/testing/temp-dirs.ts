import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemErrorCode } from '../errors.js';
import type { FileSystem } from '../contract.js';
import { NodeFileSystem } from '../fs/node-file-system.js';

/** Removes `target` and everything below it; symbolic links are removed, never followed. */
async function removeTree(fs: FileSystem, target: string): Promise<void> {
  const stats = await fs.lstat(target).catch((err: unknown) => {
    if (systemErrorCode(err) === 'ENOENT') return undefined;
    throw err;
  });
  if (!stats) return;
  if (!stats.isDirectory()) return fs.unlink(target);
  await Promise.all((await fs.readdir(target)).map((name) => removeTree(fs, path.join(target, name))));
  await fs.rmdir(target);
}

/**
 * Fresh temporary directories for tests, and their removal. It registers no hook of its own, so
 * this entry point loads without any test runner: the suite removes them after each test, with
 * its runner's hook, for example
 *
 * ```ts
 * const dirs = new TempDirs();
 * afterEach(() => dirs.removeAll());
 * ```
 */
export class TempDirs {
  private readonly made: string[] = [];

  constructor(private readonly fs: FileSystem = new NodeFileSystem()) {}

  /**
   * Makes an empty directory `<parent>/<prefix><random>`, readable by its owner only. `parent`
   * defaults to the OS temp directory; one on a RAM disk (`/dev/shm`) spares a test that needs no
   * real disk's durability its slow fsyncs.
   */
  async make(prefix = 'prevention-', parent = tmpdir()): Promise<string> {
    const dir = path.join(parent, `${prefix}${randomBytes(6).toString('hex')}`);
    // Not recursive: an existing directory of that name fails, as mkdtemp does.
    await this.fs.mkdir(dir, { mode: 0o700 });
    this.made.push(dir);
    return dir;
  }

  /** Removes every directory made since the last call, with all it holds. */
  async removeAll(): Promise<void> {
    await Promise.all(this.made.splice(0).map((dir) => removeTree(this.fs, dir)));
  }
}
