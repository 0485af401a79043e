import path from 'node:path';
import { ErrorCodes, systemErrorCode, type EngineApi, type FileSystem } from '@prevention/core';
import { RequestError } from './request-error.js';

function unsafe(message: string, given: string): RequestError {
  return new RequestError(ErrorCodes.UNSAFE_PATH, `${message}: ${JSON.stringify(given)}`, 'name the file by its path relative to the project root, without `..`, and not through a link leading outside it', undefined, {
    details: { path: given },
  });
}

/**
 * The segments of a `{file}` path as the client percent-encoded them. Done by hand, not with
 * `URL`: URL parsing resolves `..` and `%2e%2e` segments away, so `/v1/files/../x` would reach
 * the handler as `/v1/x` and never be refused.
 */
function decodeSegments(encoded: string): string[] {
  if (encoded === '') throw unsafe('no file named', encoded);
  if (encoded.startsWith('/')) throw unsafe('an absolute path is not a project file', encoded);
  return encoded.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new RequestError(ErrorCodes.BAD_REQUEST, `the file path is not valid percent-encoding: ${JSON.stringify(encoded)}`, 'percent-encode each segment of the path (encodeURIComponent)');
    }
    if (decoded === '') throw unsafe('an empty path segment is not allowed', encoded);
    if (decoded.includes('\0')) throw unsafe('a NUL byte is not allowed in a path', encoded);
    if (decoded.includes('/')) throw unsafe('a segment may not hold an encoded "/" (an absolute path, or a path hidden in one segment)', encoded);
    if (decoded === '..' || decoded === '.') throw unsafe('"." and ".." segments are not allowed', encoded);
    return decoded;
  });
}

/** How many link-free paths {@link RequestPaths} remembers. */
const MAX_REMEMBERED_PATHS = 1_000;

/** True when `inner` is `outer` or lies below it. */
function isWithin(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * Where `absolute` really lies: the real path of its deepest existing ancestor (the file itself
 * when it exists), with the parts that do not exist yet appended. A symbolic link anywhere on
 * the way is followed, so a link pointing outside the project is seen for what it is.
 */
async function realLocation(fs: FileSystem, absolute: string): Promise<string> {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(await fs.realpath(current), ...missing.reverse());
    } catch (err) {
      const parent = path.dirname(current);
      if (systemErrorCode(err) !== 'ENOENT' || parent === current) throw err;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves the `{file}` of a request to the absolute path of a file the engine manages, or
 * refuses it: 400 `PREVENTION_UNSAFE_PATH` for a path that could leave the project (`..`, an
 * absolute path, NUL, a link leading outside), 404 `PREVENTION_UNKNOWN_FILE` for one no
 * `files` entry of the config covers. Nothing is created or changed while deciding.
 *
 * A path found free of links (its real location is the path itself) is remembered, so the
 * requests after the first cost no file system call here: following the links costs a `lstat`
 * per segment, the largest part of a publish's own work in the service when many arrive at
 * once. What it could miss, a link planted later, the engine refuses itself with the same
 * 400 `PREVENTION_UNSAFE_PATH`: it holds every directory of a managed file to where it was on
 * first use, and never reads or replaces a link at the file's name. A path that went through a
 * link (one inside the project) is checked again on every request.
 */
export class RequestPaths {
  private realRoot: string | undefined;
  /** Paths resolved without a link, by their encoded form, oldest first. */
  private readonly plain = new Map<string, string>();

  constructor(
    private readonly engine: EngineApi,
    private readonly fs: FileSystem,
    /** The project root: the config file's directory. */
    readonly root: string,
  ) {}

  async resolve(encoded: string): Promise<string> {
    const known = this.plain.get(encoded);
    if (known !== undefined) return known;
    const segments = decodeSegments(encoded);
    const absolute = path.join(this.root, ...segments);
    this.realRoot ??= await this.fs.realpath(this.root);
    let real: string;
    try {
      real = await realLocation(this.fs, absolute);
    } catch (err) {
      // ELOOP, EACCES, ENOTDIR...: a path that cannot be followed is not one to write through.
      throw unsafe(`the path cannot be resolved (${systemErrorCode(err) ?? String(err)})`, encoded);
    }
    if (!isWithin(this.realRoot, real)) throw unsafe('the path leads outside the project root', encoded);
    if (!this.covers(absolute)) {
      throw new RequestError(ErrorCodes.UNKNOWN_FILE, `${segments.join('/')} is not a file the project config covers`, 'name a file covered by `files` in the project config (paths are relative to the project root)', undefined, {
        details: { path: segments.join('/') },
      });
    }
    if (real === path.join(this.realRoot, ...segments)) this.remember(encoded, absolute);
    return absolute;
  }

  private remember(encoded: string, absolute: string): void {
    // Bounded: a glob can cover more names than a service should keep.
    if (this.plain.size >= MAX_REMEMBERED_PATHS) this.plain.delete(this.plain.keys().next().value!);
    this.plain.set(encoded, absolute);
  }

  private covers(absolute: string): boolean {
    return this.engine.configuredFiles().includes(absolute) || this.engine.fileGlobs().some((glob) => glob.matches(absolute));
  }
}
