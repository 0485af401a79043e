import type { EngineEventMap, EngineEventName, Plugin } from '../contract.js';
import { definePlugin } from '../plugin/plugin.js';

/** What {@link eventInjector} gives a test: a plugin to list, and the engine's `emit` once it is registered. */
export interface EventInjector {
  readonly plugin: Plugin;
  /** Emits an engine event as a plugin would (a monitor reporting corruption, say). */
  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void;
}

/**
 * A plugin that lets a test emit engine events, the way plugins do, to see how other plugins
 * (alert rules, sinks) react without provoking the real cause.
 *
 * ```ts
 * const events = eventInjector();
 * const engine = await createEngine({ plugins: [alerts({ sinks }), events.plugin] });
 * events.emit('corruption:detected', { file, kind: 'truncated', message: '...' });
 * ```
 */
export function eventInjector(): EventInjector {
  let emit: EventInjector['emit'] | undefined;
  const plugin = definePlugin({
    name: 'test-event-injector',
    register: (api) => void (emit = (event, payload) => api.emit(event, payload)),
  })();
  return {
    plugin,
    emit: (event, payload) => {
      if (!emit) throw new Error('eventInjector: list its plugin in the engine before emitting');
      emit(event, payload);
    },
  };
}
