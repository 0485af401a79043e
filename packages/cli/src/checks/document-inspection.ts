import { inspectFile, inspectStored, type EngineApi, type FileSystem, type InspectedFile, type StoredInspection } from '@prevention/core';

/**
 * Reads a document's committed version where the engine keeps it: the config's store when it
 * names one (a database: the document is not a file on this machine), else the file on disk,
 * where a symbolic link or a directory in its place is reported too.
 */
export function inspectDocument(engine: EngineApi, fs: FileSystem, file: string): Promise<InspectedFile | StoredInspection> {
  const store = engine.config.store;
  return store ? inspectStored(store, file) : inspectFile(fs, file);
}
