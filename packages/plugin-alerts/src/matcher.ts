import type { Alert, AlertSeverity } from '@prevention/core';

/** Selects alerts; every given field must match (an empty matcher matches everything). */
export interface Matcher {
  /** Alert name, or any of several. */
  name?: string | string[];
  /** Severity, or any of several. */
  severity?: AlertSeverity | AlertSeverity[];
  /** Labels that must have exactly these values. */
  labels?: Record<string, string>;
}

function oneOf<T>(expected: T | T[] | undefined, actual: T): boolean {
  if (expected === undefined) return true;
  return Array.isArray(expected) ? expected.includes(actual) : expected === actual;
}

/** True when `alert` is selected by `matcher`. */
export function matches(matcher: Matcher, alert: Pick<Alert, 'name' | 'severity' | 'labels'>): boolean {
  return (
    oneOf(matcher.name, alert.name) &&
    oneOf(matcher.severity, alert.severity) &&
    Object.entries(matcher.labels ?? {}).every(([key, value]) => alert.labels[key] === value)
  );
}
