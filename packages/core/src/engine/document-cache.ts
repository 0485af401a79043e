import type { FileStats, CurrentVersion } from '../contract.js';

/** True when two stats describe the same unchanged file version. */
export function sameVersion(a: FileStats, b: FileStats): boolean {
  return (
    a.ino === b.ino &&
    a.dev === b.dev &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    // Not ctime: rename updates it, and a commit's identity is taken before its rename.
    a.birthtimeNs === b.birthtimeNs
  );
}

/**
 * The last version of each file this engine read or committed, parsed. It is only served when
 * the file's inode, size and times are exactly those recorded, so a version another process
 * committed (always a new inode, by rename) or an outside edit is never mistaken for it.
 */
export class DocumentCache {
  private readonly versions = new Map<string, CurrentVersion>();

  /** The cached version if `stats` show the file has not changed since. */
  get(file: string, stats: FileStats): CurrentVersion | undefined {
    const version = this.versions.get(file);
    return version && sameVersion(version.stats, stats) ? version : undefined;
  }

  /** The cached version whatever the file looks like now (for re-use after a byte comparison). */
  peek(file: string): CurrentVersion | undefined {
    return this.versions.get(file);
  }

  set(file: string, version: CurrentVersion): void {
    this.versions.set(file, version);
  }

  delete(file: string): void {
    this.versions.delete(file);
  }

  clear(): void {
    this.versions.clear();
  }
}
