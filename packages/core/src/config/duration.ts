import type { Duration } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Converts a {@link Duration} to milliseconds; `key` names the setting in the error, so a typo
 * in the config says which key is wrong.
 */
export function parseDuration(value: Duration, key: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  // One or more parts, restic style: `7d`, `1.5h`, `2w3d12h`.
  const text = typeof value === 'string' ? value.replace(/\s+/g, '') : '';
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/.test(text)) {
    throw new PreventionError(ErrorCodes.CONFIG_INVALID, `${key} must be a duration such as 500ms, 5s, 10m, 7d or 2w3d (got ${JSON.stringify(value)})`, { details: { key } });
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(amount) * units[unit!]!;
  return total;
}
