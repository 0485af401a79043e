import { inspectFile, inspectStored, type EngineApi, type FileSystem, type InspectedFile, type StoredInspection } from '@prevention/core';

/**
 * Reads a document's committed version where the engine keeps it: the file on disk, where a
 * symbolic link or a directory in its place is reported too, or the engine's store when that
 * keeps it elsewhere (a database: the document is not a file on this machine).
 */
export function inspectDocument(engine: EngineApi, fs: FileSystem, file: string): Promise<InspectedFile | StoredInspection> {
  const { store } = engine;
  return store.kind === 'file' ? inspectFile(fs, file) : inspectStored(store, file);
}
