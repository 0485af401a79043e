import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { toStored } from '../events.mjs';
import { countJson, seedJson } from './json-store.mjs';

/**
 * lowdb 7 on its JSONFile adapter (steno: temp file + rename, no fsync, no lock). The file is
 * shared, so each append reads it first, as any process that is not the file's only writer must.
 */
export default {
  id: 'lowdb',
  name: 'lowdb (steno)',
  note: 'read, push, db.write(): temp + rename without fsync; no lock',
  safeAcrossProcesses: false,
  extension: 'json',
  seed: seedJson,
  count: countJson,
  async open(file) {
    const db = new Low(new JSONFile(file), { events: [] });
    return {
      async append(input) {
        await db.read();
        db.data.events.push(toStored(input, (db.data.events.at(-1)?.seq ?? 0) + 1));
        await db.write();
      },
      async close() {},
    };
  },
};
