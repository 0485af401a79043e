import type { DocumentStore, FileGlob, StoreWatch } from '@prevention/core';

/**
 * Watches the documents of a store that keeps them off this disk (a database) through the
 * store's change feed (`DocumentStore.watch`): every change to a monitored document — named, or
 * matching a glob — wakes the monitor, one that bypassed prevention included. Like file events,
 * these are hints only; the scheduled validation catches what they miss (a feed being re-made).
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
    this.watch = await this.store.watch((name) => {
      if (this.files.includes(name) || this.globs.some((glob) => glob.matches(name))) this.onChange(name);
    }, this.onError);
  }

  async close(): Promise<void> {
    await this.watch?.close();
    this.watch = undefined;
  }
}
