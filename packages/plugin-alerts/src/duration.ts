import { ErrorCodes, PreventionError } from '@prevention/core';

/** A length of time: milliseconds, or a string such as `"500ms"`, `"30s"`, `"5m"`, `"4h"`, `"1d"`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Converts a {@link Duration} to milliseconds; `option` names the setting in the error, so a
 * typo in the config says which key is wrong.
 */
export function toMilliseconds(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (match) return Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  throw new PreventionError(
    ErrorCodes.CONFIG_INVALID,
    `alerts: ${option} must be a non-negative number of milliseconds or a string like "30s", "5m" or "4h" (got ${JSON.stringify(value)})`,
  );
}
