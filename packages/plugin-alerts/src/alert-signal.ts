import type { AlertSeverity } from '@prevention/core';

/**
 * What rules (and callers of `raise`/`resolve`) hand to the router: an alert without the
 * bookkeeping the router adds (fingerprint, start and end times).
 */
export interface AlertSignal {
  /** Alert name, for example `corruption-detected`. With the labels it identifies the alert. */
  name: string;
  severity: AlertSeverity;
  /** Identifying labels, for example `{ file }`; values must be strings. */
  labels: Record<string, string>;
  /** One line for humans. */
  summary: string;
  /** More context (not part of the identity). */
  details?: Record<string, unknown>;
  /** `firing` (default) raises or refreshes the alert; `resolved` ends it. */
  status?: 'firing' | 'resolved';
  /**
   * For alerts about an occurrence rather than a lasting state (a lock was recovered, a file
   * was restored): resolve it automatically this many milliseconds after it last fired.
   */
  resolveAfterMs?: number;
}
