import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** Delay of the check that follows the last event of a burst. */
const FOLLOW_UP_MS = 50;

/**
 * Watches the monitored files for any change with chokidar. It watches each file's directory
 * (one level deep), so a file deleted, renamed over or recreated keeps being seen, and lets
 * through only the monitored paths: prevention's own temp files, locks, backups and journal
 * never wake the monitor. Events are hints only; the scheduled validation catches what they miss.
 *
 * chokidar drops a change whose file times equal the previous event's, and file times come from
 * a coarse clock: a damage landing a few milliseconds after a commit can go unannounced. So
 * every burst of events is followed by one more check {@link FOLLOW_UP_MS} after its last event.
 */
export class FileWatcher {
  private watcher: FSWatcher | undefined;
  private readonly followUps = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly files: readonly string[],
    private readonly onChange: (file: string) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts watching; resolves once the initial scan is done. */
  start(): Promise<void> {
    const files = new Set(this.files);
    const dirs = new Set(this.files.map((file) => path.dirname(file)));
    const watcher = watch([...dirs], {
      depth: 0,
      ignoreInitial: true,
      // Report unlinks at once: the check itself tells a deletion from an atomic replace.
      atomic: false,
      ignored: (candidate: string) => !files.has(candidate) && !dirs.has(candidate),
    });
    this.watcher = watcher;
    watcher.on('all', (_event, changed) => {
      if (!files.has(changed)) return;
      this.onChange(changed);
      clearTimeout(this.followUps.get(changed));
      const timer = setTimeout(() => {
        this.followUps.delete(changed);
        this.onChange(changed);
      }, FOLLOW_UP_MS);
      timer.unref();
      this.followUps.set(changed, timer);
    });
    watcher.on('error', this.onError);
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    for (const timer of this.followUps.values()) clearTimeout(timer);
    this.followUps.clear();
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
