import type { FileSystem } from '../contract.js';
import { systemErrorCode } from '../errors.js';

/**
 * The replaced versions that commits kept linked past their renames (see
 * `AtomicWriteOptions.keepReplaced`), being unlinked in the background, by file: freeing their
 * blocks runs beside the rest of the commit instead of inside its rename. A commit is
 * acknowledged only once the versions it replaced are gone, so none outlives it.
 */
export class ReplacedVersions {
  private readonly pending = new Map<string, Promise<void>>();

  /** `left` hears of a version whose unlink failed: it is still beside the file, for a sweep. */
  constructor(
    private readonly fs: FileSystem,
    private readonly left: (file: string) => void,
  ) {}

  /** Starts unlinking `link`, a replaced version of `file`. */
  drop(file: string, link: string): void {
    const done = this.fs.unlink(link).catch((err: unknown) => {
      // Gone already: another writer's sweep took it, which is as good.
      if (systemErrorCode(err) !== 'ENOENT') this.left(file);
    });
    const before = this.pending.get(file);
    const all = before ? before.then(() => done) : done;
    this.pending.set(file, all);
    void all.then(() => {
      if (this.pending.get(file) === all) this.pending.delete(file);
    });
  }

  /** Settles once every replaced version of `file` dropped so far is unlinked (or left to a sweep). */
  dropped(file: string): Promise<void> {
    return this.pending.get(file) ?? Promise.resolve();
  }
}
