/**
 * Shared knobs of the torture suite: `npm test` runs a short mode sized for CI, and
 * `npm run test:torture` (PREVENTION_TORTURE=1) a long one.
 */
export const LONG_MODE = process.env.PREVENTION_TORTURE === '1';

/** The short-mode value, or the long-mode one under `npm run test:torture`. */
export function scaled<T>(short: T, long: T): T {
  return LONG_MODE ? long : short;
}

/** The numbers a scenario reports, printed on one line so runs can be compared and quoted. */
export type Figures = Record<string, number | string>;

/** Prints a scenario's figures as `[torture] <scenario> (short|long): key=value ...`. */
export function printFigures(scenario: string, figures: Figures): void {
  const listed = Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`[torture] ${scenario} (${LONG_MODE ? 'long' : 'short'} mode): ${listed}`);
}
