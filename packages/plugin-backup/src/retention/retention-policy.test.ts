import type { BackupRecord } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { parseDuration as parse } from '@prevention/core';

const parseDuration = (text: string): number | undefined => {
  try {
    return parse(text, 'keepWithin');
  } catch {
    return undefined;
  }
};
import { planRetention } from './retention-policy.js';

const HOUR = 3_600_000;
/** Records newest first at the given hours after Monday 2026-01-05 00:00 UTC. */
function records(hours: number[], bytes = 10): BackupRecord[] {
  return hours.map((h, i) => ({ id: `r${h}`, file: '/f', strategy: 's', createdAt: new Date(Date.UTC(2026, 0, 5) + h * HOUR), sha256: `sha${i}`, bytes }));
}
const ids = (list: BackupRecord[]) => list.map((r) => r.id);

describe('planRetention', () => {
  it('keeps everything when no keep rule is set, and always the newest', () => {
    expect(ids(planRetention(records([3, 2, 1]), {}).kept)).toEqual(['r3', 'r2', 'r1']);
    expect(ids(planRetention(records([3, 2, 1]), { keepLast: 0 }).kept)).toEqual(['r3']);
  });

  it('keeps the newest per hour, day and week bucket (UTC, weeks from Monday)', () => {
    // Sunday 23:00 (h 167) and Monday 00:00 (h 168) fall in different weeks.
    const list = records([169.5, 169, 168, 167, 30, 1]);
    expect(ids(planRetention(list, { keepHourly: 2 }).kept)).toEqual(['r169.5', 'r168']);
    expect(ids(planRetention(list, { keepDaily: 3 }).kept)).toEqual(['r169.5', 'r167', 'r30']);
    expect(ids(planRetention(list, { keepWeekly: 5 }).kept)).toEqual(['r169.5', 'r167']);
  });

  it('measures keepWithin from the newest in commit order, even when the clock stepped back before it', () => {
    // Commit order, newest first: the newest was stamped after the clock stepped back from hour 11 to 10.
    const list = records([10, 11, 10.9, 9.8, 8]);
    expect(ids(planRetention(list, { keepWithin: '1h' }, { keepWithinMs: parseDuration('1h') }).kept)).toEqual(['r10', 'r11', 'r10.9', 'r9.8']);
  });

  it('keeps everything within a duration of the newest, then trims the oldest to fit maxTotalBytes', () => {
    const list = records([50, 49, 40, 26, 25]);
    expect(ids(planRetention(list, { keepWithin: '1d' }, { keepWithinMs: parseDuration('1d') }).kept)).toEqual(['r50', 'r49', 'r40', 'r26']);
    expect(ids(planRetention(list, { keepLast: 5, maxTotalBytes: 25 }).kept)).toEqual(['r50', 'r49']);
    // The newest backup is the last committed version: never dropped for space.
    expect(ids(planRetention(list, { keepLast: 3, maxTotalBytes: 1 }).kept)).toEqual(['r50']);
  });

  it('parses restic-style durations', () => {
    expect(parseDuration('7d')).toBe(7 * 24 * HOUR);
    expect(parseDuration('2w3d12h')).toBe((17 * 24 + 12) * HOUR);
    expect(parseDuration('90m')).toBe(1.5 * HOUR);
    expect(parseDuration('7 days')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
