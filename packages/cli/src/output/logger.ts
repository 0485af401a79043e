import { REDACT_PATHS, type Logger } from '@prevention/core';
import { pino } from 'pino';
import pretty from 'pino-pretty';

/**
 * The engine's logger in the CLI: warnings and errors only (debug with `--debug`), on stderr so
 * they never mix with results, human-readable, coloured under the same rules as the rest of
 * the output, and with prevention's secret redaction.
 */
export function createCliLogger(options: { debug: boolean; color: boolean }): Logger {
  const stream = pretty({ destination: 2, sync: true, colorize: options.color, ignore: 'pid,hostname,name' });
  return pino({ name: 'prevention', level: options.debug ? 'debug' : 'warn', redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } }, stream);
}
