import type { Pool, PoolClient } from 'pg';
import type { PreventionError, StoreWatch } from '@prevention/core';
import { databaseError } from './database-errors.js';

/** Longest pause between two attempts to re-make a lost feed. */
const MAX_RETRY_MS = 2_000;

/**
 * `LISTEN` on one channel over a connection of its own, kept up: a connection the server closed
 * (a restart, a terminated backend) is dropped and made anew, backing off up to
 * {@link MAX_RETRY_MS}. Notifications are only wake-ups: whoever hears one reads the rows, so
 * one lost while the feed reconnects costs a delay, never data; `onError` hears of each loss
 * once per outage. A connection that listened never goes back to the pool.
 */
export class NotificationFeed implements StoreWatch {
  private client: PoolClient | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = 100;
  private failing = false;
  /** Set from a loss until the feed listens again. */
  private lost = false;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
    private readonly onError: (error: PreventionError) => void,
    /** Called once a lost feed listens again: notifications sent in between were lost. */
    private readonly onResume: () => void = () => undefined,
  ) {}

  /** Listens now; rejects (and stays closed) if the first connection cannot be made. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.drop(this.client);
  }

  private async connect(): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw databaseError('listening for changes', this.channel, err);
    }
    const lost = (err?: unknown): void => {
      if (this.client !== client) return;
      this.lost = true;
      this.drop(client);
      this.reportLoss(err ?? new Error('the connection ended'));
      this.scheduleRetry();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== undefined) this.onPayload(message.payload);
    });
    try {
      await client.query(`LISTEN "${this.channel}"`);
    } catch (err) {
      client.release(true);
      throw databaseError('listening for changes', this.channel, err);
    }
    if (this.closed) {
      client.release(true);
      return;
    }
    this.client = client;
    this.retryMs = 100;
    const resumed = this.lost;
    this.failing = false;
    this.lost = false;
    if (resumed) this.onResume();
  }

  private reportLoss(err: unknown): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    this.onError(databaseError('listening for changes', this.channel, err));
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().catch((err: unknown) => {
        this.reportLoss(err);
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
        this.scheduleRetry();
      });
    }, this.retryMs);
    this.retry.unref();
  }

  private drop(client: PoolClient | undefined): void {
    if (!client || this.client !== client) return;
    this.client = undefined;
    // Never back to the pool: it is still subscribed.
    client.release(true);
  }
}
