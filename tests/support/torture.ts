/**
 * Shared knobs of the torture suite: `npm test` runs a short mode sized for CI, and
 * `npm run test:torture` (PREVENTION_TORTURE=1) a long one.
 */
export const LONG_MODE = process.env.PREVENTION_TORTURE === '1';

/** The short-mode value, or the long-mode one under `npm run test:torture`. */
export function scaled<T>(short: T, long: T): T {
  return LONG_MODE ? long : short;
}

/** One crash point of a sweep: the worker is killed before or after its port call `index`. */
export interface CrashPoint {
  index: number;
  when: 'before' | 'after';
}

/**
 * The crash points of a sweep over `calls` port calls. Only port calls change the disk, so
 * "after call i" leaves the same disk as "before call i + 1": short mode crashes before every
 * call and after the last, long mode at both.
 */
export function crashPoints(calls: number): CrashPoint[] {
  return Array.from({ length: calls }, (_, index): CrashPoint[] => [
    { index, when: 'before' },
    ...(LONG_MODE || index === calls - 1 ? [{ index, when: 'after' as const }] : []),
  ]).flat();
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
