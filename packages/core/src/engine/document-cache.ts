import type { CurrentVersion, VersionToken } from '../contract.js';

/**
 * The last version of each document this engine read or committed, parsed. It is only served
 * for the very version cached (the same store token), so a version another process committed or
 * an outside edit is never mistaken for it.
 */
export class DocumentCache {
  private readonly versions = new Map<string, CurrentVersion>();

  /** The cached version if it is the one with `token`. */
  get(file: string, token: VersionToken): CurrentVersion | undefined {
    const version = this.versions.get(file);
    return version?.token === token ? version : undefined;
  }

  /** The cached version whatever the document holds now (for re-use after a byte comparison). */
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
