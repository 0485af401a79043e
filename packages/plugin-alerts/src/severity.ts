import type { AlertSeverity } from '@prevention/core';

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** True when `severity` is more serious than `than`. */
export function outranks(severity: AlertSeverity, than: AlertSeverity): boolean {
  return RANK[severity] > RANK[than];
}
