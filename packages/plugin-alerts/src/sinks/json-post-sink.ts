import type { Alert, AlertSink } from '@prevention/core';
import { readSecret } from '../secret-source.js';
import { JsonPoster, type RetryPolicy } from './json-poster.js';
import type { CommonSinkOptions, SinkDefinition } from './sink-definition.js';

/**
 * Options of a sink built with {@link jsonPostSink}. The URL is a secret (it may carry a
 * token): give exactly one of `url`, `urlEnv` or `urlFile`. It is never logged nor put in an
 * error message.
 */
export interface JsonPostSinkOptions extends CommonSinkOptions, RetryPolicy {
  /** The URL itself. */
  url?: string | undefined;
  /** Name of the environment variable holding the URL. */
  urlEnv?: string;
  /** A file holding the URL (relative to the engine's `cwd`). */
  urlFile?: string;
  /** Extra request headers (for example an authorization header). */
  headers?: Record<string, string>;
  /** Least time between two requests (from the end of one to the start of the next); default none. */
  minIntervalMs?: number;
}

/**
 * A sink that POSTs each notification as JSON through a {@link JsonPoster} (retries, rate
 * limit, no URL in its errors); a subclass says what the body is.
 */
export abstract class JsonPostSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly poster: JsonPoster,
  ) {}

  /** The JSON body that carries one notification. */
  protected abstract payload(alerts: Alert[]): unknown;

  send(alerts: Alert[], signal?: AbortSignal): Promise<void> {
    return this.poster.post(this.payload(alerts), signal);
  }

  async close(): Promise<void> {}
}

/**
 * The definition of a sink that POSTs JSON to a secret URL, built as `Sink`: the URL is read
 * with `readSecret` and declared with `keepSecret`, so no part of it leaves the sink in an
 * error or a health message.
 *
 * @param kind names the sink in messages (`slack sink "ops"`, the option `slackSink "ops" url`)
 *   and is its default name
 *
 * ```ts
 * class TeamsAlertSink extends JsonPostSink {
 *   protected payload(alerts: Alert[]) { return { text: notificationText(alerts) }; }
 * }
 * const teamsSink = (options: JsonPostSinkOptions) => jsonPostSink('teams', TeamsAlertSink, options);
 * ```
 */
export function jsonPostSink(kind: string, Sink: new (name: string, poster: JsonPoster) => JsonPostSink, options: JsonPostSinkOptions): SinkDefinition {
  const name = options.name ?? kind;
  return {
    name,
    sendResolved: options.sendResolved ?? true,
    async create({ fs, cwd, clock, keepSecret }) {
      const url = keepSecret(await readSecret({ value: options.url, env: options.urlEnv, file: options.urlFile }, `${kind}Sink "${name}" url`, fs, cwd));
      return new Sink(name, new JsonPoster({ ...options, what: `${kind} sink "${name}"`, url, clock }));
    },
  };
}
