import path from 'node:path';
import type { ChokidarOptions, FSWatcher, watch as chokidarWatch } from 'chokidar';
import { isInternalName, type FileGlob } from '@prevention/core';

/** An entry prevention made for itself (state directory, temp file, lock): never data. */
function isInternal(candidate: string): boolean {
  return isInternalName(path.basename(candidate));
}

/**
 * Watches the monitored files for any change with chokidar. It watches each named file's
 * directory (one level deep), so a file deleted, renamed over or recreated keeps being seen, and
 * each glob's base directory as deep as the glob reaches (chokidar has no globs: the config's
 * matcher filters), so files created later are seen too; symbolic links are not followed.
 * Only monitored or matching paths get through: prevention's own temp files, locks, backups and
 * journal never wake the monitor. Events are hints only; the scheduled validation catches what
 * they miss. chokidar does not wait for a missing directory to appear: a glob whose base does
 * not exist yet is watched once it does ({@link watchCreatedBases}).
 *
 * chokidar's `change` events are its judgement, not the kernel's: it compares file times and
 * drops a change whose mtime equals the last it saw (a write in place within one tick of the
 * clock, or by a tool that puts the times back, as `cp -p` and `rsync -t` do), and it throttles
 * a file's events without a trailing one. So every raw event of its directory watches is taken
 * too: the kernel names each entry that changed, whatever its times. The check decides.
 */
export class FileWatcher {
  private watchers: FSWatcher[] = [];
  /** Globs whose base directory did not exist when last tried. */
  private waiting: FileGlob[] = [];
  private readonly closing = new AbortController();
  /** chokidar's `watch`, imported by the first start: only a running monitor watches. */
  private watchWith: typeof chokidarWatch | undefined;

  constructor(
    private readonly files: readonly string[],
    private readonly globs: readonly FileGlob[],
    private readonly onChange: (file: string) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts watching; resolves once the initial scans are done. */
  async start(): Promise<void> {
    this.watchWith ??= (await import('chokidar')).watch;
    if (this.files.length > 0) await this.ready(this.watchNamedFiles());
    this.waiting = [...this.globs];
    await this.watchCreatedBases();
  }

  /** Starts watching the globs whose base directory has been created since the last try (the monitor calls it at every validation pass). */
  async watchCreatedBases(): Promise<void> {
    this.watchWith ??= (await import('chokidar')).watch;
    const tried = this.waiting.splice(0);
    await Promise.all(
      tried.map(async (glob) => {
        const watcher = this.watchGlob(glob);
        await this.ready(watcher);
        if (this.closing.signal.aborted || watcher.getWatched()[glob.base]) return;
        this.watchers = this.watchers.filter((w) => w !== watcher);
        await watcher.close();
        this.waiting.push(glob);
      }),
    );
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.waiting = [];
    await Promise.all(this.watchers.splice(0).map((watcher) => watcher.close()));
  }

  /** Resolves once the watcher's initial scan is done, or the watching is closed (chokidar then never reports ready). */
  private ready(watcher: FSWatcher): Promise<void> {
    const { signal } = this.closing;
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      watcher.once('ready', done);
      signal.addEventListener('abort', done);
    });
  }

  private watchNamedFiles(): FSWatcher {
    const files = new Set(this.files);
    const dirs = new Set(this.files.map((file) => path.dirname(file)));
    return this.watch([...dirs], { depth: 0, ignored: (candidate: string) => !files.has(candidate) && !dirs.has(candidate) }, (changed) => files.has(changed));
  }

  private watchGlob(glob: FileGlob): FSWatcher {
    return this.watch(
      glob.base,
      {
        depth: Number.isFinite(glob.depth) ? glob.depth : undefined,
        followSymlinks: false,
        // Directories must be entered to find matches below them, so only other entries are filtered by the pattern.
        ignored: (candidate, stats) => candidate !== glob.base && (isInternal(candidate) || (stats !== undefined && !stats.isDirectory() && !glob.matches(candidate))),
      },
      (changed) => glob.matches(changed) && !isInternal(changed),
    );
  }

  private watch(paths: string | string[], options: ChokidarOptions, relevant: (file: string) => boolean): FSWatcher {
    const watcher = this.watchWith!(paths, {
      ignoreInitial: true,
      // Report unlinks at once: the check itself tells a deletion from an atomic replace.
      atomic: false,
      ...options,
    });
    // Listed at once, so a close() during the initial scan closes it too.
    this.watchers.push(watcher);
    watcher.on('all', (_event, changed) => relevant(changed) && this.onChange(changed));
    watcher.on('raw', (_event, entry, details) => {
      // A directory's watch names the entry; a file's own watch names the file itself.
      const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (!watched || !entry) return;
      const changed = path.join(watched, entry);
      if (relevant(changed)) this.onChange(changed);
      else if (path.basename(watched) === entry && relevant(watched)) this.onChange(watched);
    });
    watcher.on('error', this.onError);
    return watcher;
  }
}
