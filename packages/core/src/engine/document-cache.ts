import type { CurrentVersion, VersionToken } from '../contract.js';

/** A parsed version, with the sha256 of its bytes. */
export type ParseBase = Pick<CurrentVersion, 'document' | 'sha256'>;

/**
 * The last version of each document this engine read or committed, parsed. It is only served
 * for the very version cached (the same store token), so a version another process committed or
 * an outside edit is never mistaken for it.
 */
export class DocumentCache {
  private readonly versions = new Map<string, CurrentVersion>();
  private readonly seeds = new Map<string, ParseBase>();

  /** The cached version if it is the one with `token`. */
  get(file: string, token: VersionToken): CurrentVersion | undefined {
    const version = this.versions.get(file);
    return version?.token === token ? version : undefined;
  }

  /** The cached version whatever the document holds now (for re-use after a byte comparison). */
  peek(file: string): CurrentVersion | undefined {
    return this.versions.get(file);
  }

  /**
   * What a load may parse the document's new bytes against: the cached version, else a seed.
   * Whatever it finds is judged as a load always judges it.
   */
  base(file: string): ParseBase | undefined {
    return this.versions.get(file) ?? this.seeds.get(file);
  }

  /**
   * Keeps a parse of a version read without judging whose it is, only as a {@link base}: it is
   * never served as the current version. Replaced by the next version cached.
   */
  seed(file: string, base: ParseBase): void {
    if (!this.versions.has(file)) this.seeds.set(file, base);
  }

  set(file: string, version: CurrentVersion): void {
    this.versions.set(file, version);
    this.seeds.delete(file);
  }

  delete(file: string): void {
    this.versions.delete(file);
    this.seeds.delete(file);
  }

  clear(): void {
    this.versions.clear();
    this.seeds.clear();
  }
}
