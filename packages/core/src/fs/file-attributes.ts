import type { FileStats } from './file-system.js';

/** A data file's permission bits and owner: what a new version of it, or a restore, must keep. */
export interface FileAttributes {
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
}

/** The attributes of a file with `stats`. */
export function attributesOf(stats: FileStats): FileAttributes {
  return { mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
}
