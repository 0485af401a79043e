import type { DocumentStore, EngineEvents, Logger, EventHandler, MessageBusApi } from '../contract.js';
import type { StoreChanges } from './store-changes.js';

/** How often followers still poll a store whose change feed wakes them: the net for what a lost feed missed. */
const FED_POLL_MS = 1_000;

interface Subscription {
  handler: EventHandler;
  types: Set<string> | undefined;
  /** The seq delivered last, or the starting point. */
  cursor: number | undefined;
  running: boolean;
  again: boolean;
  active: boolean;
}

/**
 * Delivers a bus's events to its subscribers. Commits in this engine wake it at once; commits
 * by other processes are noticed by polling the store for the current version's token (for a
 * file, one lstat per interval), and, on a store with a change feed (PostgreSQL's NOTIFY), by
 * the feed at once, the poll then only every {@link FED_POLL_MS} at least. Each subscription
 * keeps its own cursor and runs its handler one event at a time, so events committed while a
 * handler is busy are delivered next, in order.
 */
export class Follower {
  private readonly subscriptions = new Set<Subscription>();
  private timer: NodeJS.Timeout | undefined;
  private unlisten: Array<() => void> = [];
  private seen = '';

  constructor(
    private readonly bus: Pick<MessageBusApi, 'file' | 'events' | 'lastSeq'>,
    private readonly services: { store: Pick<DocumentStore, 'head'>; logger: Logger; events: EngineEvents; changes: StoreChanges | undefined },
    private readonly pollMs: number,
  ) {}

  add(handler: EventHandler, options: { since?: number; types?: string[] }): () => void {
    const subscription: Subscription = {
      handler,
      types: options.types ? new Set(options.types) : undefined,
      cursor: options.since,
      running: false,
      again: false,
      active: true,
    };
    this.subscriptions.add(subscription);
    this.start();
    void this.deliver(subscription);
    return () => {
      subscription.active = false;
      this.subscriptions.delete(subscription);
      if (this.subscriptions.size === 0) this.stop();
    };
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.active = false;
    this.subscriptions.clear();
    this.stop();
  }

  private start(): void {
    if (this.timer) return;
    this.unlisten.push(
      this.services.events.on('commit', (commit) => {
        if (commit.file === this.bus.file) this.wakeAll();
      }),
    );
    const { changes } = this.services;
    if (changes) this.unlisten.push(changes.on(this.bus.file, () => this.wakeAll()));
    this.timer = setInterval(() => void this.poll(), changes ? Math.max(this.pollMs, FED_POLL_MS) : this.pollMs);
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const stop of this.unlisten.splice(0)) stop();
  }

  private async poll(): Promise<void> {
    const head = await this.services.store.head(this.bus.file).catch(() => undefined);
    const now = head?.token ?? 'missing';
    if (now === this.seen) return;
    this.seen = now;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const subscription of this.subscriptions) void this.deliver(subscription);
  }

  private async deliver(subscription: Subscription): Promise<void> {
    if (subscription.running) {
      subscription.again = true;
      return;
    }
    subscription.running = true;
    try {
      do {
        subscription.again = false;
        subscription.cursor ??= await this.bus.lastSeq();
        const events = await this.bus.events({ since: subscription.cursor });
        for (const event of events) {
          if (!subscription.active) return;
          subscription.cursor = event.seq;
          if (subscription.types && !subscription.types.has(event.type)) continue;
          try {
            await subscription.handler(event);
          } catch (err) {
            this.services.logger.error({ err, file: this.bus.file, seq: event.seq }, 'a bus subscriber threw; delivery goes on');
          }
        }
      } while (subscription.again && subscription.active);
    } catch (err) {
      // A read that fails (the file corrupt until repaired, say) is retried at the next wake-up.
      this.services.logger.warn({ err, file: this.bus.file }, 'could not read new events; retrying');
    } finally {
      subscription.running = false;
    }
  }
}
