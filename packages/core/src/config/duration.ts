import { ErrorCodes, PreventionError } from '../errors.js';

/** A length of time: milliseconds, or a string such as `500ms`, `30s`, `5m`, `4h`, `7d`, `2w`. */
export type Duration = number | string;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Converts a {@link Duration} to milliseconds; `key` names the setting in the error, so a typo
 * in the config says which key is wrong.
 */
export function parseDuration(value: Duration, key: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(value.trim()) : null;
  if (!match) throw new PreventionError(ErrorCodes.CONFIG_INVALID, `${key} must be a duration such as 500ms, 5s, 10m, 7d (got ${JSON.stringify(value)})`);
  return Number(match[1]) * units[match[2]!]!;
}
