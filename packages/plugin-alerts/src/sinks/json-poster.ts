import { ErrorCodes, PreventionError, type Clock } from '@prevention/core';
import type { Secret } from '../secret.js';
import { RequestSpacer } from './request-spacer.js';

/** How a {@link JsonPoster} retries. */
export interface RetryPolicy {
  /** Retries after the first attempt, for 429, 5xx and network errors. Default 5. */
  maxRetries?: number;
  /** First backoff delay; it doubles on each retry (with jitter). Default 1000 ms. */
  backoffMs?: number;
  /** Longest backoff delay. Default 30 s. */
  maxBackoffMs?: number;
  /** Timeout of one request. Default 10 s. */
  timeoutMs?: number;
}

/** Settings of a {@link JsonPoster}. */
export interface JsonPosterOptions extends RetryPolicy {
  /** What is posting, for messages, for example `slack sink "ops"`. */
  what: string;
  url: Secret;
  clock: Clock;
  /** Least time from the end of one request to the start of the next (the receiver's rate limit); default none. */
  minIntervalMs?: number;
  headers?: Record<string, string>;
}

/**
 * POSTs JSON to a secret URL: honours `Retry-After` on 429, retries 5xx and network errors with
 * exponential backoff, and fails at once on other 4xx answers, which retrying can not fix. Its
 * errors name the sink and the HTTP status but never the URL.
 */
export class JsonPoster {
  private readonly spacer: RequestSpacer | undefined;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: JsonPosterOptions) {
    this.spacer = options.minIntervalMs ? new RequestSpacer(options.clock, options.minIntervalMs) : undefined;
    this.maxRetries = options.maxRetries ?? 5;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Posts `body`; resolves once the server accepted it (2xx). */
  async post(body: unknown, signal?: AbortSignal): Promise<void> {
    const payload = JSON.stringify(body);
    const { what, clock } = this.options;
    for (let attempt = 0; ; attempt++) {
      const outcome = this.spacer ? await this.spacer.run(() => this.attempt(payload, signal), signal) : await this.attempt(payload, signal);
      if (outcome === 'delivered') return;
      if (attempt >= this.maxRetries) {
        throw new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `${what} failed after ${attempt + 1} attempts, the last with ${outcome.failure}`, {
          cause: outcome.cause,
          details: { attempts: attempt + 1 },
        });
      }
      await clock.sleep(outcome.retryInMs ?? this.backoff(attempt), signal);
    }
  }

  /** One request: delivered, or a retryable failure (a permanent one throws). */
  private async attempt(payload: string, signal: AbortSignal | undefined): Promise<'delivered' | { failure: string; retryInMs?: number; cause?: Error }> {
    const { what, url, clock } = this.options;
    try {
      const response = await fetch(url.reveal(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body: payload,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs),
      });
      // Scrubbed before it is cut short, so no secret survives half-cut where it no longer matches.
      const text = url.scrub(await response.text().catch(() => '')).slice(0, 200);
      if (response.ok) return 'delivered';
      const failure = `HTTP ${response.status}${text ? ` (${text})` : ''}`;
      if (response.status === 429) {
        const retryInMs = retryAfterMs(response.headers.get('retry-after'), clock.now());
        if (retryInMs !== undefined) this.spacer?.holdFor(retryInMs);
        return { failure, ...(retryInMs === undefined ? {} : { retryInMs }) };
      }
      if (response.status >= 500) return { failure };
      throw new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `${what} was refused with ${failure}; not retried, since the request itself is wrong: check the sink's URL and settings`, {
        details: { status: response.status, permanent: true },
      });
    } catch (err) {
      if (err instanceof PreventionError) throw err;
      if (signal?.aborted) throw new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `${what}: sending was aborted`, { cause: url.scrubError(signal.reason) });
      const cause = url.scrubError(err);
      return { failure: `a network error (${cause.message}${describeCause(err, url)})`, cause };
    }
  }

  private backoff(attempt: number): number {
    const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** attempt);
    return delay / 2 + Math.random() * (delay / 2);
  }
}

/** fetch reports "fetch failed" and puts the reason (ECONNREFUSED, ...) in its cause. */
function describeCause(err: unknown, url: Secret): string {
  const cause = (err as { cause?: unknown }).cause;
  if (!cause) return '';
  const code = (cause as { code?: unknown }).code;
  return `: ${typeof code === 'string' ? code : url.scrub(String((cause as Error).message ?? cause))}`;
}

/** The delay a `Retry-After` header asks for (seconds or an HTTP date), in milliseconds. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
