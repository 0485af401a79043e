import type { BackupRecord } from '@prevention/core';

/**
 * Which backups to keep, in restic/borg vocabulary. A backup is kept when any rule keeps it;
 * `maxTotalBytes` then drops the oldest kept ones until the store fits. With no `keep*` rule
 * every backup is kept. Hour, day and week buckets are UTC; weeks start on Monday (ISO).
 */
export interface RetentionPolicy {
  /** Keep the newest N backups. */
  keepLast?: number;
  /** Keep the newest backup of each of the last N hours that have one. */
  keepHourly?: number;
  /** Keep the newest backup of each of the last N days that have one. */
  keepDaily?: number;
  /** Keep the newest backup of each of the last N weeks that have one. */
  keepWeekly?: number;
  /** Keep every backup made within this duration (`7d`, `36h`, `2w`) before the newest one (in commit order). */
  keepWithin?: string;
  /** Drop the oldest kept backups while the store holds more than this many bytes. */
  maxTotalBytes?: number;
}

/** A retention decision: both lists newest first. */
export interface RetentionPlan {
  kept: BackupRecord[];
  removed: BackupRecord[];
}

/** How to apply a policy to one store's backups. */
export interface RetentionOptions {
  /** `keepWithin` in milliseconds (parsed once, when the options were validated). */
  keepWithinMs?: number;
  /** Bytes the store uses for a set of backups; default their sum (a deduplicating store counts each content once). */
  storedBytes?: (records: readonly BackupRecord[]) => number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Bucket keys; 1970-01-01 was a Thursday, so shifting by 3 days makes weeks start on Monday. */
const BUCKETS = {
  keepHourly: (t: number) => Math.floor(t / HOUR_MS),
  keepDaily: (t: number) => Math.floor(t / DAY_MS),
  keepWeekly: (t: number) => Math.floor((Math.floor(t / DAY_MS) + 3) / 7),
} as const;

const sumBytes = (records: readonly BackupRecord[]): number => records.reduce((total, r) => total + r.bytes, 0);

/** True when the policy has at least one `keep*` rule (otherwise everything is kept). */
function hasKeepRule(policy: RetentionPolicy): boolean {
  return (['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepWithin'] as const).some((key) => policy[key] !== undefined);
}

/**
 * Decides which of `records` (newest first, in commit order) a policy keeps. "Newest" is always
 * their order, never their times; the hour, day and week rules use the times only to bucket.
 * The newest backup is always kept: it is the last committed version, which a lossless
 * restore depends on.
 */
export function planRetention(records: readonly BackupRecord[], policy: RetentionPolicy, options: RetentionOptions = {}): RetentionPlan {
  const keep = new Set<BackupRecord>();
  const newest = records[0];
  if (newest) keep.add(newest);

  if (!hasKeepRule(policy)) for (const record of records) keep.add(record);
  if (policy.keepLast !== undefined) for (const record of records.slice(0, policy.keepLast)) keep.add(record);
  for (const rule of ['keepHourly', 'keepDaily', 'keepWeekly'] as const) {
    const limit = policy[rule];
    if (limit === undefined) continue;
    const seen = new Set<number>();
    for (const record of records) {
      if (seen.size >= limit) break;
      const bucket = BUCKETS[rule](record.createdAt.getTime());
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep.add(record);
    }
  }
  if (options.keepWithinMs !== undefined && records.length > 0) {
    // Measured from the newest in commit order: after a clock step back, the latest time stamp
    // belongs to an older backup.
    const newestAt = records[0]!.createdAt.getTime();
    for (const record of records) if (newestAt - record.createdAt.getTime() <= options.keepWithinMs) keep.add(record);
  }

  let kept = records.filter((r) => keep.has(r));
  if (policy.maxTotalBytes !== undefined) {
    const storedBytes = options.storedBytes ?? sumBytes;
    // Oldest first; the newest backup is never dropped for space.
    for (let i = kept.length - 1; i > 0 && storedBytes(kept) > policy.maxTotalBytes; i--) {
      const candidate = kept[i]!;
      kept = kept.filter((r) => r !== candidate);
    }
  }
  const keptSet = new Set(kept);
  return { kept, removed: records.filter((r) => !keptSet.has(r)) };
}
