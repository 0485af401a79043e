import type { AlertSink, Clock, FileSystem, Logger } from '@prevention/core';
import type { Secret } from '../secret.js';

/** Engine services a sink is built with, taken from the plugin's DI container. */
export interface SinkServices {
  /** The FileSystem port: every file a sink touches goes through it. */
  fs: FileSystem;
  /** The plugin's logger. */
  logger: Logger;
  clock: Clock;
  /** Directory relative paths in sink options resolve against (the engine's `cwd`). */
  cwd: string;
  /**
   * Declares a secret the sink holds (a URL, a login); returns it. Every part of it is scrubbed
   * from whatever leaves the sink: its errors and health messages.
   */
  keepSecret(secret: Secret): Secret;
}

/**
 * What the sink factories (`fileSink`, `slackSink`, ...) return: a sink's settings and how to
 * build it once the engine's services are known. The alerts plugin builds it with services
 * resolved from its container and registers the sink with `api.addAlertSink`.
 */
export interface SinkDefinition {
  /** Unique sink name. */
  readonly name: string;
  /** Whether the sink is told when alerts resolve. */
  readonly sendResolved: boolean;
  create(services: SinkServices): AlertSink | Promise<AlertSink>;
}

/** Options every sink factory takes. */
export interface CommonSinkOptions {
  /** Unique name of the sink (used in routes and in delivery-failure alerts). */
  name?: string;
  /** Tell this sink when alerts resolve; default true. */
  sendResolved?: boolean;
}

/** True for a {@link SinkDefinition}, false for a ready {@link AlertSink}. */
export function isSinkDefinition(value: SinkDefinition | AlertSink): value is SinkDefinition {
  return typeof (value as SinkDefinition | undefined)?.create === 'function' && typeof (value as AlertSink).send !== 'function';
}
