import type { DependencyContainer } from 'tsyringe';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { BackupStrategy } from '../backup/backup-strategy.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Engine } from '../engine/engine.js';
import type { EngineEventMap, EngineEventName } from '../events/event-bus.js';
import type { Logger } from '../logging/logger.js';
import type { Middleware } from '../pipeline/middleware.js';

/** Where a plugin's middleware goes when the configured pipeline does not name it. */
export interface MiddlewarePlacement {
  before?: string;
  after?: string;
}

/** What a plugin can do while it registers. */
export interface PluginApi {
  /** This plugin's name. */
  readonly name: string;
  /** The plugin's own child container (of the engine's): register its private services here. */
  readonly container: DependencyContainer;
  /** A logger bound to `{ plugin: name }`. */
  readonly logger: Logger;
  /** The engine's validated configuration. */
  readonly config: ResolvedConfig;
  /** The engine being built (usable once the engine is ready; see `onReady`). */
  readonly engine: Engine;
  /**
   * Adds a middleware, referable by name in `pipeline`. With a placement it is also inserted
   * into pipelines that do not name it, before or after the named step.
   */
  addMiddleware(middleware: Middleware, placement?: MiddlewarePlacement): void;
  /** Adds a backup strategy; strategies save in registration order. */
  addBackupStrategy(strategy: BackupStrategy): void;
  /** Adds an alert sink. */
  addAlertSink(sink: AlertSink): void;
  /** Listens to an engine event; returns the unsubscribe function. */
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void;
  /** Emits an engine event (for example `corruption:detected` from a monitor). */
  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void;
  /** Runs once every plugin is registered and the engine is usable. */
  onReady(hook: (engine: Engine) => void | Promise<void>): void;
  /**
   * Runs when the engine closes: after queued commits finish, in reverse registration order,
   * and before the registered alert sinks and backup strategies are closed (so a plugin can
   * still drain work into them).
   */
  onClose(hook: () => void | Promise<void>): void;
}

/** A plugin instance, as listed in `config.plugins`. */
export interface Plugin<Options = unknown, Service = unknown> {
  readonly name: string;
  /** Names of plugins that must be registered first. */
  readonly dependencies?: readonly string[];
  readonly options?: Options;
  /** Registers the plugin. What it returns is the plugin's service, from `engine.plugin(name)`. */
  register(api: PluginApi, options: Options): Service | Promise<Service>;
}

/** What {@link definePlugin} takes. */
export interface PluginDefinition<Options, Service> {
  name: string;
  dependencies?: readonly string[];
  register(api: PluginApi, options: Options): Service | Promise<Service>;
}

/**
 * Defines a plugin and returns its factory: call it with the plugin's options in
 * `config.plugins`.
 *
 * ```ts
 * export default definePlugin({ name: 'audit', register(api, options: { path: string }) { api.addMiddleware(...) } });
 * ```
 */
export function definePlugin<Options = void, Service = void>(
  definition: PluginDefinition<Options, Service>,
): (options?: Options) => Plugin<Options, Service> {
  return (options?: Options) => ({
    name: definition.name,
    dependencies: definition.dependencies ?? [],
    options: options as Options,
    register: definition.register,
  });
}
