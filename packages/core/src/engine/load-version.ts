import type { FileSettings, CurrentVersion, DocumentStore } from '../contract.js';
import { lastCommitOf, standingOf, type CommitWitnesses } from '../commit/commit-witness.js';
import { sha256Hex } from '../commit/sha256.js';
import { ErrorCodes, ioError, PreventionError } from '../errors.js';
import { parseDocument } from '../json/parse-document.js';
import { readAppended } from '../json/serialize-document.js';
import type { DocumentCache } from './document-cache.js';
import { lastCommittedDocument } from './last-committed-document.js';
import { appendsOnly } from './outside-events.js';

/** What loading a version needs: the store, the engine's cache, and the commit records. */
export interface LoadServices extends CommitWitnesses {
  store: Pick<DocumentStore, 'head' | 'load' | 'lastRecord'>;
  cache: DocumentCache;
}

/**
 * A lock-free reader can read the document just before a commit's switch and the commit record
 * just after it: an outside write (or deletion) is only believed once the document is seen
 * unchanged around the judgement.
 */
const JUDGE_ATTEMPTS = 5;

/** The settings loading applies. */
type LoadSettings = Pick<FileSettings, 'maxDepth' | 'acceptOutsideAppends'>;

/**
 * Reads the current version of `file`, re-using the cached parse when the store says it is the
 * version cached (same token) or it has the same bytes. A document that never existed is
 * `undefined`; unparseable content is `PREVENTION_CORRUPT_DOCUMENT`, and so is a missing
 * document that the commit record or the backups say was committed. A version that is not the
 * last commit prevention made comes back with `outside` set and is not cached: what happens to
 * it is the caller's policy ({@link outsideWriteRefusal}).
 */
export function loadVersion(services: LoadServices, file: string, settings: LoadSettings): Promise<CurrentVersion | undefined> {
  return load(services, file, settings, 1);
}

async function load(services: LoadServices, file: string, settings: LoadSettings, attempt: number): Promise<CurrentVersion | undefined> {
  const { store, cache } = services;
  const cachedToken = cache.peek(file)?.token;
  const found = await store.load(file, { unless: cachedToken });
  if (!found) return missing(services, file, settings, attempt);
  if (!('bytes' in found)) {
    const cached = cache.get(file, found.token);
    // Replaced in the cache while the store looked (by a commit of this engine): ask again.
    if (!cached) return load(services, file, settings, attempt);
    // Same content, but the mode and owner are today's: a chmod since the last commit must not
    // be undone by the next one.
    if (sameAttributes(cached, found)) return cached;
    const refreshed = { ...cached, attributes: found.attributes };
    cache.set(file, refreshed);
    return refreshed;
  }
  const { bytes, token, attributes } = found;
  const previous = cache.base(file);
  // Another process's append to the version cached (or seeded): only the new items are parsed
  // (and hashed), and the parse, wrapped in an array one level up, gets every check a load does.
  const extended = previous && readAppended(previous, bytes, (items) => parseDocument(items, file, { maxDepth: settings.maxDepth - 1 }));
  const sha256 = extended ? extended.sha256 : sha256Hex(bytes);
  const document = extended ? extended.document : previous && previous.sha256 === sha256 ? previous.document : parseDocument(bytes, file, { maxDepth: settings.maxDepth });
  const standing = await standingOf(services, file, sha256).catch((err: unknown) => {
    throw ioError('reading the commit records', file, err);
  });
  if (standing.kind !== 'outside') {
    const version: CurrentVersion = { document, bytes, sha256, token, attributes };
    cache.set(file, version);
    return version;
  }
  const after = await store.head(file).catch(() => undefined);
  if (attempt < JUDGE_ATTEMPTS && after?.token !== token) return load(services, file, settings, attempt + 1);
  const appended = settings.acceptOutsideAppends && appendsOnly(await lastCommittedDocument(services, file, standing.lastCommit, settings.maxDepth), document);
  return { document, bytes, sha256, token, attributes, outside: standing.lastCommit, ...(appended ? { appended } : {}) };
}

function sameAttributes(a: Pick<CurrentVersion, 'attributes'>, b: Pick<CurrentVersion, 'attributes'>): boolean {
  return a.attributes?.mode === b.attributes?.mode && a.attributes?.uid === b.attributes?.uid && a.attributes?.gid === b.attributes?.gid;
}

/**
 * What the file's `onOutsideWrite` policy makes of a loaded outside write, for a reader or a
 * writer: under `restore` it is damage to repair (`PREVENTION_CORRUPT_DOCUMENT`, reason
 * `modified`); under `alert-only` writers are refused (`PREVENTION_OUTSIDE_WRITE`) while readers
 * see the file as it is; under `accept` it is the current version. Undefined when it may be used.
 *
 * An outside write that only appended events to the last commit, under the file's
 * `acceptOutsideAppends`, is adopted whatever the policy (an older bus's publish).
 *
 * `restore` needs a backup to restore from. With no backup strategy configured there is none
 * (nor a witness beyond the unsynced journal, whose last line a crash between a commit's rename
 * and its journal append can miss), so the version is adopted the way `accept` adopts it, with
 * the same `outside-write:accepted` report: refusing would only block every writer on a file
 * nothing can repair.
 */
export function outsideWriteRefusal(
  file: string,
  version: CurrentVersion | undefined,
  policy: FileSettings['onOutsideWrite'],
  use: 'read' | 'write',
  canRestore: boolean,
): PreventionError | undefined {
  const lastCommit = version?.outside;
  if (!lastCommit || version.appended || policy === 'accept' || (policy === 'restore' && !canRestore) || (policy === 'alert-only' && use === 'read')) return undefined;
  const details = { reason: 'modified', lastCommit, foundSha256: version.sha256, policy };
  const what = `${file} was changed outside prevention: its content (sha256 ${version.sha256.slice(0, 12)}…) is not the last commit prevention made (${lastCommit.sha256.slice(0, 12)}…, ${lastCommit.at})`;
  if (policy === 'restore') {
    return new PreventionError(ErrorCodes.CORRUPT_DOCUMENT, `${what}. Its policy is to restore the last commit (prevention restore), keeping the outside version in quarantine`, { file, details });
  }
  return new PreventionError(
    ErrorCodes.OUTSIDE_WRITE,
    `${what}, and its onOutsideWrite policy is alert-only, so writes are refused. Put the last commit back (prevention restore) or set onOutsideWrite: 'accept' to adopt the outside version`,
    { file, details },
  );
}

/**
 * A missing file. If the commit journal or a backup says it was committed, it was deleted from
 * outside: reading it as new (the initial document) would drop every acknowledged write, and the
 * next commit would make that permanent, so it is corrupt (and restored from backups by default).
 */
async function missing(services: LoadServices, file: string, settings: LoadSettings, attempt: number): Promise<CurrentVersion | undefined> {
  const last = await lastCommitOf(services, file).catch((err: unknown) => {
    throw ioError('reading the commit records', file, err);
  });
  if (!last) return undefined;
  // The record may be of a commit that created the document after it was looked for.
  const now = await services.store.head(file).catch(() => undefined);
  if (now && attempt < JUDGE_ATTEMPTS) return load(services, file, settings, attempt + 1);
  throw new PreventionError(
    ErrorCodes.CORRUPT_DOCUMENT,
    `${file} is missing, but it was committed at ${last.at}: it was deleted from outside. It is not read or recreated as empty; restore it from a backup (prevention restore)`,
    { file, details: { reason: 'deleted', lastCommit: last } },
  );
}
