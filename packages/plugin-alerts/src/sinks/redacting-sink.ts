import { PreventionError, type Alert, type AlertSink, type SinkHealth } from '@prevention/core';
import type { Secret } from '../secret.js';

/**
 * Wraps a sink so that no text leaving it carries any part of the secrets it holds: the errors
 * `send` rejects with (message, stack, details and causes) and the health message, which end
 * up in log lines, delivery-failure alerts and spool entries. A receiver's answer, a client
 * library's error or an SMTP reply may quote the URL, a path segment, a query value or the
 * login; scrubbing at this one boundary covers every sink, whatever its internals.
 */
export class RedactingSink implements AlertSink {
  readonly name: string;
  readonly health?: () => Promise<SinkHealth>;

  constructor(
    private readonly sink: AlertSink,
    private readonly secrets: readonly Secret[],
  ) {
    this.name = sink.name;
    if (sink.health) {
      const health = sink.health.bind(sink);
      this.health = async () => {
        try {
          const { ok, message } = await health();
          return { ok, message: this.scrub(message) };
        } catch (err) {
          throw this.scrubError(err, 0);
        }
      };
    }
  }

  async send(alerts: Alert[], signal?: AbortSignal): Promise<void> {
    try {
      await this.sink.send(alerts, signal);
    } catch (err) {
      throw this.scrubError(err, 0);
    }
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private scrub(text: string): string {
    return this.secrets.reduce((result, secret) => secret.scrub(result), text);
  }

  /** A scrubbed copy of `err` that keeps its class, code and details, its causes scrubbed too. */
  private scrubError(err: unknown, depth: number): Error {
    const original = err instanceof Error ? err : new Error(String(err));
    const cause = original.cause !== undefined && depth < 4 ? this.scrubError(original.cause, depth + 1) : undefined;
    let copy: Error;
    if (original instanceof PreventionError) {
      const details = JSON.parse(this.scrub(JSON.stringify(original.details))) as Record<string, unknown>;
      copy = new PreventionError(original.code, this.scrub(original.message), { cause, details, ...(original.file ? { file: original.file } : {}) });
    } else {
      copy = new Error(this.scrub(original.message), cause ? { cause } : undefined);
      copy.name = original.name;
      const code = (original as { code?: unknown }).code;
      if (typeof code === 'string') Object.assign(copy, { code });
    }
    copy.stack = this.scrub(original.stack ?? '');
    return copy;
  }
}
