import path from 'node:path';
import { ErrorCodes, parseDuration, PreventionError, type Duration } from '@prevention/core';

/**
 * What the monitor does about a file changed behind prevention's back:
 * - `restore`: put the newest valid backup back (under the writers' lock), keeping the bad copy in quarantine;
 * - `accept`: a valid outside write becomes the new baseline (committed through the engine, so it is
 *   backed up and journaled) with an alert; invalid content and deletions are still restored;
 * - `alert-only`: report, change nothing.
 */
export type RepairPolicy = 'restore' | 'accept' | 'alert-only';

/** Options of the `monitor` plugin. */
export interface MonitorOptions {
  /** How often every file is re-validated, watcher events or not; default `5s`. */
  validateEvery?: Duration;
  /** How often the health checks run; default `1m`. */
  healthEvery?: Duration;
  /** Watch the files for changes (chokidar) between scheduled validations; default true. */
  watch?: boolean;
  /** The repair policy of every file; default `restore`. */
  policy?: RepairPolicy;
  /** Per-file repair policies, by path (relative to the config file, or absolute). */
  policies?: Record<string, RepairPolicy>;
  /** Serve `/livez`, `/readyz` and `/metrics` on this port (0 picks a free one); off by default. */
  port?: number | false;
  /** Address the HTTP server binds; default `127.0.0.1`. */
  host?: string;
  /** Free disk space below which the disk health check fails: bytes, or a percentage such as `"5%"`; default `"5%"`. */
  minFreeDisk?: number | `${number}%`;
  /** The last full validation must be younger than this, or the health check fails; default three `validateEvery`s (at least 15 s). */
  maxValidationAge?: Duration;
  /** Start watching and the schedules as soon as the engine is ready; default true. */
  autoStart?: boolean;
}

/** The options with defaults applied and durations in milliseconds. */
export interface ResolvedMonitorOptions {
  validateEveryMs: number;
  healthEveryMs: number;
  watch: boolean;
  policyFor: (file: string) => RepairPolicy;
  port: number | false;
  host: string;
  minFreeDisk: { bytes: number } | { ratio: number };
  maxValidationAgeMs: number;
  autoStart: boolean;
}

const POLICIES: readonly RepairPolicy[] = ['restore', 'accept', 'alert-only'];

function invalid(key: string, message: string): PreventionError {
  return new PreventionError(ErrorCodes.CONFIG_INVALID, `monitor option ${key} ${message}`, { details: { key } });
}

function checkPolicy(value: unknown, key: string): RepairPolicy {
  if (!POLICIES.includes(value as RepairPolicy)) throw invalid(key, `must be one of ${POLICIES.join(', ')} (got ${JSON.stringify(value)})`);
  return value as RepairPolicy;
}

function parseMinFreeDisk(value: MonitorOptions['minFreeDisk']): ResolvedMonitorOptions['minFreeDisk'] {
  if (value === undefined) return { ratio: 0.05 };
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return { bytes: value };
  const percent = typeof value === 'string' ? /^(\d+(?:\.\d+)?)%$/.exec(value) : null;
  if (!percent || Number(percent[1]) > 100) throw invalid('minFreeDisk', `must be a number of bytes or a percentage such as "5%" (got ${JSON.stringify(value)})`);
  return { ratio: Number(percent[1]) / 100 };
}

/** Validates the options and fills in defaults; paths in `policies` resolve against `baseDir`. */
export function resolveMonitorOptions(options: MonitorOptions, baseDir: string): ResolvedMonitorOptions {
  const validateEveryMs = parseDuration(options.validateEvery ?? '5s', 'monitor validateEvery');
  const healthEveryMs = parseDuration(options.healthEvery ?? '1m', 'monitor healthEvery');
  if (validateEveryMs < 100) throw invalid('validateEvery', 'must be at least 100ms');
  if (healthEveryMs < 100) throw invalid('healthEvery', 'must be at least 100ms');
  const fallback = checkPolicy(options.policy ?? 'restore', 'policy');
  const perFile = new Map(Object.entries(options.policies ?? {}).map(([file, policy]) => [path.resolve(baseDir, file), checkPolicy(policy, `policies["${file}"]`)]));
  const port = options.port ?? false;
  if (port !== false && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw invalid('port', `must be a TCP port number or false (got ${JSON.stringify(port)})`);
  return {
    validateEveryMs,
    healthEveryMs,
    watch: options.watch ?? true,
    policyFor: (file) => perFile.get(file) ?? fallback,
    port,
    host: options.host ?? '127.0.0.1',
    minFreeDisk: parseMinFreeDisk(options.minFreeDisk),
    maxValidationAgeMs: options.maxValidationAge === undefined ? Math.max(3 * validateEveryMs, 15_000) : parseDuration(options.maxValidationAge, 'monitor maxValidationAge'),
    autoStart: options.autoStart ?? true,
  };
}
