import type { EngineEventMap, EngineEventName } from '@prevention/core';
import type { AlertSignal } from '../alert-signal.js';

/** Turns one kind of engine event into alert signals (firing or resolved). */
export interface AlertRule<E extends EngineEventName = EngineEventName> {
  /** Unique id; a rule given in the options with a default rule's id replaces it. */
  id: string;
  /** The engine event it listens to. */
  event: E;
  /** The signals for one event; nothing when the event is not worth an alert. */
  map(payload: EngineEventMap[E]): AlertSignal | AlertSignal[] | undefined;
}

/** A rule for any engine event. */
export type AnyAlertRule = { [E in EngineEventName]: AlertRule<E> }[EngineEventName];

/** Defines a rule with its payload typed by the event name. */
export function defineRule<E extends EngineEventName>(rule: AlertRule<E>): AlertRule<E> {
  return rule;
}

/** The default rules, with the options' rules added and those sharing an id replacing them. */
export function mergeRules(defaults: readonly AnyAlertRule[], overrides: readonly AnyAlertRule[]): AnyAlertRule[] {
  const byId = new Map<string, AnyAlertRule>(defaults.map((rule) => [rule.id, rule]));
  for (const rule of overrides) byId.set(rule.id, rule);
  return [...byId.values()];
}
