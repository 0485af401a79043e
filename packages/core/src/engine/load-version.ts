import { readLastCommit } from '../commit/commit-journal.js';
import { sha256Hex } from '../commit/sha256.js';
import { ErrorCodes, ioError, PreventionError, systemErrorCode } from '../errors.js';
import type { FileStats, FileSystem } from '../fs/file-system.js';
import { parseDocument } from '../json/parse-document.js';
import type { CurrentVersion } from '../pipeline/middleware.js';
import type { DocumentCache } from './document-cache.js';

/**
 * Reads the committed version of `file`, re-using the cached parse when the file is provably
 * the version cached (same inode, size and times) or has the same bytes. A file that never
 * existed is `undefined`; a symlink or other non-regular file is refused, never followed;
 * unparseable content is `PREVENTION_CORRUPT_DOCUMENT`, and so is a missing file that the commit
 * journal says was committed.
 */
export async function loadVersion(
  services: { fs: FileSystem; cache: DocumentCache },
  file: string,
  maxDepth: number,
): Promise<CurrentVersion | undefined> {
  const { fs, cache } = services;
  let stats: FileStats;
  try {
    stats = await fs.lstat(file);
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return missing(fs, file);
    throw ioError('reading the current version', file, err);
  }
  if (!stats.isFile()) {
    throw new PreventionError(
      ErrorCodes.UNSAFE_PATH,
      `${file} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; prevention refuses to follow or replace it. Move it away and retry`,
      { file },
    );
  }
  const cached = cache.get(file, stats);
  if (cached) return cached;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    if (systemErrorCode(err) === 'ELOOP') {
      throw new PreventionError(ErrorCodes.UNSAFE_PATH, `${file} became a symbolic link; prevention refuses to follow it`, { file, cause: err });
    }
    if (systemErrorCode(err) === 'ENOENT') return missing(fs, file);
    throw ioError('reading the current version', file, err);
  }
  const sha256 = sha256Hex(bytes);
  const previous = cache.peek(file);
  const document = previous && previous.sha256 === sha256 ? previous.document : parseDocument(bytes, file, { maxDepth });
  const version: CurrentVersion = { document, bytes, sha256, stats };
  cache.set(file, version);
  return version;
}

/**
 * A missing file. If the commit journal says it was committed, it was deleted from outside:
 * reading it as new (the initial document) would drop every acknowledged write, and the next
 * commit would make that permanent, so it is corrupt (and restored from backups by default).
 */
async function missing(fs: FileSystem, file: string): Promise<undefined> {
  const last = await readLastCommit(fs, file).catch(() => undefined);
  if (!last) return undefined;
  throw new PreventionError(
    ErrorCodes.CORRUPT_DOCUMENT,
    `${file} is missing, but it was committed at ${last.at}: it was deleted from outside. It is not read or recreated as empty; restore it from a backup (prevention restore)`,
    { file, details: { reason: 'deleted', lastCommit: last } },
  );
}
