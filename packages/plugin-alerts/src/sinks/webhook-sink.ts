import type { Alert } from '@prevention/core';
import { jsonPostSink, JsonPostSink, type JsonPostSinkOptions } from './json-post-sink.js';
import type { SinkDefinition } from './sink-definition.js';
import { webhookPayload } from './webhook-payload.js';

/**
 * Options of {@link webhookSink}. The URL may carry a token, so it is treated as a secret:
 * give exactly one of `url`, `urlEnv` or `urlFile`.
 */
export type WebhookSinkOptions = JsonPostSinkOptions;

/** POSTs each notification as an Alertmanager-like JSON payload. */
export class WebhookAlertSink extends JsonPostSink {
  protected payload(alerts: Alert[]): unknown {
    return webhookPayload(this.name, alerts);
  }
}

/** A sink that POSTs JSON to any HTTP endpoint. */
export function webhookSink(options: WebhookSinkOptions): SinkDefinition {
  return jsonPostSink('webhook', WebhookAlertSink, options);
}
