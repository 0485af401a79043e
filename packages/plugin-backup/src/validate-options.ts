import path from 'node:path';
import { ErrorCodes, PreventionError } from '@prevention/core';
import type { BackupPluginOptions, StrategyOptions } from './backup-options.js';
import { isPreventionError, parseDuration } from '@prevention/core';
import type { RetentionPolicy } from './retention/retention-policy.js';

/** A configured strategy with its options checked and `keepWithin` parsed; `dir` is still as configured. */
export type ValidatedStrategy =
  | { type: 'rotating'; keep: number; dir: string | undefined }
  | { type: 'timestamped' | 'content-addressed'; policy: RetentionPolicy; keepWithinMs: number | undefined; dir: string | undefined };

/** Used when the plugin is given no strategies. */
export const DEFAULT_STRATEGIES: readonly StrategyOptions[] = [{ type: 'rotating', keep: 10 }];

const COUNT_KEYS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly'] as const;
const RETENTION_KEYS = [...COUNT_KEYS, 'keepWithin', 'maxTotalBytes'] as const;
const ALLOWED_KEYS: Record<StrategyOptions['type'], readonly string[]> = {
  rotating: ['type', 'keep', 'dir'],
  timestamped: ['type', 'dir', ...RETENTION_KEYS],
  'content-addressed': ['type', 'dir', ...RETENTION_KEYS],
};

function invalid(key: string, problem: string): PreventionError {
  return new PreventionError(ErrorCodes.CONFIG_INVALID, `backup plugin option ${key} ${problem}`, { details: { key } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integerAt(entry: Record<string, unknown>, key: string, at: string, min: number): number | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalid(`${at}.${key}`, `must be an integer of at least ${min} (got ${JSON.stringify(value)})`);
  return value;
}

function dirAt(entry: Record<string, unknown>, at: string): string | undefined {
  const value = entry.dir;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${at}.dir`, 'must be a non-empty path');
  return value;
}

function validateStrategy(entry: unknown, at: string): ValidatedStrategy {
  if (!isRecord(entry)) throw invalid(at, 'must be an object such as { type: "rotating", keep: 10 }');
  const type = entry.type;
  if (type !== 'rotating' && type !== 'timestamped' && type !== 'content-addressed') {
    throw invalid(`${at}.type`, `must be "rotating", "timestamped" or "content-addressed" (got ${JSON.stringify(type)})`);
  }
  const unknown = Object.keys(entry).find((key) => !ALLOWED_KEYS[type].includes(key));
  if (unknown !== undefined) throw invalid(`${at}.${unknown}`, `is not an option of the ${type} strategy (allowed: ${ALLOWED_KEYS[type].join(', ')})`);
  const dir = dirAt(entry, at);
  if (type === 'rotating') {
    const keep = integerAt(entry, 'keep', at, 1);
    if (keep === undefined) throw invalid(`${at}.keep`, 'is required: how many copies to keep');
    return { type, keep, dir };
  }
  const policy: RetentionPolicy = {};
  for (const key of COUNT_KEYS) policy[key] = integerAt(entry, key, at, 0);
  policy.maxTotalBytes = integerAt(entry, 'maxTotalBytes', at, 1);
  let keepWithinMs: number | undefined;
  if (entry.keepWithin !== undefined) {
    keepWithinMs = typeof entry.keepWithin === 'string' ? durationOrUndefined(entry.keepWithin) : undefined;
    if (keepWithinMs === undefined) throw invalid(`${at}.keepWithin`, `must be a duration such as "7d", "36h" or "2w3d" (got ${JSON.stringify(entry.keepWithin)})`);
    policy.keepWithin = entry.keepWithin as string;
  }
  for (const key of RETENTION_KEYS) if (policy[key] === undefined) delete policy[key];
  return { type, policy, keepWithinMs, dir };
}

/**
 * Checks the plugin's options and fails with `PREVENTION_CONFIG_INVALID` naming the bad key
 * (for example `backup.strategies[1].keepDaily`).
 */
export function validateBackupOptions(options: BackupPluginOptions | undefined): ValidatedStrategy[] {
  if (options === undefined) return DEFAULT_STRATEGIES.map((entry, i) => validateStrategy(entry, `backup.strategies[${i}]`));
  if (!isRecord(options)) throw invalid('backup', 'must be an object such as { strategies: [{ type: "rotating", keep: 10 }] }');
  const unknown = Object.keys(options).find((key) => key !== 'strategies');
  if (unknown !== undefined) throw invalid(`backup.${unknown}`, 'is not an option (allowed: strategies)');
  const entries: unknown = options.strategies ?? DEFAULT_STRATEGIES;
  if (!Array.isArray(entries) || entries.length === 0) throw invalid('backup.strategies', 'must be a non-empty array of strategies');
  const validated = entries.map((entry, i) => validateStrategy(entry, `backup.strategies[${i}]`));
  const seen = new Map<string, number>();
  validated.forEach((strategy, i) => {
    const where = `${strategy.type}:${strategy.dir === undefined ? '' : path.normalize(strategy.dir)}`;
    const first = seen.get(where);
    if (first !== undefined) throw invalid(`backup.strategies[${i}]`, `repeats backup.strategies[${first}] (same type and directory); give it another dir`);
    seen.set(where, i);
  });
  return validated;
}

/** The duration in milliseconds, or undefined when `text` is not one (the caller names the key). */
function durationOrUndefined(text: string): number | undefined {
  try {
    return parseDuration(text, 'keepWithin');
  } catch (err) {
    if (isPreventionError(err)) return undefined;
    throw err;
  }
}
