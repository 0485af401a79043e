import path from 'node:path';
import { sha256Hex, stateDirFor } from '@prevention/core';

/**
 * The directory holding one strategy's backups of `file`.
 *
 * By default it is `<dir of file>/.prevention/backups/<basename>/<type>`. With a configured
 * `dir`, several data files may share it, and two of them can have the same name in different
 * folders; a short hash of the data file's path keeps their backups apart, so a restore can
 * never bring back another file's content.
 */
export function backupDirFor(file: string, type: string, dir: string | undefined): string {
  const name = path.basename(file);
  if (dir === undefined) return path.join(stateDirFor(file), 'backups', name, type);
  return path.join(dir, `${name}.${sha256Hex(Buffer.from(file, 'utf8')).slice(0, 12)}`, type);
}
