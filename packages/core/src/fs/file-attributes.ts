import type { FileStats, FileAttributes } from '../contract.js';

/** The attributes of a file with `stats`. */
export function attributesOf(stats: FileStats): FileAttributes {
  return { mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
}
