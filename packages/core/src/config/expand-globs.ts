import path from 'node:path';
import { journaledFileIn, isInternalName, STATE_DIR_NAME } from '../store/file-layout.js';
import type { FileStats, FileSystem, FileGlob } from '../contract.js';
import { ioError, systemErrorCode } from '../errors.js';

/** The entry went away (or its directory became a file) while being listed: there is nothing to list. */
function vanished(err: unknown): boolean {
  const code = systemErrorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function entriesOf(fs: FileSystem, dir: string, glob: FileGlob): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if (vanished(err)) return [];
    throw ioError(`listing the files matching ${glob.pattern}`, dir, err);
  }
}

async function statusOf(fs: FileSystem, entry: string, glob: FileGlob): Promise<FileStats | undefined> {
  try {
    return await fs.lstat(entry);
  } catch (err) {
    if (vanished(err)) return undefined;
    throw ioError(`listing the files matching ${glob.pattern}`, entry, err);
  }
}

/** Adds the files of `dir` that have a commit journal: whether or not they exist now, prevention committed them. */
async function addJournaled(fs: FileSystem, glob: FileGlob, dir: string, found: Set<string>): Promise<void> {
  const stateDir = path.join(dir, STATE_DIR_NAME);
  if (!(await statusOf(fs, stateDir, glob))?.isDirectory()) return;
  for (const name of await entriesOf(fs, stateDir, glob)) {
    const file = journaledFileIn(dir, name);
    if (file !== undefined && glob.matches(file)) found.add(file);
  }
}

async function walk(fs: FileSystem, glob: FileGlob, dir: string, depth: number, found: Set<string>): Promise<void> {
  const names = await entriesOf(fs, dir, glob);
  await Promise.all(
    names.map(async (name) => {
      if (name === STATE_DIR_NAME) return addJournaled(fs, glob, dir, found);
      if (isInternalName(name)) return;
      const entry = path.join(dir, name);
      // lstat, so a symbolic link is neither a file to list nor a directory to enter.
      const stats = await statusOf(fs, entry, glob);
      if (stats?.isDirectory()) {
        if (depth < glob.depth) await walk(fs, glob, entry, depth + 1, found);
      } else if (stats?.isFile() && glob.matches(entry)) {
        found.add(entry);
      }
    }),
  );
}

/**
 * The files the globs cover now, sorted: the regular files matching one, found by walking its
 * base directory through the FileSystem port no deeper than the glob reaches, plus every
 * matching path that has a commit journal (a committed file that was deleted, or replaced by
 * something else, is still covered, so a monitor reports it). Prevention's own entries (state
 * directories, temp files, locks) are skipped, and symbolic links are never followed.
 *
 * A directory that vanishes while it is walked is skipped; any other failure to list one is
 * `PREVENTION_IO_FAILED`, because a silently shorter list would leave files unwatched.
 */
export async function expandGlobs(fs: FileSystem, globs: readonly FileGlob[]): Promise<string[]> {
  const found = new Set<string>();
  for (const glob of globs) await walk(fs, glob, glob.base, 0, found);
  return [...found].sort();
}
