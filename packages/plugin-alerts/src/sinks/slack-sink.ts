import type { Alert, AlertSink } from '@prevention/core';
import { readSecret } from '../secret-source.js';
import { JsonPoster, type RetryPolicy } from './json-poster.js';
import type { CommonSinkOptions, SinkDefinition } from './sink-definition.js';
import { slackPayload } from './slack-payload.js';

/**
 * Options of {@link slackSink}. The webhook URL is a secret: give exactly one of `url`,
 * `urlEnv` or `urlFile`. It is never logged nor put in an error message.
 */
export interface SlackSinkOptions extends CommonSinkOptions, RetryPolicy {
  /** The incoming-webhook URL itself. */
  url?: string | undefined;
  /** Name of the environment variable holding the URL. */
  urlEnv?: string;
  /** A file holding the URL (relative to the engine's `cwd`). */
  urlFile?: string;
  /** Least time between two messages to this webhook (from the end of one to the start of the next); default 1000 ms, Slack's limit of one per second. */
  minIntervalMs?: number;
}

/** Slack's incoming webhooks accept one message per second. */
export const SLACK_MIN_INTERVAL_MS = 1_000;

/** Posts each notification to a Slack incoming webhook as `text` plus blocks. */
export class SlackAlertSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly poster: JsonPoster,
  ) {}

  send(alerts: Alert[], signal?: AbortSignal): Promise<void> {
    return this.poster.post(slackPayload(alerts), signal);
  }

  async close(): Promise<void> {}
}

/** A sink that posts to a Slack incoming webhook, at most one message per second. */
export function slackSink(options: SlackSinkOptions): SinkDefinition {
  const name = options.name ?? 'slack';
  return {
    name,
    sendResolved: options.sendResolved ?? true,
    async create({ fs, cwd, clock, keepSecret }) {
      const url = keepSecret(await readSecret({ value: options.url, env: options.urlEnv, file: options.urlFile }, `slackSink "${name}" url`, fs, cwd));
      return new SlackAlertSink(name, new JsonPoster({ ...options, what: `slack sink "${name}"`, url, clock, minIntervalMs: options.minIntervalMs ?? SLACK_MIN_INTERVAL_MS }));
    },
  };
}
