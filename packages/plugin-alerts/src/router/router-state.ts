import path from 'node:path';
import { atomicWriteFile, type FileSystem } from '@prevention/core';
import type { NotificationEntry } from './notification-log.js';
import type { Silence } from './silences.js';

/** What the router keeps across restarts. */
export interface RouterStateData {
  version: 1;
  notifications: NotificationEntry[];
  silences: Silence[];
}

/**
 * The router's state file, written through the FileSystem port with an atomic replace so a
 * crash leaves either the previous or the new state, never a torn one. Saves are coalesced:
 * while one runs, later requests collapse into one more save of the latest state.
 */
export class RouterStateFile {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly fs: FileSystem,
    readonly file: string,
    private readonly snapshot: () => RouterStateData,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Reads the saved state; a missing file is a first start. An unreadable one is reported and replaced. */
  async load(): Promise<RouterStateData | undefined> {
    let bytes: Buffer;
    try {
      bytes = await this.fs.readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const data = JSON.parse(bytes.toString('utf8')) as Partial<RouterStateData>;
      if (data.version !== 1 || !Array.isArray(data.notifications) || !Array.isArray(data.silences)) throw new Error('unknown layout');
      return data as RouterStateData;
    } catch (err) {
      // Losing the dedupe record costs at worst one repeated notification; refusing to start
      // would cost every alert, so the bad state is reported and overwritten.
      this.onError(err);
      return undefined;
    }
  }

  /** Asks for a save of the current state; resolves when a save that includes it is done. */
  save(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.write().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async write(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.fs.mkdir(path.dirname(this.file), { recursive: true });
        await atomicWriteFile(this.fs, this.file, Buffer.from(JSON.stringify(this.snapshot())), { label: 'saving the alert router state' });
      } catch (err) {
        this.onError(err);
      }
    } while (this.again);
  }
}
