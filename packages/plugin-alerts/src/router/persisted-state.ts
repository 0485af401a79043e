import type { Clock, FileSystem, Logger } from '@prevention/core';
import { NotificationLog } from './notification-log.js';
import { RouterStateFile } from './router-state.js';
import { Silences } from './silences.js';

/** Settings of a {@link PersistedState}. */
export interface PersistedStateOptions {
  fs: FileSystem;
  /** The state file. */
  file: string;
  clock: Clock;
  logger: Logger;
  /** How long the record of a notification is kept, in milliseconds. */
  retentionMs: number;
}

/**
 * What the router keeps across restarts: the record of what each sink was told, which the
 * dedupe decisions are made from, and the silences; saved to the state file.
 */
export class PersistedState {
  private notifications = new NotificationLog();
  private silenceList = new Silences();
  private readonly file: RouterStateFile;

  constructor(options: PersistedStateOptions) {
    const { clock, logger, retentionMs } = options;
    this.file = new RouterStateFile(
      options.fs,
      options.file,
      () => {
        const now = clock.now();
        this.notifications.prune(now, retentionMs);
        return { version: 1, notifications: this.notifications.toJSON(), silences: this.silenceList.active(now) };
      },
      (err) => logger.error({ err, file: options.file }, 'alert router state could not be read or saved; notifications may repeat after a restart'),
    );
  }

  /** The record of what was sent. */
  get log(): NotificationLog {
    return this.notifications;
  }

  get silences(): Silences {
    return this.silenceList;
  }

  /** Takes the saved state, if there is one; an unreadable file is reported and replaced at the next save. */
  async load(): Promise<void> {
    const saved = await this.file.load();
    if (saved) {
      this.notifications = new NotificationLog(saved.notifications);
      this.silenceList = new Silences(saved.silences);
    }
  }

  /** Asks for a save; resolves when a save that includes the current state is done. */
  save(): Promise<void> {
    return this.file.save();
  }
}
