import type { DocumentStore, Logger, StoreWatch } from '../contract.js';

/**
 * One engine's share of its store's change feed ({@link DocumentStore.watch}), for the bus's
 * followers: a single watch (for PostgreSQL, one LISTEN connection) however many buses follow,
 * opened by the first listener and closed with the last. Only a wake-up: a follower still reads
 * every seq after its last, and still polls, more slowly, for what a lost feed missed.
 */
export class StoreChanges {
  private readonly listeners = new Map<string, Set<() => void>>();
  private watching: Promise<StoreWatch | undefined> | undefined;

  constructor(
    private readonly store: Required<Pick<DocumentStore, 'watch'>>,
    private readonly logger: Logger,
  ) {}

  /** Calls `listener` whenever `name` may have changed; returns the function that stops it. */
  on(name: string, listener: () => void): () => void {
    let forName = this.listeners.get(name);
    if (!forName) this.listeners.set(name, (forName = new Set()));
    forName.add(listener);
    this.watching ??= this.open();
    return () => {
      forName.delete(listener);
      if (forName.size === 0) this.listeners.delete(name);
      if (this.listeners.size === 0) this.close();
    };
  }

  private async open(): Promise<StoreWatch | undefined> {
    try {
      return await this.store.watch(
        (name) => {
          for (const listener of this.listeners.get(name) ?? []) listener();
        },
        (error) => this.logger.warn({ err: error }, 'the store\'s change feed was lost; followers poll until it is back'),
        // What changed while the feed was down was never told: every follower looks.
        () => {
          for (const forName of this.listeners.values()) for (const listener of forName) listener();
        },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not open the store\'s change feed; followers poll');
      return undefined;
    }
  }

  private close(): void {
    const watching = this.watching;
    this.watching = undefined;
    void watching?.then((watch) => watch?.close()).catch((err: unknown) => this.logger.warn({ err }, 'could not close the store\'s change feed'));
  }
}
