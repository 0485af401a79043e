import type { DocumentStore, StoredVersion } from '../contract.js';
import { sha256Hex } from '../commit/sha256.js';
import { ioError, type PreventionError } from '../errors.js';
import { inspectContent, type ContentInspection, type ContentSettings } from './inspect-content.js';
import type { InspectionBaseline, MissingFile, UnreadableFile } from './inspect-file.js';

/** A stored document's current version, read and hashed; its content is checked only on request. */
export interface PresentDocument extends InspectionBaseline {
  state: 'present';
  bytes: Buffer;
  sha256: string;
  /** Parses the bytes and checks them against the document's limits and schema (see `PresentFile.content`). */
  content(settings: ContentSettings): ContentInspection;
}

/** The outcome of {@link inspectStored}. */
export type StoredInspection = MissingFile | UnreadableFile | PresentDocument;

async function baselineOf(store: DocumentStore, name: string): Promise<InspectionBaseline> {
  try {
    return { lastCommit: await store.lastRecord(name), journalError: undefined };
  } catch (err) {
    return { lastCommit: undefined, journalError: ioError('reading the commit record', name, err) };
  }
}

/**
 * Looks at one document in a store the way `inspectFile` looks at a file, for a store whose
 * documents are not files on this machine (a database): load the current version, sha256, and
 * the commit record, read after the bytes so that a commit landing in between shows as a
 * mismatch rather than hiding one. Takes no lock and changes nothing.
 *
 * The store's failures are reported in the result (`unreadable` with the store's own message,
 * which never carries a secret such as a connection string's password), never thrown.
 */
export async function inspectStored(store: DocumentStore, name: string): Promise<StoredInspection> {
  let loaded;
  try {
    loaded = await store.load(name);
  } catch (err) {
    const error: PreventionError = ioError('reading', name, err);
    return { state: 'unreadable', reason: error.message, error, ...(await baselineOf(store, name)) };
  }
  if (!loaded) return { state: 'missing', ...(await baselineOf(store, name)) };
  // Asked without `unless`, a store always returns the content with the head.
  const stored = (loaded as StoredVersion).bytes;
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const sha256 = sha256Hex(bytes);
  return { state: 'present', bytes, sha256, ...(await baselineOf(store, name)), content: (settings) => inspectContent(bytes, name, settings) };
}
