import path from 'node:path';
import { atomicWriteFile, sweepTempFilesIn, type FileSystem } from '@prevention/core';
import { ioError } from '@prevention/core';

/** Node's code for a missing path. */
function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

/**
 * The mode of a backup of a file with `mode`: the same read/write bits, never more. Execute and
 * special bits are dropped because a backup is data, not a program.
 */
export function backupModeFor(mode: number): number {
  return mode & 0o666;
}

/**
 * Makes a backup directory ready for a save: creates it (private to the owner: backups may hold
 * anything the data holds) and removes temp files a save that died there left behind. Saves run
 * under the data file's lock, so any temp found then is such an orphan.
 */
export async function ensureBackupDir(fs: FileSystem, dir: string, file: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw ioError(`creating the backup directory ${dir}`, file, err);
  }
  await sweepTempFilesIn(fs, dir);
}

/** Writes one backup file atomically and durably (temp, fsync, rename, fsync dir), with `mode`. */
export async function writeBackupFile(fs: FileSystem, target: string, bytes: Uint8Array, mode: number): Promise<void> {
  await atomicWriteFile(fs, target, bytes, { mode, label: `writing the backup ${target}` });
}

/** Entry names of `dir`; none when it does not exist yet. */
export async function listDirectory(fs: FileSystem, dir: string, file: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw ioError(`listing the backup directory ${dir}`, file, err);
  }
}

/** Deletes a backup file; one already gone counts as deleted. */
export async function removeBackupFile(fs: FileSystem, target: string, file: string): Promise<void> {
  try {
    await fs.unlink(target);
  } catch (err) {
    if (!isMissing(err)) throw ioError(`deleting the backup ${target}`, file, err);
  }
}

/**
 * Takes away from every regular file directly in `dir` the permission bits `mode` lacks: for a
 * data file narrowed since its older backups were written, so they are no more readable than it.
 */
export async function narrowBackupFiles(fs: FileSystem, dir: string, mode: number, file: string): Promise<void> {
  for (const name of await listDirectory(fs, dir, file)) {
    const target = path.join(dir, name);
    let fd: number;
    try {
      fd = await fs.open(target, fs.flags.readNoFollow);
    } catch (err) {
      // Gone (pruned meanwhile), or a link or directory: not a backup to narrow.
      if (isMissing(err) || (err as { code?: unknown }).code === 'ELOOP') continue;
      throw ioError(`opening the backup ${target} to narrow its mode`, file, err);
    }
    try {
      const stats = await fs.fstat(fd);
      if (stats.isFile() && (stats.mode & 0o777 & ~mode) !== 0) await fs.fchmod(fd, stats.mode & 0o777 & mode);
    } catch (err) {
      throw ioError(`narrowing the mode of the backup ${target}`, file, err);
    } finally {
      await fs.close(fd).catch(() => undefined);
    }
  }
}

/** Reads a backup file. */
export async function readBackupFile(fs: FileSystem, target: string, file: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(target);
  } catch (err) {
    throw ioError(`reading the backup ${target}`, file, err);
  }
}

/** Reads a file that may not exist yet. */
export async function readIfExists(fs: FileSystem, target: string, file: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(target);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw ioError(`reading ${target}`, file, err);
  }
}

/** Permission bits of an existing backup file. */
export async function backupFileMode(fs: FileSystem, target: string, file: string): Promise<number> {
  try {
    return (await fs.stat(target)).mode & 0o777;
  } catch (err) {
    throw ioError(`reading the mode of ${target}`, file, err);
  }
}
