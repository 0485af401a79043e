import { sha256Hex } from '../commit/sha256.js';
import { ErrorCodes, ioError, PreventionError, systemErrorCode } from '../errors.js';
import type { FileStats, FileSystem } from '../fs/file-system.js';
import { parseDocument } from '../json/parse-document.js';
import type { CurrentVersion } from '../pipeline/middleware.js';
import type { DocumentCache } from './document-cache.js';

/**
 * Reads the committed version of `file`, re-using the cached parse when the file is provably
 * the version cached (same inode, size and times) or has the same bytes. A missing file is
 * `undefined`; a symlink or other non-regular file is refused, never followed; unparseable
 * content is `PREVENTION_CORRUPT_DOCUMENT`.
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
    if (systemErrorCode(err) === 'ENOENT') return undefined;
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
    if (systemErrorCode(err) === 'ENOENT') return undefined;
    throw ioError('reading the current version', file, err);
  }
  const sha256 = sha256Hex(bytes);
  const previous = cache.peek(file);
  const document = previous && previous.sha256 === sha256 ? previous.document : parseDocument(bytes, file, { maxDepth });
  const version: CurrentVersion = { document, bytes, sha256, stats };
  cache.set(file, version);
  return version;
}
