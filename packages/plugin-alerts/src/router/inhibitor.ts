import type { Alert } from '@prevention/core';
import { matches, type Matcher } from '../matcher.js';

/**
 * While an alert matching `source` fires, alerts matching `target` that share the `equal`
 * labels are muted: for example, a corrupt file mutes its own lesser warnings.
 */
export interface InhibitRule {
  source: Matcher;
  target: Matcher;
  /** Labels whose values must be the same on both alerts (for example `['file']`). */
  equal: string[];
}

/** The default: a corrupt file mutes the warnings and notices about that same file. */
export const DEFAULT_INHIBIT_RULES: readonly InhibitRule[] = [
  { source: { name: 'corruption-detected' }, target: { severity: ['info', 'warning'] }, equal: ['file'] },
];

/** True when a firing alert among `firing` inhibits `alert` under one of `rules`. */
export function isInhibited(alert: Alert, firing: Iterable<Alert>, rules: readonly InhibitRule[]): boolean {
  for (const rule of rules) {
    if (!matches(rule.target, alert)) continue;
    for (const source of firing) {
      if (source.fingerprint === alert.fingerprint || source.status !== 'firing' || !matches(rule.source, source)) continue;
      if (rule.equal.every((label) => source.labels[label] === alert.labels[label])) return true;
    }
  }
  return false;
}
