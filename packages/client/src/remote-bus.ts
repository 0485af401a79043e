import { randomUUID } from 'node:crypto';
import type { BusEvent, EventQuery, JsonValue, PublishInput } from '@prevention/core/contract';
import { ClientCodes, isClientError } from './client-error.js';
import type { ServiceCalls } from './service-calls.js';

/** Receives one event; may be async (the next event waits for it). */
export type RemoteEventHandler = (event: BusEvent) => void | Promise<void>;

/** Options of {@link RemoteBus.subscribe}. */
export interface RemoteSubscribeOptions {
  /** Deliver events after this seq; default: events published after subscribing. */
  since?: number;
  /** Only these event types. */
  types?: string[];
  /** Called with a handler's error, or a failure to follow; default: a process warning. The subscription goes on. */
  onError?: (err: unknown) => void;
}

/** Options of one publish. */
export interface PublishOptions {
  /** The Idempotency-Key; default a fresh UUID, reused by every retry of this publish. */
  idempotencyKey?: string;
}

/** The longest pause between two attempts to follow again. */
const MAX_RECONNECT_MS = 2_000;

/**
 * The message bus of one shared context file, through the service: the same surface as
 * `engine.bus(file)` (publish, publishMany, events, lastSeq, subscribe, close).
 */
export class RemoteBus {
  private readonly stops = new Set<() => void>();

  constructor(
    private readonly calls: ServiceCalls,
    /** The file, relative to the project root. */
    readonly file: string,
  ) {}

  /** Publishes one event; resolves with it once it is durably committed. */
  publish<P = JsonValue>(input: PublishInput<P>, options: PublishOptions = {}): Promise<BusEvent> {
    return this.calls.publish(this.file, input, options.idempotencyKey ?? randomUUID()) as Promise<BusEvent>;
  }

  /** Publishes several events in one commit, in order; all or none are committed. */
  publishMany<P = JsonValue>(inputs: ReadonlyArray<PublishInput<P>>, options: PublishOptions = {}): Promise<BusEvent[]> {
    return this.calls.publish(this.file, inputs, options.idempotencyKey ?? randomUUID()) as Promise<BusEvent[]>;
  }

  /** Events after `since` (default 0: all, including archived ones), oldest first, filtered. */
  async events(query: EventQuery = {}): Promise<BusEvent[]> {
    return (await this.calls.events(this.file, query)).events;
  }

  /** The seq of the newest event (0 for none). */
  async lastSeq(): Promise<number> {
    return (await this.calls.events(this.file, { since: Number.MAX_SAFE_INTEGER })).lastSeq;
  }

  /**
   * Calls `handler` for every event published by any process after `since` (default: events
   * published after this call's first request), in seq order, each once, one at a time. It
   * follows the service's NDJSON stream and, when the stream breaks (the service restarts),
   * follows again from the last seq it delivered, so nothing is skipped or repeated. Returns
   * the function that stops it.
   */
  subscribe(handler: RemoteEventHandler, options: RemoteSubscribeOptions = {}): () => void {
    const controller = new AbortController();
    const report = options.onError ?? ((err: unknown) => process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'PreventionSubscriptionWarning'));
    const stop = (): void => {
      controller.abort();
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    void this.follow(handler, options, controller.signal, report);
    return stop;
  }

  /** Stops every subscription of this bus. */
  async close(): Promise<void> {
    for (const stop of [...this.stops]) stop();
  }

  private async follow(handler: RemoteEventHandler, options: RemoteSubscribeOptions, signal: AbortSignal, report: (err: unknown) => void): Promise<void> {
    let since: number | undefined = options.since;
    let pause = 50;
    while (!signal.aborted) {
      try {
        since ??= await this.lastSeq();
        for await (const event of this.calls.follow(this.file, since, options.types ?? [], signal)) {
          pause = 50;
          // A stream followed again from `since` starts after it; this guards the order anyway.
          if (event.seq <= since) continue;
          since = event.seq;
          try {
            await handler(event);
          } catch (err) {
            report(err);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        // A refusal (unknown file, bad type) will not get better by retrying.
        if (isClientError(err) && err.status !== undefined && err.status < 500) {
          report(err);
          return;
        }
        if (!(isClientError(err) && (err.code === ClientCodes.UNAVAILABLE || err.code === ClientCodes.TRANSPORT))) report(err);
      }
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, MAX_RECONNECT_MS);
    }
  }
}

