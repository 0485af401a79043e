import type { Alert, AlertSink } from '@prevention/core';
import { readSecret } from '../secret-source.js';
import { JsonPoster, type RetryPolicy } from './json-poster.js';
import type { CommonSinkOptions, SinkDefinition } from './sink-definition.js';
import { webhookPayload } from './webhook-payload.js';

/**
 * Options of {@link webhookSink}. The URL may carry a token, so it is treated as a secret:
 * give exactly one of `url`, `urlEnv` or `urlFile`.
 */
export interface WebhookSinkOptions extends CommonSinkOptions, RetryPolicy {
  url?: string | undefined;
  urlEnv?: string;
  urlFile?: string;
  /** Extra request headers (for example an authorization header). */
  headers?: Record<string, string>;
  /** Least time between two requests; default none. */
  minIntervalMs?: number;
}

/** POSTs each notification as an Alertmanager-like JSON payload. */
export class WebhookAlertSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly poster: JsonPoster,
  ) {}

  send(alerts: Alert[], signal?: AbortSignal): Promise<void> {
    return this.poster.post(webhookPayload(this.name, alerts), signal);
  }

  async close(): Promise<void> {}
}

/** A sink that POSTs JSON to any HTTP endpoint. */
export function webhookSink(options: WebhookSinkOptions): SinkDefinition {
  const name = options.name ?? 'webhook';
  return {
    name,
    sendResolved: options.sendResolved ?? true,
    async create({ fs, cwd, clock, keepSecret }) {
      const url = keepSecret(await readSecret({ value: options.url, env: options.urlEnv, file: options.urlFile }, `webhookSink "${name}" url`, fs, cwd));
      return new WebhookAlertSink(name, new JsonPoster({ ...options, what: `webhook sink "${name}"`, url, clock }));
    },
  };
}
