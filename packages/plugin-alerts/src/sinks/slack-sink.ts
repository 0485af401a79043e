import type { Alert } from '@prevention/core';
import { jsonPostSink, JsonPostSink, type JsonPostSinkOptions } from './json-post-sink.js';
import type { SinkDefinition } from './sink-definition.js';
import { slackPayload } from './slack-payload.js';

/**
 * Options of {@link slackSink}. The webhook URL is a secret: give exactly one of `url`,
 * `urlEnv` or `urlFile`. It is never logged nor put in an error message.
 */
export interface SlackSinkOptions extends Omit<JsonPostSinkOptions, 'headers'> {
  /** Least time between two messages to this webhook (from the end of one to the start of the next); default 1000 ms, Slack's limit of one per second. */
  minIntervalMs?: number;
}

/** Slack's incoming webhooks accept one message per second. */
export const SLACK_MIN_INTERVAL_MS = 1_000;

/** Posts each notification to a Slack incoming webhook as `text` plus blocks. */
export class SlackAlertSink extends JsonPostSink {
  protected payload(alerts: Alert[]): unknown {
    return slackPayload(alerts);
  }
}

/** A sink that posts to a Slack incoming webhook, at most one message per second. */
export function slackSink(options: SlackSinkOptions): SinkDefinition {
  return jsonPostSink('slack', SlackAlertSink, { ...options, minIntervalMs: options.minIntervalMs ?? SLACK_MIN_INTERVAL_MS });
}
