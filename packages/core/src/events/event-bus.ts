import type { Logger, EngineEvents, EngineEventName, EngineEventMap } from '../contract.js';


/**
 * The engine's typed event bus. A throwing listener is logged and never reaches the code that
 * emitted, so an observer can not break a commit.
 */
export class EventBus implements EngineEvents {
  private readonly listeners = new Map<EngineEventName, Set<(payload: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: EngineEventMap[E]) => void)(payload);
      } catch (err) {
        this.logger.error({ err, event }, 'an engine event listener threw; the engine carries on');
      }
    }
  }
}
