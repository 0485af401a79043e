import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { atomicWriteFile, type Alert, type FileSystem } from '@prevention/core';

/** A notification that could not be delivered yet. */
export interface SpoolEntry {
  /** The spool file name, which is also the entry's id. */
  id: string;
  /** The sink it is for. */
  sink: string;
  /** The alert group it belongs to. */
  group: string;
  alerts: Alert[];
  /** When it was spooled, epoch milliseconds. */
  spooledAt: number;
}

/**
 * The file sink's spool: a directory with one JSON file per undelivered notification, each
 * written atomically through the FileSystem port and removed once delivered. One file per
 * entry means delivering one never rewrites the others, and a crash loses none. Entries no
 * sink will ever take are set aside in its `dead-letter` subdirectory, kept but not retried.
 */
export class Spool {
  /** Where entries nothing will retry are kept for inspection. */
  readonly deadLetterDir: string;

  constructor(
    private readonly fs: FileSystem,
    /** The spool directory. */
    readonly dir: string,
  ) {
    this.deadLetterDir = path.join(dir, 'dead-letter');
  }

  /** Stores a notification for later delivery; returns its entry. */
  async add(sink: string, group: string, alerts: Alert[], now: number): Promise<SpoolEntry> {
    const id = `${String(now).padStart(15, '0')}-${randomBytes(4).toString('hex')}.json`;
    const entry: SpoolEntry = { id, sink, group, alerts, spooledAt: now };
    await this.fs.mkdir(this.dir, { recursive: true });
    await atomicWriteFile(this.fs, path.join(this.dir, id), Buffer.from(JSON.stringify(entry)), { label: 'spooling an alert' });
    return entry;
  }

  /** The spooled entries, oldest first. Unreadable files are skipped (and kept for inspection). */
  async list(): Promise<SpoolEntry[]> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const entries: SpoolEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      try {
        entries.push(JSON.parse((await this.fs.readFile(path.join(this.dir, name))).toString('utf8')) as SpoolEntry);
      } catch {
        // A file that is not a whole entry is left where it is; it is never delivered half.
      }
    }
    return entries;
  }

  /** Moves an entry, unchanged, out of the retry set into the dead-letter directory. */
  async setAside(id: string): Promise<void> {
    await this.fs.mkdir(this.deadLetterDir, { recursive: true });
    await this.fs.rename(path.join(this.dir, id), path.join(this.deadLetterDir, id));
  }

  /** Removes a delivered entry. */
  async remove(id: string): Promise<void> {
    try {
      await this.fs.unlink(path.join(this.dir, id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
