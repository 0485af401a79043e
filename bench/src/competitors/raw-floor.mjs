import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { jsonFileCompetitor } from './json-store.mjs';

let temps = 0;

/**
 * The least any durable rewrite of the file can cost: temp file written in full, fsynced,
 * renamed over the target, then the directory fsynced so the rename survives a power cut.
 * No lock and no validation, so it is a single-writer floor, not a safe multi-process store.
 */
async function durableReplace(file, text) {
  const temp = `${file}.${process.pid}.${temps++}.tmp`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export default jsonFileCompetitor({
  id: 'raw-floor',
  name: 'raw floor',
  note: 'hand-written: read, parse, append, stringify, temp write, fsync, rename, directory fsync; no lock',
  write: durableReplace,
});
