import { createRequire } from 'node:module';
import type { Logger as PinoLogger, LoggerOptions as PinoOptions, pino as pinoFunction } from 'pino';

// pino (CommonJS, with its serializers and stream) is required by the first createLogger, not
// when the package loads: a program that passes its own logger never needs it.
const require = createRequire(import.meta.url);

/** The logger type used everywhere: a pino logger. */
export type Logger = PinoLogger;

/**
 * Paths pino censors in every log line. Secrets such as webhook URLs and SMTP passwords must
 * never reach a log, whichever object they travel in.
 */
export const REDACT_PATHS: readonly string[] = [
  'url',
  '*.url',
  'webhookUrl',
  '*.webhookUrl',
  'password',
  '*.password',
  'pass',
  '*.pass',
  '*.auth.pass',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
];

/** How to build the default logger. */
export interface LoggerOptions {
  /** Minimum level; default `warn` for an embedded engine. */
  level?: PinoOptions['level'];
  /** Human-readable output (needs the `pino-pretty` package); default: JSON. */
  pretty?: boolean;
  /** File descriptor to write to; default 2 (stderr). */
  fd?: number;
  /** Extra paths to redact. */
  redact?: string[];
}

/** Builds a pino logger with prevention's redaction rules. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base: PinoOptions = {
    name: 'prevention',
    level: options.level ?? 'warn',
    redact: { paths: [...REDACT_PATHS, ...(options.redact ?? [])], censor: '[redacted]' },
  };
  const { pino } = require('pino') as { pino: typeof pinoFunction };
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: options.fd ?? 2, colorize: true } } });
  }
  return pino(base, pino.destination({ fd: options.fd ?? 2, sync: true }));
}
