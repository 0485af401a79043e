import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { publishInput } from '../events.mjs';

/**
 * The embedded-database reference: one row per event, WAL journal, synchronous=FULL (every
 * commit fsyncs the WAL). An append writes a few pages, not the whole history, which is what a
 * single JSON document cannot do.
 */

function connect(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Processes wait for the write lock rather than fail with SQLITE_BUSY.
  db.pragma('busy_timeout = 30000');
  db.exec('CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL, timestamp TEXT NOT NULL, payload TEXT NOT NULL)');
  return db;
}

function inserter(db) {
  const insert = db.prepare('INSERT INTO events (id, type, source, timestamp, payload) VALUES (?, ?, ?, ?, ?)');
  return (input) => insert.run(randomUUID(), input.type, input.source, new Date().toISOString(), JSON.stringify(input.payload));
}

export default {
  id: 'better-sqlite3',
  name: 'better-sqlite3 (WAL, FULL)',
  note: 'one row per event, WAL, synchronous=FULL, busy_timeout for multi-process',
  safeAcrossProcesses: true,
  extension: 'sqlite',
  async seed(file, count) {
    const db = connect(file);
    const insert = inserter(db);
    db.transaction(() => {
      for (let i = 1; i <= count; i++) insert(publishInput(i, 'seed'));
    })();
    db.close();
  },
  async count(file) {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT count(*) AS n FROM events').get().n;
    } finally {
      db.close();
    }
  },
  async open(file) {
    const db = connect(file);
    const insert = inserter(db);
    return {
      async append(input) {
        insert(input);
      },
      async close() {
        db.close();
      },
    };
  },
};
