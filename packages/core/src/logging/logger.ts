import type { LoggerOptions, Logger } from '../contract.js';
import { createRequire } from 'node:module';
import type { LoggerOptions as PinoOptions, pino as pinoFunction } from 'pino';

// pino (CommonJS, with its serializers and stream) is required by the first createLogger, not
// when the package loads: a program that passes its own logger never needs it.
const require = createRequire(import.meta.url);

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
