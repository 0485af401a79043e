import type { DependencyContainer } from 'tsyringe';
import type { EngineApi, ResolvedConfig, EngineEvents, Logger, Plugin, PluginApi } from '../contract.js';
import type { Contributions } from '../engine/contributions.js';
import { ErrorCodes, PreventionError } from '../errors.js';

function failed(message: string, cause?: unknown): PreventionError {
  return new PreventionError(ErrorCodes.PLUGIN_FAILED, message, { cause });
}

/** Orders plugins so each comes after its dependencies; refuses duplicates, missing dependencies and cycles. */
export function orderPlugins(plugins: readonly Plugin[]): Plugin[] {
  const byName = new Map<string, Plugin>();
  for (const plugin of plugins) {
    if (byName.has(plugin.name)) throw failed(`two plugins are named "${plugin.name}"; each plugin may be listed once`);
    byName.set(plugin.name, plugin);
  }
  const ordered: Plugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: Plugin, chain: string[]): void => {
    if (state.get(plugin.name) === 'done') return;
    if (state.get(plugin.name) === 'visiting') throw failed(`plugins depend on each other in a cycle: ${[...chain, plugin.name].join(' → ')}`);
    state.set(plugin.name, 'visiting');
    for (const dependency of plugin.dependencies ?? []) {
      const needed = byName.get(dependency);
      if (!needed) throw failed(`plugin "${plugin.name}" needs plugin "${dependency}", which is not in plugins; add it to the config`);
      visit(needed, [...chain, plugin.name]);
    }
    state.set(plugin.name, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}

/** What plugins are registered into. */
export interface PluginHostContext {
  engine: EngineApi;
  container: DependencyContainer;
  /** Whether plugins may start background work (see `PluginApi.background`). */
  background: boolean;
  contributions: Contributions;
  events: EngineEvents;
  logger: Logger;
  config: ResolvedConfig;
}

/** Registers plugins in dependency order, each with its own child container and API. */
export async function registerPlugins(plugins: readonly Plugin[], host: PluginHostContext): Promise<void> {
  for (const plugin of orderPlugins(plugins)) {
    const api = createApi(plugin, host);
    try {
      const service = await plugin.register(api, plugin.options);
      if (plugin.provides !== undefined) {
        if (host.container.isRegistered(plugin.provides)) throw failed(`plugin "${plugin.name}" provides ${String(plugin.provides.description)}, which another plugin already provides`);
        host.container.register(plugin.provides, { useValue: service });
      }
    } catch (cause) {
      // A typed error (say CONFIG_INVALID for a bad option) already says what is wrong.
      if (cause instanceof PreventionError) throw cause;
      throw failed(`plugin "${plugin.name}" failed to register: ${(cause as Error)?.message ?? String(cause)}`, cause);
    }
  }
}

function createApi(plugin: Plugin, host: PluginHostContext): PluginApi {
  const { contributions, container, events } = host;
  return {
    name: plugin.name,
    container: container.createChildContainer(),
    logger: host.logger.child({ plugin: plugin.name }),
    config: host.config,
    engine: host.engine,
    background: host.background,
    addMiddleware(middleware, placement) {
      if (typeof middleware?.handle !== 'function' || !middleware.name) throw failed(`plugin "${plugin.name}" added a middleware without a name and handle()`);
      if (contributions.middleware.has(middleware.name)) throw failed(`plugin "${plugin.name}" added middleware "${middleware.name}", but that name is taken`);
      contributions.middleware.set(middleware.name, { middleware, placement, builtIn: false });
    },
    addBackupStrategy(strategy) {
      if (contributions.strategies.some((s) => s.name === strategy.name)) throw failed(`plugin "${plugin.name}" added backup strategy "${strategy.name}" twice`);
      contributions.strategies.push(strategy);
    },
    addAlertSink(sink) {
      if (contributions.sinks.some((s) => s.name === sink.name)) throw failed(`plugin "${plugin.name}" added alert sink "${sink.name}" twice`);
      contributions.sinks.push(sink);
    },
    on: (event, listener) => events.on(event, listener),
    emit: (event, payload) => events.emit(event, payload),
    onReady: (hook) => void contributions.readyHooks.push(hook),
    onClose: (hook) => void contributions.closeHooks.push(hook),
  };
}
