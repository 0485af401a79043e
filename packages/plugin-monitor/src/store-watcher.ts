import type { DocumentStore, FileGlob, StoreWatch } from '@prevention/core';

/**
 * Watches the documents of a store that keeps them off this disk (a database) through the
 * store's change feed (`DocumentStore.watch`): every change to a monitored document — named, or
 * matching a glob — wakes the monitor, one that bypassed prevention included. Like file events,
 * these are hints only; the scheduled validation catches what they miss, and a feed that was
 * lost and re-made wakes a look at every monitored document.
 * A store without a feed is watched by the schedule alone.
 */
export class StoreWatcher {
  private watch: StoreWatch | undefined;

  constructor(
    private readonly store: DocumentStore,
    private readonly files: readonly string[],
    private readonly globs: readonly FileGlob[],
    private readonly onChange: (file: string) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(): Promise<void> {
    if (!this.store.watch) return;
    this.watch = await this.store.watch((name) => this.changed(name), this.onError, () => void this.changedAll());
  }

  private changed(name: string): void {
    if (this.files.includes(name) || this.globs.some((glob) => glob.matches(name))) this.onChange(name);
  }

  /** A re-made feed told nothing of what changed while it was down: every monitored document is looked at. */
  private async changedAll(): Promise<void> {
    for (const file of this.files) this.onChange(file);
    if (this.globs.length === 0 || !this.store.list) return;
    try {
      for (const name of await this.store.list()) if (!this.files.includes(name)) this.changed(name);
    } catch (err) {
      this.onError(err);
    }
  }

  async close(): Promise<void> {
    await this.watch?.close();
    this.watch = undefined;
  }
}
