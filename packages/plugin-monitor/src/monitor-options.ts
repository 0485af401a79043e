import { ErrorCodes, parseDuration, PreventionError, type Duration } from '@prevention/core';

/** Options of the `monitor` plugin. */
export interface MonitorOptions {
  /** How often every file is re-validated, watcher events or not; default `5s`. */
  validateEvery?: Duration;
  /** How often the health checks run; default `1m`. */
  healthEvery?: Duration;
  /** Watch the files for changes (chokidar) between scheduled validations; default true. */
  watch?: boolean;
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
  port: number | false;
  host: string;
  minFreeDisk: { bytes: number } | { ratio: number };
  maxValidationAgeMs: number;
  autoStart: boolean;
}

function invalid(key: string, message: string): PreventionError {
  return new PreventionError(ErrorCodes.CONFIG_INVALID, `monitor option ${key} ${message}`, { details: { key } });
}

function parseMinFreeDisk(value: MonitorOptions['minFreeDisk']): ResolvedMonitorOptions['minFreeDisk'] {
  if (value === undefined) return { ratio: 0.05 };
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return { bytes: value };
  const percent = typeof value === 'string' ? /^(\d+(?:\.\d+)?)%$/.exec(value) : null;
  if (!percent || Number(percent[1]) > 100) throw invalid('minFreeDisk', `must be a number of bytes or a percentage such as "5%" (got ${JSON.stringify(value)})`);
  return { ratio: Number(percent[1]) / 100 };
}

function isTcpPort(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 65535;
}

/** A TCP port given as text (0 picks a free one); `undefined` when `text` is not one. */
export function parsePort(text: string): number | undefined {
  const port = Number(text);
  return /^\d+$/.test(text) && isTcpPort(port) ? port : undefined;
}

/** Validates the options and fills in defaults. */
export function resolveMonitorOptions(options: MonitorOptions): ResolvedMonitorOptions {
  for (const key of ['policy', 'policies'] as const) {
    if (key in options) {
      throw invalid(key, "is no longer supported: what happens to a file changed outside prevention is the file's own onOutsideWrite setting (top level, or per files entry, globs included), which writers apply too");
    }
  }
  const validateEveryMs = parseDuration(options.validateEvery ?? '5s', 'monitor validateEvery');
  const healthEveryMs = parseDuration(options.healthEvery ?? '1m', 'monitor healthEvery');
  if (validateEveryMs < 100) throw invalid('validateEvery', 'must be at least 100ms');
  if (healthEveryMs < 100) throw invalid('healthEvery', 'must be at least 100ms');
  const port = options.port ?? false;
  if (port !== false && !isTcpPort(port)) throw invalid('port', `must be a TCP port number or false (got ${JSON.stringify(port)})`);
  return {
    validateEveryMs,
    healthEveryMs,
    watch: options.watch ?? true,
    port,
    host: options.host ?? '127.0.0.1',
    minFreeDisk: parseMinFreeDisk(options.minFreeDisk),
    maxValidationAgeMs: options.maxValidationAge === undefined ? Math.max(3 * validateEveryMs, 15_000) : parseDuration(options.maxValidationAge, 'monitor maxValidationAge'),
    autoStart: options.autoStart ?? true,
  };
}
