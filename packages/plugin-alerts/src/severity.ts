import type { AlertSeverity } from '@prevention/core';

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** Orders severities: info < warning < critical. */
export function severityRank(severity: AlertSeverity): number {
  return RANK[severity];
}
