const UNIT_MS: Record<string, number> = {
  w: 7 * 24 * 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  h: 60 * 60 * 1000,
  m: 60 * 1000,
  s: 1000,
};

const DURATION = /^(?:\d+[wdhms])+$/;

/**
 * Parses a restic-style duration (`7d`, `36h`, `2w3d`, `90m`, `30s`) into milliseconds.
 * Returns `undefined` when `text` is not one, so callers can name the bad option.
 */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([wdhms])/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}
